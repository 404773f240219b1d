/**
 * Predictions of a trained model on new input, for every kind of task. The model is rebuilt from
 * the run's definition and its data.json (vocabularies, tokenizer, scaling: see DataInfo), so the
 * training data need not be read again. Input is text (token tasks: tokenised as in training,
 * unknown tokens read as <unk>) or rows of numbers (real-valued tasks, in the original units).
 */
import * as tf from './tf';
import { SeqModel } from './model';
import { DecodeError, decode, maxLengthFor, type DecodeMethod, type Decoded } from './decode';
import { emptyData, type DataInfo, type Example } from './data';
import type { ModelSpec } from './spec';
import type { StateDict } from './stateDict';
import { assignStateDict } from './torch';
import { END, detokenize, impliedTokenizer, readTokens, type TokenLevel } from './tokenize';

export class PredictError extends Error {}

export type PredictionRecord = Record<string, unknown> & { input: string };

const argmax = (row: number[]) => row.reduce((bi, v, i) => (v > row[bi] ? i : bi), 0);
const round = (v: number) => Number(v.toPrecision(6));

export class Predictor {
  readonly model: SeqModel;
  private readonly level: TokenLevel;

  constructor(readonly spec: ModelSpec, readonly info: DataInfo, weights: StateDict) {
    this.model = new SeqModel(spec, emptyData(info));
    try {
      assignStateDict(this.model.params, weights);
    } catch (e) {
      this.model.dispose();
      throw new PredictError(`the weights do not fit the definition: ${(e as Error).message}`);
    }
    // how outputs are joined back into text: as the input was split
    this.level = (info.tokenizer ?? impliedTokenizer(info.input.kind === 'tokens' ? info.input.vocab : [])).level;
  }

  /** Token ids of a text, tokenised as the training data was (unknown tokens read as <unk>). */
  tokens(text: string): { tokens: string[]; ids: number[]; unknown: string[] } {
    const inp = this.info.input;
    if (inp.kind !== 'tokens') throw new PredictError('this model reads numbers, not text');
    let r: ReturnType<typeof readTokens>;
    try {
      r = readTokens(text, inp.vocab, this.info.tokenizer);
    } catch (e) {
      throw new PredictError((e as Error).message);
    }
    if (!r.tokens.length) throw new PredictError('the input has no tokens');
    return r;
  }

  /** Rows of numbers in the original units -> scaled feature rows. Rows: newlines or ';'; values: commas or spaces. */
  rows(text: string): number[][] {
    const inp = this.info.input;
    if (inp.kind !== 'real') throw new PredictError('this model reads text, not numbers');
    const rows = text.split(/[;\n]/).map((r) => r.trim()).filter(Boolean).map((r, i) => {
      const vs = r.split(/[,\s]+/).map(Number);
      if (vs.length !== inp.features || vs.some((v) => !Number.isFinite(v))) {
        throw new PredictError(`row ${i + 1} (${JSON.stringify(r)}): expected ${inp.features} number${inp.features > 1 ? 's' : ''}${inp.names ? ` (${inp.names.join(', ')})` : ''}, found ${JSON.stringify(r)}`);
      }
      return vs;
    });
    if (!rows.length) throw new PredictError('the input has no rows of numbers');
    const sc = this.info.scaling?.features;
    return sc ? rows.map((r) => r.map((v, j) => (v - sc[j].offset) / sc[j].scale)) : rows;
  }

  /** Output probabilities (or values) per target step for one example. */
  private run(ex: Example): number[][] {
    const batch = this.model.makeBatch([ex]);
    const probs = tf.tidy(() => this.model.activate(this.model.forward(batch).logits));
    batch.dispose();
    const out = probs.arraySync() as number[][];
    probs.dispose();
    return out;
  }

  private zeroTarget(): number[] {
    const o = this.info.output;
    return o.kind === 'real' ? new Array(o.features).fill(0) : o.kind === 'binary' ? new Array(o.labels.length).fill(0) : [0];
  }

  /**
   * Predict for one input (text, or rows of numbers for real-valued inputs). `length`: most steps
   * to write (generators; an encoder-decoder's maxLength); `method`: how an encoder-decoder
   * decodes (greedy by default; src/core/decode.ts).
   */
  predict(input: string, opts: { length?: number; method?: DecodeMethod } = {}): PredictionRecord {
    const { structure, output: o } = this.info;
    const read = this.info.input.kind === 'tokens' ? this.tokens(input) : undefined;
    const x = read ? read.ids.map((i) => [i]) : this.rows(input);
    const shownTokens = read?.tokens;
    const rec: PredictionRecord = { input };
    if (read?.unknown.length) rec.unknown = read.unknown;
    const z = this.zeroTarget();
    if (structure === 'encoder-decoder') {
      if (o.kind !== 'classes') throw new PredictError('an encoder-decoder writes tokens');
      const end = this.info.endToken ?? (o.classes.indexOf(END) >= 0 ? o.classes.indexOf(END) : undefined);
      const maxLength = opts.length ?? maxLengthFor(this.spec, x.length, end !== undefined);
      let found: Decoded[];
      try {
        found = decode(this.model, x, { maxLength, end, method: opts.method });
      } catch (e) {
        if (e instanceof DecodeError) throw new PredictError(e.message);
        throw e;
      }
      const describe = (d: Decoded) => {
        const toks = d.tokens.map((i) => o.classes[i]);
        return { output: detokenize(toks, this.level), tokens: toks, logProb: round(d.logProb), finished: d.finished };
      };
      const best = found[0];
      return {
        ...rec,
        ...describe(best),
        ...(opts.method?.kind === 'beam' ? { score: round(best.score), alternatives: found.map((d) => ({ ...describe(d), score: round(d.score) })) } : {}),
        // a_t over the source tokens, one row per decoding step (the </s> step included when written)
        ...(best.attention ? { sourceTokens: shownTokens, attention: best.attention.map((r) => r.map(round)) } : {}),
      };
    }
    if (structure === 'one-to-many') {
      const T = opts.length ?? this.info.outputLength ?? 16;
      const probs = this.run({ x: x.slice(0, 1), y: Array.from({ length: T }, () => z) });
      return { ...rec, ...this.describeSteps(probs) };
    }
    if (structure === 'many-to-one') {
      const probs = this.run({ x, y: [z] })[0];
      if (o.kind === 'classes') {
        const order = probs.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
        return { ...rec, label: o.classes[order[0][1]], probability: round(order[0][0]), top: order.slice(0, 5).map(([p, i]) => ({ label: o.classes[i], probability: round(p) })) };
      }
      if (o.kind === 'binary') return { ...rec, ...Object.fromEntries(o.labels.map((l, j) => [l, probs[j] > 0.5])), probability: round(probs[0]) };
      return { ...rec, prediction: this.unscale(probs) };
    }
    // many-to-many
    const probs = this.run({ x, y: x.map(() => z) });
    if (this.info.generative && o.kind === 'classes') {
      // next-token model: the distribution after the input, and a greedy continuation
      const last = probs[probs.length - 1];
      const order = last.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
      const ids = x.map((v) => v[0]);
      const cont: number[] = [];
      for (let n = 0; n < (opts.length ?? 20); n++) {
        const p = n === 0 ? last : this.run({ x: ids.map((i) => [i]), y: ids.map(() => z) }).at(-1)!;
        const next = argmax(p);
        cont.push(next);
        ids.push(next);
      }
      return {
        ...rec,
        next: order.slice(0, 5).map(([p, i]) => ({ token: o.classes[i], probability: round(p) })),
        continuation: detokenize(cont.map((i) => o.classes[i]), this.level),
      };
    }
    return { ...rec, ...(shownTokens ? { tokens: shownTokens } : {}), ...this.describeSteps(probs) };
  }

  private describeSteps(probs: number[][]): Record<string, unknown> {
    const o = this.info.output;
    if (o.kind === 'classes') return { tags: probs.map((p) => o.classes[argmax(p)]), probabilities: probs.map((p) => round(p[argmax(p)])) };
    if (o.kind === 'binary') return { probabilities: probs.map((p) => round(p[0])) };
    return { predictions: probs.map((p) => this.unscale(p)) };
  }

  /** Real outputs in the original units, by target name. */
  private unscale(v: number[]): Record<string, number> {
    const o = this.info.output;
    const names = o.kind === 'real' && o.names ? o.names : v.map((_, i) => `y${i}`);
    const sc = this.info.scaling?.targets;
    return Object.fromEntries(v.map((x, j) => [names[j], round(sc ? x * sc[j].scale + sc[j].offset : x)]));
  }

  dispose(): void {
    this.model.dispose();
  }
}

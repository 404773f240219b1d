/**
 * Predictions of a trained model on new input, for every kind of task. The model is rebuilt from
 * the run's definition and its data.json (vocabularies, tokenizer, scaling: see DataInfo), so the
 * training data need not be read again. Input is text (token tasks: tokenised as in training,
 * unknown tokens read as <unk>) or rows of numbers (real-valued tasks, in the original units).
 */
import * as tf from './tf';
import { SeqModel } from './model';
import { DecodeError, decode, maxLengthFor, type DecodeMethod, type Decoded } from './decode';
import { emptyData, type DataInfo, type Example, type SeqData } from './data';
import type { CellState } from './cells';
import { Rng } from './rng';
import type { ModelSpec } from './spec';
import type { StateDict } from './stateDict';
import { assignStateDict } from './torch';
import { END, detokenize, impliedTokenizer, readTokens, type TokenLevel } from './tokenize';

export class PredictError extends Error {}

export type PredictionRecord = Record<string, unknown> & { input: string };

/** A decoded output as the panel shows it (the best one, or one of the beam's alternatives). */
export interface DecodedOutput { output: string; tokens: string[]; logProb: number; finished: boolean; score?: number }

/**
 * The prediction for one input in the shape the panel draws (src/protocol typedPrediction checks
 * it on receipt): the fields of {@link Predictor.predict}'s record, with a binary model's
 * per-label verdicts gathered under `flags` instead of one key per label.
 */
export interface TypedPrediction {
  input: string;
  unknown?: string[];
  /** classification: the best class, its probability, the five best */
  label?: string;
  probability?: number;
  top?: { label: string; probability: number }[];
  /** binary: label -> p > 0.5 */
  flags?: Record<string, boolean>;
  /** tagging: the input tokens, the tag of each, its probability */
  tokens?: string[];
  tags?: string[];
  probabilities?: number[];
  /** encoder-decoder: the decoded output (tokens above), with the beam's alternatives */
  output?: string;
  logProb?: number;
  finished?: boolean;
  /** The model has an end symbol and the decoder stopped at its maximum length before writing it. */
  truncated?: boolean;
  /** Probing an example: its true output (without </s>), as text. */
  target?: string;
  score?: number;
  alternatives?: DecodedOutput[];
  sourceTokens?: string[];
  attention?: number[][];
  /** language model: the next token's distribution and a greedy continuation */
  next?: { token: string; probability: number }[];
  continuation?: string;
  /** real outputs in the original units, by target name (per step when there are several) */
  prediction?: Record<string, number>;
  predictions?: Record<string, number>[];
}

/**
 * What the panel's probe needs for an input: the prediction, and the example whose hidden states
 * are traced (Trainer.probe). An encoder-decoder's example has the DECODED output as its target:
 * the decoder is causal, so tracing it teacher-forced on its own output gives exactly the
 * free-running states and attention, and `outputTokens` labels that time axis.
 */
export interface ProbeInput {
  prediction: TypedPrediction;
  example: Example;
  outputTokens?: string[];
}

export interface PredictOptions {
  /** Most steps to write (generators; an encoder-decoder's maxLength). */
  length?: number;
  /** How an encoder-decoder decodes (greedy by default). */
  method?: DecodeMethod;
}

/** An input read for the model: x as it goes in, the tokens it was read as, those not in the vocabulary. */
interface Read {
  input: string;
  x: number[][];
  tokens?: string[];
  unknown?: string[];
}

const argmax = (row: number[]) => row.reduce((bi, v, i) => (v > row[bi] ? i : bi), 0);
const round = (v: number) => Number(v.toPrecision(6));

export class Predictor {
  readonly model: SeqModel;
  private readonly level: TokenLevel;
  /** Whether dispose() frees the model (built here from weights, not lent by a trainer). */
  private readonly owned: boolean;

  /** `weights`: a run's state_dict (a model is built for them), or a live model to predict with (a trainer's, not freed here). */
  constructor(readonly spec: ModelSpec, readonly info: DataInfo, weights: StateDict | SeqModel) {
    this.owned = !(weights instanceof SeqModel);
    if (weights instanceof SeqModel) this.model = weights;
    else {
      this.model = new SeqModel(spec, emptyData(info));
      try {
        assignStateDict(this.model.params, weights);
      } catch (e) {
        this.model.dispose();
        throw new PredictError(`the weights do not fit the definition: ${(e as Error).message}`);
      }
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

  /**
   * Rows of numbers in the original units -> scaled feature rows. Rows: newlines or ';'; values:
   * commas or spaces. A one-feature series may also be typed as one comma-separated window
   * ("0.1, 0.4, 0.2": one step per value). A model trained on windows of L steps that predicts
   * from a window (many-to-one) takes exactly L rows.
   */
  rows(text: string): number[][] {
    const inp = this.info.input;
    if (inp.kind !== 'real') throw new PredictError('this model reads text, not numbers');
    const lines = text.split(/[;\n]/).map((r) => r.trim()).filter(Boolean);
    const oneLine = inp.features === 1 && lines.length === 1 ? lines[0].split(/[,\s]+/).filter(Boolean) : undefined;
    const rows = (oneLine && oneLine.length > 1 ? oneLine : lines).map((r, i) => {
      const vs = r.split(/[,\s]+/).map(Number);
      if (vs.length !== inp.features || vs.some((v) => !Number.isFinite(v))) {
        throw new PredictError(`row ${i + 1} (${JSON.stringify(r)}): expected ${inp.features} number${inp.features > 1 ? 's' : ''}${inp.names ? ` (${inp.names.join(', ')})` : ''}, found ${JSON.stringify(r)}`);
      }
      return vs;
    });
    if (!rows.length) throw new PredictError('the input has no rows of numbers');
    const L = this.info.inputLength;
    if (L !== undefined && this.info.structure === 'many-to-one' && rows.length !== L) {
      const what = inp.features === 1 ? 'value' : 'row';
      throw new PredictError(`expected a window of ${L} ${what}s (the length the model was trained on), found ${rows.length}`);
    }
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

  /** One input as the model reads it: id rows (text) or scaled feature rows (numbers). */
  private read(input: string): Read {
    if (!input.trim()) throw new PredictError('the input is empty');
    if (this.info.input.kind !== 'tokens') return { input, x: this.rows(input) };
    const r = this.tokens(input);
    return { input, x: r.ids.map((i) => [i]), tokens: r.tokens, ...(r.unknown.length ? { unknown: r.unknown } : {}) };
  }

  /**
   * Predict for one input (text, or rows of numbers for real-valued inputs). `length`: most steps
   * to write (generators; an encoder-decoder's maxLength); `method`: how an encoder-decoder
   * decodes (greedy by default; src/core/decode.ts).
   */
  predict(input: string, opts: PredictOptions = {}): PredictionRecord {
    return this.predictRead(this.read(input), opts).record;
  }

  /**
   * The panel's probe of an input: typed text or numbers, or an example of the data set (the
   * panel traces an encoder-decoder's examples free-running too). See {@link ProbeInput}.
   */
  probe(input: string | Example, opts: PredictOptions = {}): ProbeInput {
    const inp = this.info.input;
    const read: Read = typeof input === 'string' ? this.read(input) : {
      input: inp.kind === 'tokens' ? detokenize(input.x.map((v) => inp.vocab[v[0]] ?? '?'), this.level) : input.x.map((r) => r.join(',')).join(';'),
      x: input.x,
      ...(inp.kind === 'tokens' ? { tokens: input.x.map((v) => inp.vocab[v[0]] ?? '?') } : {}),
    };
    const { record, best, steps } = this.predictRead(read, opts);
    const { structure, output: o } = this.info;
    const z = this.zeroTarget();
    let example: Example;
    let outputTokens: string[] | undefined;
    if (structure === 'encoder-decoder' && best && o.kind === 'classes') {
      const ids = [...best.tokens, ...(best.finished && this.endId() !== undefined ? [this.endId()!] : [])];
      example = { x: read.x, y: ids.map((i) => [i]) };
      outputTokens = ids.map((i) => o.classes[i]);
    } else if (structure === 'one-to-many') example = { x: read.x.slice(0, 1), y: Array.from({ length: steps }, () => z) };
    else if (structure === 'many-to-one') example = { x: read.x, y: [z] };
    else example = { x: read.x, y: read.x.map(() => z) };
    // a binary model's record names each label as a key: the panel's shape gathers them under flags
    const { input: text, ...rest } = record;
    const prediction: TypedPrediction = { input: text };
    const known = new Set(['unknown', 'label', 'probability', 'top', 'tokens', 'tags', 'probabilities', 'output', 'logProb', 'finished', 'score', 'alternatives', 'sourceTokens', 'attention', 'next', 'continuation', 'prediction', 'predictions']);
    for (const [k, v] of Object.entries(rest)) {
      if (known.has(k)) (prediction as unknown as Record<string, unknown>)[k] = v;
      else if (typeof v === 'boolean') (prediction.flags ??= {})[k] = v;
    }
    if (structure === 'encoder-decoder' && o.kind === 'classes') {
      const end = this.endId();
      if (end !== undefined && prediction.finished === false) prediction.truncated = true;
      if (typeof input !== 'string') prediction.target = detokenize(input.y.map((v) => v[0]).filter((i) => i !== end).map((i) => o.classes[i]), this.level);
    }
    return { prediction, example, ...(outputTokens ? { outputTokens } : {}) };
  }

  private endId(): number | undefined {
    const o = this.info.output;
    return this.info.endToken ?? (o.kind === 'classes' && o.classes.indexOf(END) >= 0 ? o.classes.indexOf(END) : undefined);
  }

  private predictRead(read: Read, opts: PredictOptions): { record: PredictionRecord; best?: Decoded; steps: number } {
    const { structure, output: o } = this.info;
    const { x, tokens: shownTokens } = read;
    const rec: PredictionRecord = { input: read.input };
    if (read.unknown) rec.unknown = read.unknown;
    const z = this.zeroTarget();
    if (structure === 'encoder-decoder') {
      if (o.kind !== 'classes') throw new PredictError('an encoder-decoder writes tokens');
      const end = this.endId();
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
      const record = {
        ...rec,
        ...describe(best),
        ...(opts.method?.kind === 'beam' ? { score: round(best.score), alternatives: found.map((d) => ({ ...describe(d), score: round(d.score) })) } : {}),
        // a_t over the source tokens, one row per decoding step (the </s> step included when written)
        ...(best.attention ? { sourceTokens: shownTokens, attention: best.attention.map((r) => r.map(round)) } : {}),
      };
      return { record, best, steps: best.tokens.length };
    }
    if (structure === 'one-to-many') {
      const T = opts.length ?? this.info.outputLength ?? 16;
      const probs = this.run({ x: x.slice(0, 1), y: Array.from({ length: T }, () => z) });
      return { record: { ...rec, ...this.describeSteps(probs) }, steps: T };
    }
    if (structure === 'many-to-one') {
      const probs = this.run({ x, y: [z] })[0];
      if (o.kind === 'classes') {
        const order = probs.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
        return { record: { ...rec, label: o.classes[order[0][1]], probability: round(order[0][0]), top: order.slice(0, 5).map(([p, i]) => ({ label: o.classes[i], probability: round(p) })) }, steps: 1 };
      }
      if (o.kind === 'binary') return { record: { ...rec, ...Object.fromEntries(o.labels.map((l, j) => [l, probs[j] > 0.5])), probability: round(probs[0]) }, steps: 1 };
      return { record: { ...rec, prediction: this.unscale(probs) }, steps: 1 };
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
        record: {
          ...rec,
          next: order.slice(0, 5).map(([p, i]) => ({ token: o.classes[i], probability: round(p) })),
          continuation: detokenize(cont.map((i) => o.classes[i]), this.level),
        },
        steps: x.length,
      };
    }
    return { record: { ...rec, ...(shownTokens ? { tokens: shownTokens } : {}), ...this.describeSteps(probs) }, steps: x.length };
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

  /** Sample text from a next-token model (sampleText), as `seqlab sample` does for a run. */
  sample(opts: { prefix?: string; length: number; temperature: number; seed?: number }): Promise<string> {
    return sampleText(this.model, emptyData(this.info), opts);
  }

  dispose(): void {
    if (this.owned) this.model.dispose();
  }
}

/**
 * Sample text from a next-token model: feed the prefix (a random token when none), then draw each
 * next token from softmax(logits / temperature), carrying the recurrent state, `length` times.
 * The trainer (panel) and a run's Predictor (`seqlab sample`) both sample here.
 */
export async function sampleText(
  model: SeqModel,
  data: Pick<SeqData, 'input' | 'generative' | 'tokenizer'>,
  opts: { prefix?: string; length: number; temperature: number; seed?: number },
): Promise<string> {
  const inp = data.input;
  if (!data.generative || inp.kind !== 'tokens') throw new PredictError('Only next-token (generative) tasks can be sampled.');
  const rng = new Rng(opts.seed ?? 1);
  const prefix = opts.prefix && opts.prefix.length ? opts.prefix : inp.vocab[rng.int(inp.vocab.length)];
  let ids: number[];
  try {
    ids = readTokens(prefix, inp.vocab, data.tokenizer).ids;
  } catch (e) {
    throw new PredictError(`${(e as Error).message}.`);
  }
  if (!ids.length) throw new PredictError('The prefix has no tokens.');
  const words = data.tokenizer?.level === 'words';
  const temp = Math.max(1e-3, opts.temperature);
  let state: CellState[] | undefined;
  let out = prefix;
  const written: string[] = [];
  let feed = ids;
  for (let n = 0; n < opts.length; n++) {
    const batch = model.makeBatch([{ x: feed.map((i) => [i]), y: feed.map(() => [0]) }]);
    const { probs, final } = tf.tidy(() => {
      const f = model.forward(batch, { init: state });
      const last = tf.slice(f.logits, [feed.length - 1, 0], [1, -1]);
      // p_i = exp(z_i / T) / sum_j exp(z_j / T)
      return { probs: tf.softmax(tf.div(last, temp)), final: f.final.map((s) => ({ h: tf.keep(s.h), c: s.c && tf.keep(s.c) })) };
    });
    batch.dispose();
    for (const s of state ?? []) tf.dispose([s.h, ...(s.c ? [s.c] : [])]);
    state = final;
    const p = await probs.data();
    probs.dispose();
    let r = rng.next();
    let next = p.length - 1;
    for (let i = 0; i < p.length; i++) {
      r -= p[i];
      if (r <= 0) {
        next = i;
        break;
      }
    }
    if (words) written.push(inp.vocab[next]);
    else out += inp.vocab[next];
    feed = [next];
  }
  for (const s of state ?? []) tf.dispose([s.h, ...(s.c ? [s.c] : [])]);
  return words ? `${out} ${detokenize(written, 'words')}` : out;
}

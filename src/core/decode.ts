/**
 * Free-running decoding for encoder-decoder models: the decoder is fed its OWN previous output
 * (not the true previous token, as in training), which is how the model translates a new input.
 *
 * Every method is built on one step, the decoder's next-token distribution given the source x and
 * the tokens written so far y_<t:
 *
 *   log p(y_t | y_<t, x) = log_softmax(logits_t),   logits_t = model.forward(x, <s> y_1 .. y_{t-1})[t]
 *
 * The decoder is causal (step t reads only y_<t), so running the model's own forward pass on the
 * prefix gives exactly the free-running step; it works for every cell, with and without attention,
 * with uni- and bidirectional encoders, and returns the attention row a_t over the source.
 * (Each step re-reads the prefix: O(T^2) cell steps, fine for the short outputs decoded here.)
 *
 *   greedy:   y_t = argmax_v log p(v | y_<t, x)                    until </s> or maxLength tokens
 *   beam (k): keep the k prefixes with the best length-normalised score
 *               score(y) = log p(y | x) / |y|^alpha                (alpha = 1: mean log-probability;
 *                                                                  |y| counts </s> when it was written)
 *             expand every unfinished one by every token, keep the best k of (finished + expansions),
 *             stop when all k are finished or have maxLength tokens; returns all k, best first.
 *   sample:   y_t ~ softmax(logits_t / T)  (temperature T > 0; seeded, so reproducible)
 *
 * Decoding never loops forever: at most maxLength tokens are written (</s> not counted).
 */
import * as tf from './tf';
import type { SeqModel } from './model';
import type { Example } from './data';
import type { ModelSpec } from './spec';
import { Rng } from './rng';
import { corpusBleu, exactMatch, tokenAccuracy, type SeqPair } from './seqMetrics';

export type DecodeMethod =
  | { kind: 'greedy' }
  | { kind: 'beam'; width: number; alpha?: number }
  | { kind: 'sample'; temperature: number; seed?: number };

export interface DecodeOptions {
  /** Most tokens written (</s> not counted); >= 1. */
  maxLength: number;
  /** The end symbol's class id; without one, decoding writes exactly maxLength tokens. */
  end?: number;
  method?: DecodeMethod;
}

export interface Decoded {
  /** The written class ids, without </s>. */
  tokens: number[];
  /** Whether </s> was written (false: stopped at maxLength). */
  finished: boolean;
  /** log p(y | x), summed over the written tokens (and </s> when written). */
  logProb: number;
  /** The score the method ranks by (beam: length-normalised; otherwise logProb). */
  score: number;
  /** With attention: a_t over the source per written step (and the </s> step when written), [steps][S]. */
  attention?: number[][];
}

export class DecodeError extends Error {}

/** The source x as id rows ([[id], ...]) and a prefix of written ids. */
export interface Prefix {
  x: number[][];
  y: number[];
}

/**
 * One decoder step for several prefixes of the SAME length t (sources may differ in length):
 * log p(. | y_<t, x) per prefix, and the attention row a_t when the model has attention.
 */
export function nextStep(model: SeqModel, items: Prefix[]): { logp: number[][]; attention?: number[][] } {
  const t = items[0].y.length;
  if (items.some((p) => p.y.length !== t)) throw new Error('nextStep: every prefix must have the same length');
  // target row t is a placeholder (0): the decoder's input at step t is y_{t-1}, so row t reads only the prefix
  const batch = model.makeBatch(items.map((p) => ({ x: p.x, y: [...p.y, 0].map((i) => [i]) })));
  const B = items.length;
  const [logp, att] = tf.tidy(() => {
    const out = model.forward(batch);
    const rows = tf.slice(out.logits, [t * B, 0], [B, -1]); // time-major: rows t * B + b
    const a = out.attention ? tf.squeeze(tf.slice(out.attention, [0, t, 0], [-1, 1, -1]), [1]) : undefined;
    return [tf.logSoftmax(rows), a] as const;
  });
  batch.dispose();
  const result = { logp: logp.arraySync() as number[][], attention: att ? (att.arraySync() as number[][]) : undefined };
  tf.dispose([logp, ...(att ? [att] : [])]);
  // a padded source (shorter than the batch's longest) keeps only its own positions
  if (result.attention) result.attention = result.attention.map((row, b) => row.slice(0, items[b].x.length));
  return result;
}

const argmax = (row: number[]) => row.reduce((bi, v, i) => (v > row[bi] ? i : bi), 0);

function checkOptions(o: DecodeOptions): void {
  if (!Number.isInteger(o.maxLength) || o.maxLength < 1) throw new DecodeError(`the decoder's maximum length must be a whole number >= 1 (got ${o.maxLength})`);
  const m = o.method;
  if (m?.kind === 'beam' && (!Number.isInteger(m.width) || m.width < 1)) throw new DecodeError(`the beam width must be a whole number >= 1 (got ${m.width})`);
  if (m?.kind === 'sample' && !(m.temperature > 0 && Number.isFinite(m.temperature))) throw new DecodeError(`the sampling temperature must be a number > 0 (got ${m.temperature})`);
}

/** Decode one source x ([[id], ...]). Greedy and sampling return one result; beam returns its k, best first. */
export function decode(model: SeqModel, x: number[][], opts: DecodeOptions): Decoded[] {
  checkOptions(opts);
  const m = opts.method ?? { kind: 'greedy' };
  if (m.kind === 'beam') return beamSearch(model, x, opts, m.width, m.alpha ?? 1);
  const rng = m.kind === 'sample' ? new Rng(m.seed ?? 1) : undefined;
  const pick = (logp: number[]) => (m.kind === 'sample' ? sampleIndex(logp, m.temperature, rng!) : argmax(logp));
  const hyp: Decoded = { tokens: [], finished: false, logProb: 0, score: 0 };
  const attention: number[][] = [];
  while (hyp.tokens.length < opts.maxLength) {
    const s = nextStep(model, [{ x, y: hyp.tokens }]);
    const v = pick(s.logp[0]);
    hyp.logProb += s.logp[0][v];
    if (s.attention) attention.push(s.attention[0]);
    if (v === opts.end) {
      hyp.finished = true;
      break;
    }
    hyp.tokens.push(v);
  }
  hyp.score = hyp.logProb;
  return [{ ...hyp, ...(attention.length ? { attention } : {}) }];
}

/** y ~ softmax(log p / T): sampling from logits / T, since log p = logits - logsumexp. */
function sampleIndex(logp: number[], temperature: number, rng: Rng): number {
  const z = logp.map((l) => l / temperature);
  const mx = Math.max(...z);
  const w = z.map((v) => Math.exp(v - mx));
  let u = rng.next() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) {
    u -= w[i];
    if (u < 0) return i;
  }
  return w.length - 1;
}

function beamSearch(model: SeqModel, x: number[][], opts: DecodeOptions, k: number, alpha: number): Decoded[] {
  const norm = (h: Decoded) => h.logProb / Math.max(1, h.tokens.length + (h.finished ? 1 : 0)) ** alpha;
  let beam: (Decoded & { attention: number[][] })[] = [{ tokens: [], finished: false, logProb: 0, score: 0, attention: [] }];
  for (;;) {
    const alive = beam.filter((h) => !h.finished && h.tokens.length < opts.maxLength);
    if (!alive.length) break;
    const s = nextStep(model, alive.map((h) => ({ x, y: h.tokens })));
    const candidates = beam.filter((h) => !alive.includes(h));
    alive.forEach((h, i) => {
      s.logp[i].forEach((lp, v) => {
        const finished = v === opts.end;
        const c = {
          tokens: finished ? h.tokens : [...h.tokens, v], finished, logProb: h.logProb + lp, score: 0,
          attention: s.attention ? [...h.attention, s.attention[i]] : h.attention,
        };
        c.score = norm(c);
        candidates.push(c);
      });
    });
    candidates.sort((a, b) => b.score - a.score);
    beam = candidates.slice(0, k);
  }
  return beam.map(({ attention, ...h }) => (attention.length ? { ...h, attention } : h));
}

/**
 * Greedy decoding of many sources at once (validation): every prefix grows by one token per step,
 * so all share a length; a source's output stops at its first </s>. `maxLengths[b]` bounds source b.
 */
export function greedyBatch(model: SeqModel, xs: number[][][], maxLengths: number[], end?: number): { tokens: number[]; finished: boolean }[] {
  const out = xs.map(() => ({ tokens: [] as number[], finished: false }));
  const done = xs.map(() => false);
  const T = Math.max(...maxLengths);
  const written: number[][] = xs.map(() => []); // every prefix, including tokens after </s> (ignored)
  for (let t = 0; t < T && done.some((d) => !d); t++) {
    const s = nextStep(model, xs.map((x, b) => ({ x, y: written[b] })));
    s.logp.forEach((lp, b) => {
      const v = argmax(lp);
      written[b].push(v);
      if (done[b]) return;
      if (v === end) out[b].finished = done[b] = true;
      else out[b].tokens.push(v);
      if (out[b].tokens.length >= maxLengths[b]) done[b] = true;
    });
  }
  return out;
}

/**
 * The decoder's length limit for a source of S tokens: `decoder.maxLength` when the definition
 * sets one; else, with an end symbol, 2 S + 10 (at most 200); without one, `fixed` (the known
 * target length, e.g. a reversal writes as many tokens as it reads) or S.
 */
export function maxLengthFor(spec: ModelSpec, S: number, hasEnd: boolean, fixed?: number): number {
  if (spec.decoderMaxLength !== undefined) return spec.decoderMaxLength;
  if (!hasEnd) return fixed ?? S;
  return Math.min(200, 2 * S + 10);
}

export interface FreeRunning {
  exactMatch: number;
  tokenAccuracy: number;
  /** Corpus BLEU-4 in [0, 1], for word-level targets only. */
  bleu?: number;
}

/**
 * Free-running (greedy) metrics of an encoder-decoder over examples, in batches of `batchSize`
 * (see seqMetrics.ts). `between` is awaited between batches (yield, or throw to abandon).
 */
export async function freeRunning(
  model: SeqModel, set: Example[], opts: { batchSize?: number; between?: () => Promise<void> } = {},
): Promise<FreeRunning> {
  const end = model.data.endToken;
  const hasEnd = end !== undefined;
  const pairs: SeqPair[] = [];
  const bs = Math.max(1, opts.batchSize ?? 256);
  for (let i = 0; i < set.length; i += bs) {
    if (i > 0) await opts.between?.();
    const group = set.slice(i, i + bs);
    const refs = group.map((e) => e.y.map((v) => v[0]).filter((_, t, ys) => !(hasEnd && t === ys.length - 1 && ys[t] === end)));
    const limits = group.map((e, b) => maxLengthFor(model.spec, e.x.length, hasEnd, refs[b].length));
    const hyps = greedyBatch(model, group.map((e) => e.x), limits, end);
    // greedyBatch stops a source at </s>, or at its limit without one
    group.forEach((_, b) => pairs.push({ ref: refs[b], hyp: hyps[b].tokens, finished: hyps[b].finished }));
  }
  const words = model.data.tokenizer?.level === 'words';
  return {
    exactMatch: exactMatch(pairs, hasEnd),
    tokenAccuracy: tokenAccuracy(pairs, hasEnd),
    ...(words ? { bleu: corpusBleu(pairs) } : {}),
  };
}

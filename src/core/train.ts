/**
 * Training by backpropagation through time with tfjs autodiff.
 *
 * One optimizer step = forward over the (window of the) batch, loss, gradients of every
 * parameter, optional clipping (global norm or value), update. Nothing is read back from the
 * device between steps: the loss and gradient norm of each step stay on the device until
 * `runSteps` ends, then come back in one read, where a NaN/Inf is traced to its exact step.
 */
import * as tf from './tf';
import { SeqModel } from './model';
import type { Example, SeqData } from './data';
import type { ModelSpec } from './spec';
import type { CellState, GateName } from './cells';
import { Rng } from './rng';
import { readTokens } from './tokenize';
import { reportFor, type Collected, type EvaluationReport, type Split } from './evaluate';
import { assignStateDict, variablesToStateDict, type StateDict } from './torch';
import { clipGradNorm, clipGradValue, globalNorm, makeOptimizer, type SeqOptimizer } from './optim';
import type { OptimizerState, TrainerProgress } from './checkpoint';
import { freeRunning, type FreeRunning } from './decode';
import { PredictError, sampleText } from './predict';
import { LrSchedule, type ScheduleState } from './schedule';

export { sumAll } from './optim';
export type { TrainerProgress } from './checkpoint';

export interface MetricRow {
  step: number;
  loss: number;
  accuracy?: number;
  perplexity?: number;
  validLoss?: number;
  validAccuracy?: number;
  validPerplexity?: number;
  /**
   * encoder-decoder: free-running (greedy) validation metrics, the decoder fed its own outputs
   * (src/core/decode.ts, seqMetrics.ts); validLoss and validAccuracy stay teacher-forced.
   */
  validExactMatch?: number;
  validTokenAccuracy?: number;
  /** Corpus BLEU-4 in [0, 1] (word-level targets only). */
  validBleu?: number;
  /** Global gradient norm before clipping. */
  gradNorm?: number;
  /** The learning rate of the row's (last) step, after the schedule. */
  learningRate?: number;
  /** ms since training started. */
  elapsedMs: number;
}

export interface TraceLayer {
  layer: number;
  direction: 'forward' | 'backward';
  cell: 'rnn' | 'lstm' | 'gru';
  units: number;
  /** encoder-decoder: which stack the layer belongs to (the decoder's time axis is the output's). */
  name?: 'encoder' | 'decoder';
  /** [T][units] */
  h: number[][];
  c?: number[][];
  gates?: Partial<Record<GateName, number[][]>>;
  /** ||dL/dh_t|| of this layer and direction per t (time order), when the probe took gradients. */
  gradNorms?: number[];
}

export type Prediction =
  | { kind: 'classes'; tokens: string[]; probs: number[]; targets: string[] }
  | { kind: 'binary'; probs: number[]; labels: string[]; targets: number[] }
  | { kind: 'real'; predicted: number[][]; target: number[][] };

export interface ProbeResult {
  step: number;
  inputTokens: string[];
  layers: TraceLayer[];
  /** ||dL/dh_t|| of the top layer (forward direction; backward added when bidirectional) per t. */
  gradNorms?: number[];
  prediction: Prediction;
  loss: number;
  /**
   * encoder-decoder with attention: the weights a_ts, [target step t][source step s] (rows sum to
   * 1; the source axis is labelled by inputTokens, the target axis by the prediction's targets).
   */
  attention?: number[][];
}

export class DivergenceError extends Error {
  constructor(readonly step: number, message: string) {
    super(message);
    this.name = 'DivergenceError';
  }
}

export class DataShapeError extends Error {}

/** Trainer.evaluate: teacher-forced loss/accuracy/perplexity; an encoder-decoder's free-running metrics too. */
export interface Validation {
  loss: number;
  accuracy?: number;
  perplexity?: number;
  freeRunning?: FreeRunning;
}

/** The validation figures as MetricRow fields (validLoss, validAccuracy, ..., validExactMatch, validBleu). */
export function validationFields(v: Validation): Partial<MetricRow> {
  const row: Partial<MetricRow> = { validLoss: v.loss };
  if (v.accuracy !== undefined) row.validAccuracy = v.accuracy;
  if (v.perplexity !== undefined) row.validPerplexity = v.perplexity;
  const f = v.freeRunning;
  if (f) {
    row.validExactMatch = f.exactMatch;
    row.validTokenAccuracy = f.tokenAccuracy;
    if (f.bleu !== undefined) row.validBleu = f.bleu;
  }
  return row;
}

export interface EvaluateOptions {
  /** Examples per forward pass (default 256). */
  batchSize?: number;
  /** Awaited between batches: lets a caller yield to the event loop, or throw to abandon the evaluation. */
  between?: () => Promise<void>;
}

interface StepScalars {
  step: number;
  lr: number;
  values: tf.Tensor1D; // [loss, gradNorm]
}

export class Trainer {
  readonly model: SeqModel;
  readonly optimizer: SeqOptimizer;
  /** Optimizer steps done. */
  step = 0;
  /** Total optimizer steps planned (from steps, or epochs). */
  readonly totalSteps: number;
  private readonly rng: Rng;
  private readonly schedule: LrSchedule;
  private order: number[] = [];
  private cursor = 0;
  private pending: StepScalars[] = [];
  private lastAccuracy?: tf.Scalar;
  private started = Date.now();
  /** Truncated BPTT: the batch being walked window by window (indices into data.train), and the state carried between windows. */
  private tbptt?: { batch: number[]; offset: number; state?: CellState[] };

  constructor(readonly spec: ModelSpec, readonly data: SeqData) {
    if (data.train.length === 0) throw new DataShapeError('The data set has no training examples.');
    this.model = new SeqModel(spec, data);
    this.rng = new Rng(spec.training.seed + 7919);
    const t = spec.training;
    this.optimizer = makeOptimizer(spec, this.model.params);
    const windows = this.windowsPerBatch();
    this.totalSteps = t.epochs
      ? Math.max(1, Math.ceil((t.epochs * data.train.length) / this.batchSize) * windows)
      : t.steps;
    const sc = t.schedule;
    if (sc.type === 'cosine' && sc.warmupSteps >= this.totalSteps) {
      throw new DataShapeError(`training.schedule.warmupSteps (${sc.warmupSteps}) must be less than the run's ${this.totalSteps} steps${t.epochs ? ` (${t.epochs} epochs of ${data.train.length} examples)` : ''}: the cosine decay would never start.`);
    }
    this.schedule = new LrSchedule(t.learningRate, sc, this.totalSteps);
  }

  get batchSize(): number {
    return Math.min(this.spec.training.batchSize, this.data.train.length);
  }

  get done(): boolean {
    return this.step >= this.totalSteps;
  }

  /** The longest training sequence (examples may differ in length). */
  private get longest(): number {
    return this.data.train.reduce((m, e) => Math.max(m, e.x.length), 0);
  }

  private windowsPerBatch(): number {
    const T = this.longest;
    const w = this.spec.training.tbptt;
    return this.usesTbptt() ? Math.ceil(T / w) : 1;
  }

  /** Truncated BPTT applies when asked for (tbptt > 0) to many-to-many sequences longer than the window. */
  usesTbptt(): boolean {
    const w = this.spec.training.tbptt;
    return this.spec.structure === 'many-to-many' && w > 0 && w < this.longest;
  }

  /** The next batch's example indices: reshuffled (seeded) at the start of every pass. */
  private nextBatch(): number[] {
    const n = this.data.train.length;
    const out: number[] = [];
    for (let i = 0; i < this.batchSize; i++) {
      if (this.cursor >= this.order.length) {
        this.order = this.rng.shuffle(Array.from({ length: n }, (_, k) => k));
        this.cursor = 0;
      }
      out.push(this.order[this.cursor++]);
    }
    return out;
  }

  /**
   * One optimizer step, all on the device; nothing is read back. Its loss and gradient norm wait
   * for the next `readMetrics()`; `keepAccuracy` also keeps this step's batch accuracy for it.
   */
  trainStep(keepAccuracy = false): void {
    if (this.done) return;
    let examples: Example[];
    let init: CellState[] | undefined;
    if (this.usesTbptt()) {
      const w = this.spec.training.tbptt;
      // a batch is walked until its longest sequence ends; a shorter one's later windows are
      // empty (length 0: its carried state is kept, its targets weigh nothing)
      if (!this.tbptt || this.tbptt.offset >= Math.max(...this.tbptt.batch.map((i) => this.data.train[i].x.length))) {
        this.disposeCarry();
        this.tbptt = { batch: this.nextBatch(), offset: 0 };
      }
      const { offset } = this.tbptt;
      examples = this.tbptt.batch.map((i) => this.data.train[i]).map((e) => ({ x: e.x.slice(offset, offset + w), y: e.y.slice(offset, offset + w) }));
      init = this.tbptt.state;
    } else {
      examples = this.nextBatch().map((i) => this.data.train[i]);
    }
    const batch = this.model.makeBatch(examples);
    const stepNo = this.step + 1;
    const lr = this.learningRate;
    let carried: CellState[] | undefined;
    let accuracy: tf.Scalar | undefined;
    const t = this.spec.training;
    const scalars = tf.tidy(() => {
      const { value, grads } = tf.paramGrads(() => {
        const out = this.model.forward(batch, { training: true, dropoutSeed: stepNo * 31, init });
        if (this.tbptt) carried = out.final.map((s) => ({ h: tf.keep(s.h), c: s.c && tf.keep(s.c) }));
        if (keepAccuracy) {
          const a = this.model.accuracy(out.logits, batch.y, batch.mask);
          if (a) accuracy = tf.keep(a);
        }
        return this.model.loss(out.logits, batch.y, batch.mask);
      }, this.model.params);
      const norm = globalNorm(grads);
      const clipped =
        t.clip.type === 'norm' ? clipGradNorm(grads, norm, t.clip.threshold)
        : t.clip.type === 'value' ? clipGradValue(grads, t.clip.threshold)
        : grads;
      this.optimizer.apply(clipped, lr);
      return tf.stack([value, norm]) as tf.Tensor1D;
    });
    batch.dispose();
    if (this.tbptt) {
      this.disposeCarry();
      this.tbptt.state = carried;
      this.tbptt.offset += t.tbptt;
    }
    if (accuracy) {
      this.lastAccuracy?.dispose();
      this.lastAccuracy = accuracy;
    }
    this.step = stepNo;
    this.pending.push({ step: stepNo, lr, values: scalars });
  }

  private disposeCarry(): void {
    for (const s of this.tbptt?.state ?? []) tf.dispose([s.h, ...(s.c ? [s.c] : [])]);
    if (this.tbptt) this.tbptt.state = undefined;
  }

  /**
   * Run up to `n` optimizer steps (never past the planned total) and read their metrics back
   * once. Throws DivergenceError naming the first step whose loss or gradient was not finite.
   */
  async runSteps(n: number): Promise<MetricRow> {
    const todo = Math.max(0, Math.min(n, this.totalSteps - this.step));
    for (let i = 0; i < todo; i++) this.trainStep(i === todo - 1);
    return this.readMetrics();
  }

  /**
   * Read back the steps taken since the last read, in one transfer: the row of the latest step.
   * Throws DivergenceError naming the first step whose loss or gradient norm was not finite.
   */
  async readMetrics(): Promise<MetricRow> {
    const pending = this.pending;
    this.pending = [];
    let values: Float32Array | number[] = [];
    if (pending.length) {
      const all = tf.concat(pending.map((p) => p.values));
      values = (await all.data()) as Float32Array;
      all.dispose();
      pending.forEach((p) => p.values.dispose());
    }
    for (let i = 0; i < pending.length; i++) {
      const [loss, norm] = [values[2 * i], values[2 * i + 1]];
      if (!Number.isFinite(loss) || !Number.isFinite(norm)) throw this.divergence(pending[i].step, loss, norm);
    }
    const k = pending.length - 1;
    const row: MetricRow = { step: this.step, loss: NaN, elapsedMs: Date.now() - this.started };
    if (k >= 0) {
      row.loss = values[2 * k];
      row.gradNorm = values[2 * k + 1];
      row.learningRate = pending[k].lr;
      if (this.data.output.kind === 'classes' && this.data.generative) row.perplexity = Math.exp(row.loss);
    }
    if (this.lastAccuracy) {
      row.accuracy = (await this.lastAccuracy.data())[0];
      this.lastAccuracy.dispose();
      this.lastAccuracy = undefined;
    }
    return row;
  }

  private divergence(step: number, loss: number, norm: number): DivergenceError {
    const t = this.spec.training;
    const what = !Number.isFinite(loss)
      ? `the loss became ${loss}`
      : `the gradient norm became ${norm} (loss was ${loss.toPrecision(4)})`;
    const tips: string[] = [];
    if (t.clip.type === 'none') tips.push('clip gradients ("training": {"clip": {"type": "norm", "threshold": 1}})');
    else tips.push(`a tighter clip threshold (now ${t.clip.type} ${t.clip.threshold})`);
    tips.push(`a lower learning rate (now ${t.learningRate}; try ${t.learningRate / 10})`);
    if (this.spec.layers.some((l) => l.cell === 'rnn' && l.activation === 'relu')) tips.push('tanh instead of relu, or an LSTM/GRU cell');
    return new DivergenceError(
      step,
      `Training diverged at step ${step}: ${what}. Exploding gradients are the usual cause in recurrent nets. Try ${tips.join(', or ')}.`,
    );
  }

  /** Loss (and accuracy/perplexity) over the validation set, or the training set when there is none. */
  async evaluate(opts: EvaluateOptions = {}): Promise<Validation> {
    const set = this.data.valid.length ? this.data.valid : this.data.train;
    const bs = Math.max(1, Math.min(opts.batchSize ?? 256, set.length));
    const parts: tf.Tensor1D[] = [];
    const sizes: number[] = [];
    // examples of different lengths are evaluated in groups of equal lengths, weighted by target positions
    let first = true;
    for (const group of sameLengthBatches(set, bs)) {
      if (!first && opts.between) {
        try {
          await opts.between();
        } catch (e) {
          tf.dispose(parts);
          throw e;
        }
      }
      first = false;
      const batch = this.model.makeBatch(group);
      parts.push(tf.tidy(() => {
        const out = this.model.forward(batch);
        const acc = this.model.accuracy(out.logits, batch.y, batch.mask);
        return tf.stack([this.model.loss(out.logits, batch.y, batch.mask), acc ?? tf.scalar(NaN)]) as tf.Tensor1D;
      }));
      sizes.push(batch.rows); // each batch's means are over its target rows that count
      batch.dispose();
    }
    const all = tf.concat(parts);
    const v = await all.data();
    tf.dispose([all, ...parts]);
    let loss = 0;
    let acc = 0;
    sizes.forEach((s, i) => {
      loss += v[2 * i] * s;
      acc += v[2 * i + 1] * s;
    });
    const total = sizes.reduce((a, n) => a + n, 0);
    loss /= total;
    acc /= total;
    const classes = this.data.output.kind === 'classes';
    return {
      loss,
      accuracy: Number.isNaN(acc) ? undefined : acc,
      perplexity: classes && this.data.generative ? Math.exp(loss) : undefined,
      // an encoder-decoder is also judged writing on its own (loss and accuracy above are teacher-forced)
      ...(this.spec.structure === 'encoder-decoder' && classes && set.length ? { freeRunning: await freeRunning(this.model, set, opts) } : {}),
    };
  }

  /**
   * Run the model over `set` (no training) and collect, position by position, the true and
   * predicted classes (argmax; binary: p > 0.5) or values, and the mean loss per target position.
   * Examples are batched with others of the same lengths.
   */
  async collect(set: Example[]): Promise<Collected> {
    const real = this.data.output.kind === 'real';
    const truth: number[] = [];
    const pred: number[] = [];
    const truthValues: number[][] = [];
    const predValues: number[][] = [];
    let lossSum = 0;
    let rows = 0;
    for (const group of sameLengthBatches(set, 256)) {
      const batch = this.model.makeBatch(group);
      const [loss, probs] = tf.tidy(() => {
        const out = this.model.forward(batch);
        return [this.model.loss(out.logits, batch.y), this.model.activate(out.logits)] as const;
      });
      const p = (await probs.array()) as number[][];
      const l = (await loss.data())[0];
      tf.dispose([loss, probs]);
      batch.dispose();
      const { B, Tout } = batch;
      lossSum += l * Tout * B;
      rows += Tout * B;
      // rows are time-major: row t * B + b
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < Tout; t++) {
          const y = group[b].y[t];
          const row = p[t * B + b];
          if (real) {
            truthValues.push(y);
            predValues.push(row);
          } else if (this.data.output.kind === 'classes') {
            truth.push(y[0]);
            pred.push(row.reduce((bi, v, i) => (v > row[bi] ? i : bi), 0));
          } else {
            truth.push(y[0] > 0.5 ? 1 : 0);
            pred.push(row[0] > 0.5 ? 1 : 0);
          }
        }
      }
    }
    const loss = rows ? lossSum / rows : NaN;
    return real
      ? { examples: set.length, loss, truthValues, predValues }
      : { examples: set.length, loss, truth: Int32Array.from(truth), pred: Int32Array.from(pred) };
  }

  /**
   * The evaluation that fits the task (see evaluate.ts) on the test split when the data has one,
   * else on the validation set, else on the training set.
   */
  async report(split?: Split): Promise<EvaluationReport> {
    const which: Split = split ?? (this.data.test?.length ? 'test' : this.data.valid.length ? 'validation' : 'training');
    const set = which === 'test' ? this.data.test ?? [] : which === 'validation' ? this.data.valid : this.data.train;
    const r = reportFor(this.data, await this.collect(set), which);
    if (r.kind === 'language' && this.spec.structure === 'encoder-decoder' && set.length) r.freeRunning = await freeRunning(this.model, set);
    return r;
  }

  /** Turn a typed probe string into an example (token tasks: x = s[:-1], y = s[1:] for generators). */
  /**
   * Token ids of typed text: with the data's tokenizer (data from files; unknown tokens read as
   * <unk>), else words when the vocabulary has words, characters otherwise.
   */
  tokenIds(text: string): number[] {
    const inp = this.data.input;
    if (inp.kind !== 'tokens') throw new DataShapeError('Only token tasks take a typed probe.');
    try {
      return readTokens(text, inp.vocab, this.data.tokenizer).ids;
    } catch (e) {
      throw new DataShapeError(`${(e as Error).message}.`);
    }
  }

  exampleFromText(text: string): Example {
    const ids = this.tokenIds(text);
    if (this.data.generative) {
      if (ids.length < 2) throw new DataShapeError('Type at least two characters.');
      return { x: ids.slice(0, -1).map((i) => [i]), y: ids.slice(1).map((i) => [i]) };
    }
    const ref = this.data.valid[0] ?? this.data.train[0];
    if (this.spec.structure === 'one-to-many' && ids.length !== ref.x.length) {
      throw new DataShapeError(`This task's sequences have ${ref.x.length} tokens; the probe has ${ids.length}.`);
    }
    const zeroY = ref.y.map((v) => v.map(() => 0));
    return { x: ids.map((i) => [i]), y: this.spec.structure === 'many-to-many' ? ids.map(() => zeroY[0]) : zeroY };
  }

  /**
   * Hidden states, cell states and gates of every layer for one sequence, the prediction,
   * and optionally ||dL/dh_t|| per timestep: of every layer and direction (the unrolled view),
   * and of the top layer (directions together): the vanishing/exploding view. dL/dh_t is the
   * gradient with respect to a zero added to h_t, so it counts every path from h_t to the loss
   * (through h_{t+1} and through the layer above). An encoder-decoder's decoder with Bahdanau
   * attention runs step by step without that hook: its layers have no gradNorms.
   */
  async probe(example?: Example | string, opts: { gradients?: boolean } = {}): Promise<ProbeResult> {
    const ex = typeof example === 'string' ? this.exampleFromText(example) : example ?? this.data.valid[0] ?? this.data.train[0];
    const batch = this.model.makeBatch([ex]);
    const top = this.model.stack.layers.length - 1;
    const T = this.spec.structure === 'one-to-many' ? ex.y.length : ex.x.length;
    // a zero per layer, direction and step (processing order), keyed as the traces number layers
    const inject = new Map<string, tf.Tensor2D[]>();
    if (opts.gradients) {
      const stacks = [{ stack: this.model.stack, from: 0, steps: T }];
      if (this.model.decoder && this.model.attention?.type !== 'bahdanau') stacks.push({ stack: this.model.decoder, from: top + 1, steps: ex.y.length });
      for (const { stack, from, steps } of stacks) {
        stack.layers.forEach((l, k) => {
          for (const d of l.bidirectional ? ['forward', 'backward'] : ['forward']) {
            inject.set(`${from + k}:${d}`, Array.from({ length: steps }, () => tf.zeros([1, l.units]) as tf.Tensor2D));
          }
        });
      }
    }
    const injected = [...inject.values()].flat();
    const meta: Omit<TraceLayer, 'h' | 'c' | 'gates' | 'gradNorms'>[] = [];
    const encoderLayers = this.spec.structure === 'encoder-decoder' ? this.model.stack.layers.length : undefined;
    interface ProbeTensors { loss: tf.Scalar; probs: tf.Tensor2D; gradNorm?: tf.Tensor1D; layerGradNorms: Record<string, tf.Tensor1D>; h: tf.Tensor[]; c: (tf.Tensor | null)[]; gates: Record<string, tf.Tensor>[]; attention?: tf.Tensor2D }
    const res = tf.tidy(() => {
      let gradNorm: tf.Tensor1D | undefined;
      const layerGradNorms: Record<string, tf.Tensor1D> = {};
      if (opts.gradients) {
        const f = () => this.model.loss(this.model.forward(batch, { inject }).logits, batch.y, batch.mask);
        const g = tf.grads(() => f())(injected) as tf.Tensor2D[];
        // ||dL/dh_t||^2 per layer and direction, in time order (a backward direction's step t is time T-1-t)
        const squares: Record<string, tf.Tensor1D> = {};
        let at = 0;
        for (const [key, zeros] of inject) {
          const perStep = g.slice(at, at + zeros.length).map((x) => tf.sum(tf.square(x)));
          at += zeros.length;
          squares[key] = tf.stack(key.endsWith(':backward') ? perStep.reverse() : perStep) as tf.Tensor1D;
          layerGradNorms[key] = tf.sqrt(squares[key]!) as tf.Tensor1D;
        }
        // the top layer, per t: sqrt(sum over directions of ||dL/dh_t||^2)
        gradNorm = tf.sqrt(tf.addN(Object.keys(squares).filter((k) => k.startsWith(`${top}:`)).map((k) => squares[k]!))) as tf.Tensor1D;
      }
      const out = this.model.forward(batch, { trace: true });
      const traces = out.traces!;
      for (const l of traces) {
        meta.push({ layer: l.layer, direction: l.direction, cell: l.cell, units: l.units, ...(encoderLayers !== undefined ? { name: l.layer < encoderLayers ? 'encoder' : 'decoder' } : {}) });
      }
      const r: ProbeTensors = {
        layerGradNorms,
        loss: this.model.loss(out.logits, batch.y, batch.mask),
        probs: this.model.activate(out.logits),
        h: traces.map((l) => tf.squeeze(l.h, [1])),
        c: traces.map((l) => (l.c ? tf.squeeze(l.c, [1]) : null)),
        gates: traces.map((l) => Object.fromEntries(Object.entries(l.gates).map(([k, v]) => [k, tf.squeeze(v, [1])]))),
      };
      if (gradNorm) r.gradNorm = gradNorm;
      if (out.attention) r.attention = tf.squeeze(out.attention, [0]) as tf.Tensor2D; // [Tout, Tin]
      return r as unknown as tf.TensorContainer;
    }) as unknown as ProbeTensors;
    batch.dispose();
    tf.dispose(injected);
    const layers: TraceLayer[] = [];
    for (let i = 0; i < meta.length; i++) {
      const gates: Partial<Record<GateName, number[][]>> = {};
      for (const [k, v] of Object.entries(res.gates[i])) gates[k as GateName] = (await v.array()) as number[][];
      const c = res.c[i];
      const dh = res.layerGradNorms[`${meta[i].layer}:${meta[i].direction}`];
      layers.push({
        ...meta[i],
        h: (await res.h[i].array()) as number[][],
        c: c ? ((await c.array()) as number[][]) : undefined,
        gates: Object.keys(gates).length ? gates : undefined,
        ...(dh ? { gradNorms: Array.from(await dh.data()) } : {}),
      });
    }
    const probs = (await res.probs.array()) as number[][];
    const loss = (await res.loss.data())[0];
    const gradNorms = res.gradNorm ? Array.from(await res.gradNorm.data()) : undefined;
    const attention = res.attention ? ((await res.attention.array()) as number[][]) : undefined;
    tf.dispose(res as unknown as tf.TensorContainer);
    return {
      step: this.step, inputTokens: this.inputTokens(ex), layers, gradNorms, prediction: this.prediction(probs, ex), loss,
      ...(attention ? { attention } : {}),
    };
  }

  private inputTokens(ex: Example): string[] {
    const inp = this.data.input;
    const toks = inp.kind === 'tokens' ? ex.x.map((v) => inp.vocab[v[0]]) : ex.x.map((_, t) => `t${t}`);
    if (this.spec.structure === 'one-to-many') while (toks.length < ex.y.length) toks.push('·');
    return toks;
  }

  private prediction(probs: number[][], ex: Example): Prediction {
    const o = this.data.output;
    if (o.kind === 'classes') {
      const best = probs.map((p) => p.reduce((bi, v, i) => (v > p[bi] ? i : bi), 0));
      return { kind: 'classes', tokens: best.map((i) => o.classes[i]), probs: best.map((i, t) => probs[t][i]), targets: ex.y.map((v) => o.classes[v[0]]) };
    }
    if (o.kind === 'binary') return { kind: 'binary', probs: probs.map((p) => p[0]), labels: o.labels, targets: ex.y.map((v) => v[0]) };
    return { kind: 'real', predicted: probs, target: ex.y };
  }

  /** Sample text from a next-token model, temperature-scaled (src/core/predict.ts sampleText). */
  async sample(opts: { prefix?: string; length: number; temperature: number; seed?: number }): Promise<string> {
    try {
      return await sampleText(this.model, this.data, { ...opts, seed: opts.seed ?? this.step + 1 });
    } catch (e) {
      if (e instanceof PredictError) throw new DataShapeError(e.message);
      throw e;
    }
  }

  /** The learning rate the next optimizer step uses (the schedule's rate at this step). */
  get learningRate(): number {
    return this.schedule.rate(this.step);
  }

  /** Tell the schedule a validation loss (reduce-on-plateau acts on it; call after each validation). */
  observeValidation(loss: number): void {
    this.schedule.observe(loss);
  }

  /** What the learning-rate schedule carries between steps (reduce-on-plateau's rate and counters), for resume. */
  scheduleState(): ScheduleState {
    return this.schedule.getState();
  }

  loadScheduleState(s: ScheduleState): void {
    this.schedule.setState(s);
  }

  /** The optimizer's slots and step count (saved with the weights so that a run can resume exactly). */
  optimizerState(): Promise<OptimizerState> {
    return this.optimizer.getState();
  }

  /** Restore what optimizerState() returned; throws a clear error when it does not fit this run. */
  loadOptimizerState(s: OptimizerState): void {
    this.optimizer.setState(s);
  }

  stateDict(): Promise<StateDict> {
    return variablesToStateDict(this.model.params);
  }

  /** Where the run is (step, data order, RNG, truncated-BPTT carry): see TrainerProgress. Call after readMetrics(). */
  async progress(): Promise<TrainerProgress> {
    const p: TrainerProgress = {
      step: this.step, rng: this.rng.state, order: this.order.slice(), cursor: this.cursor, elapsedMs: Date.now() - this.started,
    };
    const sched = this.schedule.getState();
    p.schedule = { ...sched, best: Number.isFinite(sched.best) ? sched.best : null };
    if (this.tbptt) {
      const state = [];
      for (const s of this.tbptt.state ?? []) {
        state.push({
          h: { shape: s.h.shape.slice(), data: Array.from(await s.h.data()) },
          ...(s.c ? { c: { shape: s.c.shape.slice(), data: Array.from(await s.c.data()) } } : {}),
        });
      }
      p.tbptt = { batch: this.tbptt.batch.slice(), offset: this.tbptt.offset, ...(this.tbptt.state ? { state } : {}) };
    }
    return p;
  }

  /** Continue from a saved progress (the weights and optimizer state are loaded separately). */
  restoreProgress(p: TrainerProgress): void {
    const n = this.data.train.length;
    const bad = (why: string) => new DataShapeError(`The checkpoint does not fit this data set: ${why}.`);
    if (!Number.isInteger(p.step) || p.step < 0) throw bad(`step ${p.step}`);
    if (p.order.length && p.order.length !== n) throw bad(`its data order has ${p.order.length} examples, the data set ${n}`);
    if (p.order.some((i) => !Number.isInteger(i) || i < 0 || i >= n) || p.cursor < 0 || p.cursor > p.order.length) throw bad('the data order is out of range');
    if (p.tbptt?.batch.some((i) => !Number.isInteger(i) || i < 0 || i >= n)) throw bad('the truncated-BPTT batch is out of range');
    this.step = p.step;
    this.rng.state = p.rng;
    this.order = p.order.slice();
    this.cursor = p.cursor;
    this.started = Date.now() - p.elapsedMs;
    if (p.schedule) this.schedule.setState({ ...p.schedule, best: p.schedule.best ?? Infinity });
    this.disposeCarry();
    this.tbptt = undefined;
    if (p.tbptt) {
      const state = p.tbptt.state?.map((s) => ({
        h: tf.tensor2d(Float32Array.from(s.h.data), s.h.shape as [number, number]),
        ...(s.c ? { c: tf.tensor2d(Float32Array.from(s.c.data), s.c.shape as [number, number]) } : {}),
      }));
      this.tbptt = { batch: p.tbptt.batch.slice(), offset: p.tbptt.offset, ...(state ? { state } : {}) };
    }
  }

  loadStateDict(sd: StateDict): void {
    assignStateDict(this.model.params, sd);
  }

  dispose(): void {
    this.pending.forEach((p) => p.values.dispose());
    this.pending = [];
    this.lastAccuracy?.dispose();
    this.disposeCarry();
    this.optimizer.dispose();
    this.model.dispose();
  }
}

/** `set` in batches of at most `max` examples that share their input and target lengths (first-seen order). */
export function sameLengthBatches(set: Example[], max: number): Example[][] {
  const groups = new Map<string, Example[]>();
  for (const e of set) {
    const k = `${e.x.length}:${e.y.length}`;
    const g = groups.get(k);
    if (g) g.push(e);
    else groups.set(k, [e]);
  }
  const out: Example[][] = [];
  for (const g of groups.values()) for (let i = 0; i < g.length; i += max) out.push(g.slice(i, i + max));
  return out;
}

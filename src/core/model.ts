/**
 * A sequence model built from a ModelSpec: input encoding (one-hot or embedding, optional
 * position feature), one or two recurrent stacks, and a dense head, wired for the structure:
 *
 *   many-to-many     x_1..x_T  -> y_1..y_T        (tagging, next character)
 *   many-to-one      x_1..x_T  -> y               (sentiment, adding problem)
 *   one-to-many      x         -> y_1..y_T        (x fed at t = 1, zeros after: generation)
 *   encoder-decoder  x_1..x_S  -> y_1..y_T        (the encoder's final state starts the decoder,
 *                                                   which is fed <start>, y_1, ..., y_{T-1};
 *                                                   optionally with attention over the encoder's
 *                                                   outputs, src/core/attention.ts)
 *
 * A bidirectional encoder layer has two final states, forward (after x_S) and backward (after
 * x_1); the bridge turns them into the matching decoder layer's initial state:
 *   linear (default):  h0 = tanh(W_h [h_fwd; h_bwd] + b_h),  c0 = W_c [c_fwd; c_bwd] + b_c (LSTM)
 *                      as torch.nn.Linear(2H, H) modules `bridge.h_l{k}`, `bridge.c_l{k}`
 *   sum:               h0 = h_fwd + h_bwd,  c0 = c_fwd + c_bwd       (no parameters)
 *
 * Parameter names follow PyTorch modules: `embedding.weight`, `rnn.weight_ih_l0`,
 * `rnn.weight_hh_l0_reverse`, `head.weight` [O, D], `head.bias`; encoder-decoder uses
 * `encoder.*`, `decoder.*` and `decoder_embedding.weight`. Everything runs time-major.
 */
import * as tf from './tf';
import { RecurrentStack, directions, type LayerTrace, type RunResult } from './recurrent';
import { Attention } from './attention';
import type { CellState } from './cells';
import type { Example, SeqData } from './data';
import { inputWidth, outputWidth } from './data';
import type { LayerSpec, ModelSpec } from './spec';
import { Rng } from './rng';

/**
 * A batch in device tensors, time-major (row t * B + b). Examples of different lengths are padded
 * at the end to the longest (zeros: a one-hot row of zeros, real features 0), and each keeps its
 * own length: the recurrence runs each sequence over its own steps only (PyTorch's packed
 * sequences, see recurrent.ts) and padded targets weigh nothing in the loss and the metrics.
 */
export interface Batch {
  B: number;
  Tin: number;
  Tout: number;
  /**
   * Steps of each sequence for the stack that reads x (the input lengths; one-to-many: the target
   * lengths, which its recurrence runs over). Absent when every example has the full length.
   */
  lengths?: number[];
  /** encoder-decoder: each target's length (the decoder's steps). Absent when all are Tout. */
  targetLengths?: number[];
  /** Which target rows count: absent when all do. */
  mask?: TargetMask;
  /** Number of target rows that count (Tout * B without padding). */
  rows: number;
  /** Encoded input [Tin, B, F]: one-hot or real features (+ position); embedding lookups multiply the one-hot rows. */
  x: tf.Tensor;
  /** Targets [Tout * B, O]: one-hot classes, 0/1 labels, or real values. */
  y: tf.Tensor2D;
  /** encoder-decoder: decoder inputs (teacher forcing), encoded like x. */
  dec?: tf.Tensor;
  dispose(): void;
}

/** Weights of the target rows: w [Tout * B, 1] is 1 for a real target, 0 for padding; rows = sum(w). */
export interface TargetMask {
  w: tf.Tensor2D;
  rows: number;
}

export interface ForwardOptions {
  training?: boolean;
  dropoutSeed?: number;
  trace?: boolean;
  /** Initial states for the (first) stack, PyTorch h_0 order; used by truncated BPTT and sampling. */
  init?: CellState[];
  /**
   * Zero tensors added to h_t (gradient probe: dL/dh_t is the gradient with respect to them), keyed
   * `${layer}:${direction}`, in each direction's processing order; layers numbered as the traces
   * number them (an encoder-decoder's decoder layers after the encoder's).
   */
  inject?: Map<string, tf.Tensor2D[]>;
}

export interface ForwardResult {
  /** Pre-activation outputs [Tout * B, O]. */
  logits: tf.Tensor2D;
  /** Final states of the stack that read x (carried across truncated-BPTT windows). */
  final: CellState[];
  traces?: LayerTrace[];
  /** encoder-decoder with attention: a_t over the source, batch-major [B, Tout, Tin] (0 on padding). */
  attention?: tf.Tensor3D;
}

export class SeqModel {
  readonly params = new Map<string, tf.Variable>();
  readonly stack: RecurrentStack;
  readonly decoder?: RecurrentStack;
  readonly attention?: Attention;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly tokens: boolean;
  private readonly featureWidth: number;
  private readonly rng: Rng;
  private randomStateSeed = 1;

  constructor(readonly spec: ModelSpec, readonly data: SeqData, seed = spec.training.seed) {
    this.rng = new Rng(seed);
    this.tokens = data.input.kind === 'tokens';
    this.inputSize = inputWidth(data);
    this.outputSize = outputWidth(data);
    const embed = spec.input.encoding === 'embedding';
    if (embed && !this.tokens) throw new Error('An embedding needs token inputs; this task has real-valued inputs.');
    const pos = spec.input.positionFeature ? 1 : 0;
    this.featureWidth = (embed ? spec.input.embeddingSize : this.inputSize) + pos;
    const ed = spec.structure === 'encoder-decoder';
    if (embed) this.addEmbedding('embedding', this.inputSize);
    this.stack = this.addStack(ed ? 'encoder' : 'rnn', this.featureWidth, spec.layers);
    let attentionInput = 0;
    if (ed) {
      const dl = spec.decoderLayers.length ? spec.decoderLayers : spec.layers.map((l) => ({ ...l, bidirectional: false }));
      checkDecoderFits(spec.layers, dl);
      const decIn = outputWidth(data);
      if (embed) this.addEmbedding('decoder_embedding', decIn);
      // bahdanau feeds the context c_t (the encoder's output width) beside the token
      attentionInput = spec.attention === 'bahdanau' ? this.stack.outputSize : 0;
      this.decoder = this.addStack('decoder', (embed ? spec.input.embeddingSize : decIn) + pos + attentionInput, dl);
    }
    const top = this.decoder ?? this.stack;
    const D = top.outputSize;
    const bound = 1 / Math.sqrt(D); // torch.nn.Linear's default init bound
    this.addParam('head.weight', [this.outputSize, D], () => this.rng.uniform(-bound, bound));
    this.addParam('head.bias', [this.outputSize], () => this.rng.uniform(-bound, bound));
    if (spec.initialState === 'learned') {
      for (const s of [this.stack, ...(this.decoder && !ed ? [this.decoder] : [])]) {
        s.layers.forEach((l, k) => {
          for (let d = 0; d < directions(l); d++) {
            const suffix = `_l${k}${d ? '_reverse' : ''}`;
            this.addParam(s.paramName(`h0${suffix}`), [l.units], () => 0);
            if (l.cell === 'lstm') this.addParam(s.paramName(`c0${suffix}`), [l.units], () => 0);
          }
        });
      }
    }
    // after every older parameter, so that models without them initialise exactly as before
    const linear = (name: string, shape: number[], fanIn: number) => {
      const b = 1 / Math.sqrt(fanIn); // torch.nn.Linear: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias
      return this.addParam(name, shape, () => this.rng.uniform(-b, b));
    };
    if (ed && spec.attention) this.attention = new Attention(spec.attention, this.stack.outputSize, this.decoder!.layers[this.decoder!.layers.length - 1].units, linear);
    if (ed && this.bridge === 'linear') {
      spec.layers.forEach((l, k) => {
        if (!l.bidirectional) return;
        for (const s of l.cell === 'lstm' ? ['h', 'c'] : ['h']) {
          linear(`bridge.${s}_l${k}.weight`, [l.units, 2 * l.units], 2 * l.units);
          linear(`bridge.${s}_l${k}.bias`, [l.units], 2 * l.units);
        }
      });
    }
  }

  /** How a bidirectional encoder starts the decoder (undefined when no encoder layer is bidirectional). */
  get bridge(): 'linear' | 'sum' | undefined {
    if (this.spec.structure !== 'encoder-decoder' || !this.spec.layers.some((l) => l.bidirectional)) return undefined;
    return this.spec.bridge ?? 'linear';
  }

  private addParam(name: string, shape: number[], init: () => number): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = init();
    const v = tf.tidy(() => tf.parameter(tf.tensor(data, shape), name));
    this.params.set(name, v);
    return v;
  }

  private addEmbedding(name: string, vocab: number): void {
    // torch.nn.Embedding: N(0, 1)
    this.addParam(`${name}.weight`, [vocab, this.spec.input.embeddingSize], () => this.rng.normal());
  }

  private addStack(prefix: string, inputSize: number, layers: LayerSpec[]): RecurrentStack {
    const s = new RecurrentStack(prefix, inputSize, layers, new Rng(this.rng.fork()));
    for (const [k, v] of s.params) this.params.set(k, v);
    return s;
  }

  get parameterCount(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  /**
   * Parameters of each recurrent layer (both directions, and its learned h0/c0), numbered as the
   * traces number them (an encoder-decoder's decoder layers after the encoder's), and of the head:
   * read from the parameters themselves by their PyTorch names (`<stack>.<name>_l<k>[_reverse]`).
   */
  layerParameterCounts(): { layers: { layer: number; stack: string; params: number }[]; head: number } {
    const stacks = [this.stack, ...(this.decoder ? [this.decoder] : [])];
    const layers: { layer: number; stack: string; params: number }[] = [];
    let offset = 0;
    for (const s of stacks) {
      s.layers.forEach((_, k) => layers.push({ layer: offset + k, stack: s.prefix, params: 0 }));
      const first = layers.length - s.layers.length;
      for (const [name, v] of this.params) {
        const m = name.startsWith(`${s.prefix}.`) ? /_l(\d+)(_reverse)?$/.exec(name) : null;
        if (m) layers[first + Number(m[1])]!.params += v.size;
      }
      offset += s.layers.length;
    }
    const head = (this.params.get('head.weight')?.size ?? 0) + (this.params.get('head.bias')?.size ?? 0);
    return { layers, head };
  }

  /** Encode examples into device tensors, padding them to the longest (see Batch). */
  makeBatch(examples: Example[]): Batch {
    const B = examples.length;
    const ed = this.spec.structure === 'encoder-decoder';
    const inLen = examples.map((e) => e.x.length);
    const outLen = examples.map((e) => e.y.length);
    const Tin = Math.max(...inLen);
    const Tout = Math.max(...outLen);
    if (Tout === 0) throw new Error('A batch needs at least one target step.');
    if (this.spec.structure === 'many-to-many' && examples.some((e) => e.x.length !== e.y.length)) {
      throw new Error('many-to-many: every example needs as many targets as inputs.');
    }
    const varies = (ls: number[], T: number) => (ls.some((n) => n !== T) ? ls : undefined);
    const x = this.encode(examples.map((e) => e.x), this.tokens, this.inputSize, Tin);
    const O = this.outputSize;
    const yData = new Float32Array(Tout * B * O);
    const classes = this.data.output.kind === 'classes';
    for (let t = 0; t < Tout; t++) {
      for (let b = 0; b < B; b++) {
        if (t >= outLen[b]) continue; // padding: a zero row, which adds nothing to loss or gradient
        const row = (t * B + b) * O;
        const v = examples[b].y[t];
        if (classes) yData[row + v[0]] = 1;
        else for (let o = 0; o < O; o++) yData[row + o] = v[o];
      }
    }
    const y = tf.tensor2d(yData, [Tout * B, O]);
    let mask: TargetMask | undefined;
    const rows = outLen.reduce((a, n) => a + n, 0);
    if (varies(outLen, Tout)) {
      const w = new Float32Array(Tout * B);
      for (let t = 0; t < Tout; t++) for (let b = 0; b < B; b++) w[t * B + b] = t < outLen[b] ? 1 : 0;
      mask = { w: tf.tensor2d(w, [Tout * B, 1]), rows };
    }
    let dec: tf.Tensor | undefined;
    if (ed) {
      const start = this.data.startToken ?? 0;
      dec = this.encode(examples.map((e) => [[start], ...e.y.slice(0, -1)]), true, O, Tout);
    }
    const lengths = this.spec.structure === 'one-to-many' ? varies(outLen, Tout) : varies(inLen, Tin);
    return {
      B, Tin, Tout, x, y, dec, mask, rows, lengths,
      targetLengths: ed ? varies(outLen, Tout) : undefined,
      dispose: () => tf.dispose([x, y, ...(dec ? [dec] : []), ...(mask ? [mask.w] : [])]),
    };
  }

  /**
   * Float inputs are built here from Float32Arrays (never tf.cast(int) -> float followed by a
   * transpose: tfjs-backend-webgpu 4.22 corrupts that; see shared/notes/tfjs-webgpu-facts.md).
   * Sequences shorter than T are padded with zero rows; the position feature is t / (n - 1) for a
   * sequence of n steps.
   */
  private encode(seqs: number[][][], tokens: boolean, width: number, T: number): tf.Tensor {
    const B = seqs.length;
    const pos = this.spec.input.positionFeature ? 1 : 0;
    const F = width + pos;
    const data = new Float32Array(T * B * F);
    for (let b = 0; b < B; b++) {
      const n = seqs[b].length;
      for (let t = 0; t < n; t++) {
        const o = (t * B + b) * F;
        const v = seqs[b][t];
        if (tokens) data[o + v[0]] = 1;
        else for (let f = 0; f < width; f++) data[o + f] = v[f];
        if (pos) data[o + width] = n > 1 ? t / (n - 1) : 0;
      }
    }
    return tf.tensor3d(data, [T, B, F]);
  }

  /**
   * Embedding lookup as a matmul of the one-hot rows with the table: exact, differentiable on
   * every backend (the wasm backend has no gradient kernel for gather), and no int tensors.
   * [T, B, V (+1)] -> [T, B, E (+1)]
   */
  private embed(onehot: tf.Tensor, table: string): tf.Tensor3D {
    const [T, B, F] = onehot.shape as [number, number, number];
    const pos = this.spec.input.positionFeature;
    const V = pos ? F - 1 : F;
    const rows = tf.reshape(onehot, [T * B, F]) as tf.Tensor2D;
    const ids = pos ? (tf.slice(rows, [0, 0], [-1, V]) as tf.Tensor2D) : rows;
    let out = tf.matMul(ids, this.params.get(table)! as tf.Tensor2D);
    if (pos) out = tf.concat([out, tf.slice(rows, [0, V], [-1, 1])], 1);
    return tf.reshape(out, [T, B, -1]) as tf.Tensor3D;
  }

  private initialStates(stack: RecurrentStack, B: number, given?: CellState[]): (CellState | undefined)[] | undefined {
    if (given) return given;
    const mode = this.spec.initialState;
    if (mode === 'zeros') return undefined;
    const out: CellState[] = [];
    stack.layers.forEach((l, k) => {
      for (let d = 0; d < directions(l); d++) {
        const suffix = `_l${k}${d ? '_reverse' : ''}`;
        const lstm = l.cell === 'lstm';
        if (mode === 'learned') {
          const p = (n: string) => tf.tile(tf.reshape(this.params.get(stack.paramName(n + suffix))!, [1, l.units]), [B, 1]) as tf.Tensor2D;
          out.push({ h: p('h0'), c: lstm ? p('c0') : undefined });
        } else {
          const r = () => tf.randomNormal([B, l.units], 0, 0.1, 'float32', this.randomStateSeed++) as tf.Tensor2D;
          out.push({ h: r(), c: lstm ? r() : undefined });
        }
      }
    });
    return out;
  }

  forward(batch: Batch, opts: ForwardOptions = {}): ForwardResult {
    const { B, Tin, Tout } = batch;
    const embed = this.spec.input.encoding === 'embedding';
    let x = embed ? this.embed(batch.x, 'embedding.weight') : (batch.x as tf.Tensor3D);
    const structure = this.spec.structure;
    if (structure === 'one-to-many' && Tout > Tin) {
      // the single input at t = 1, zeros afterwards
      x = tf.concat([x, tf.zeros([Tout - Tin, B, x.shape[2]])], 0);
    }
    const run = (s: RecurrentStack, input: tf.Tensor3D, init: (CellState | undefined)[] | undefined, lengths: number[] | undefined, inject = opts.inject): RunResult =>
      s.run(input, { init, training: opts.training, dropoutSeed: opts.dropoutSeed, trace: opts.trace, inject, lengths });
    const r = run(this.stack, x, this.initialStates(this.stack, B, opts.init), batch.lengths);
    let features: tf.Tensor2D;
    let traces = r.traces;
    let attention: tf.Tensor3D | undefined;
    if (structure === 'encoder-decoder') {
      const decIn = embed ? this.embed(batch.dec!, 'decoder_embedding.weight') : (batch.dec as tf.Tensor3D);
      const init = this.bridgeStates(r.final);
      let d: { output: tf.Tensor3D; traces?: LayerTrace[] };
      if (this.attention?.type === 'bahdanau') {
        const a = this.additiveDecode(decIn, init, r.output, batch.lengths, opts);
        d = a;
        attention = a.weights;
      } else {
        // only the decoder's own injections (an undefined argument would take run's default, the encoder's)
        d = run(this.decoder!, decIn, init, batch.targetLengths, this.decoderInject(opts.inject) ?? new Map());
        if (this.attention) {
          // luong: the decoder's outputs o_t [B, T, Hd] attend to the encoder's K [B, S, Hk]
          const keys = this.attention.prepare(tf.transpose(r.output, [1, 0, 2]) as tf.Tensor3D, batch.lengths);
          const m = this.attention.multiplicative(tf.transpose(d.output, [1, 0, 2]) as tf.Tensor3D, keys);
          d = { ...d, output: tf.transpose(m.out, [1, 0, 2]) as tf.Tensor3D };
          attention = m.weights;
        }
      }
      features = tf.reshape(d.output, [Tout * B, -1]);
      if (traces && d.traces) traces = [...traces, ...d.traces.map((t) => ({ ...t, layer: t.layer + this.stack.layers.length }))];
    } else if (structure === 'many-to-one') {
      features = this.lastFeatures(r);
    } else {
      features = tf.reshape(r.output, [r.output.shape[0] * B, -1]);
    }
    const p = this.spec.head.dropout;
    if (opts.training && p > 0) {
      // head dropout: on the features the head reads (torch.nn.Dropout(p) before the Linear); the seed
      // offset 17 stays clear of the layers' (dropoutSeed + k, k < 16)
      features = tf.dropout(features, p, undefined, (opts.dropoutSeed ?? 0) + 17) as tf.Tensor2D;
    }
    const logits = tf.add(tf.matMul(features, this.params.get('head.weight')!, false, true), this.params.get('head.bias')!) as tf.Tensor2D;
    return { logits, final: r.final, traces, attention };
  }

  /** The decoder's part of an injection map (layers numbered after the encoder's), keyed by its own layers. */
  private decoderInject(inject: Map<string, tf.Tensor2D[]> | undefined): Map<string, tf.Tensor2D[]> | undefined {
    if (!inject) return undefined;
    const n = this.stack.layers.length;
    const out = new Map<string, tf.Tensor2D[]>();
    for (const [key, v] of inject) {
      const [layer, dir] = key.split(':');
      if (Number(layer) >= n) out.set(`${Number(layer) - n}:${dir}`, v);
    }
    return out.size ? out : undefined;
  }

  /**
   * The decoder's initial state per layer from the encoder's final states (PyTorch h_n order:
   * layer k's forward, then its backward when bidirectional), through the bridge (see the top).
   */
  private bridgeStates(final: CellState[]): CellState[] {
    if (!this.bridge) return final;
    const out: CellState[] = [];
    let i = 0;
    this.spec.layers.forEach((l, k) => {
      if (!l.bidirectional) {
        out.push(final[i++]);
        return;
      }
      const [f, b] = [final[i], final[i + 1]];
      i += 2;
      if (this.bridge === 'sum') {
        out.push({ h: tf.add(f.h, b.h) as tf.Tensor2D, c: f.c && (tf.add(f.c, b.c!) as tf.Tensor2D) });
        return;
      }
      const lin = (s: 'h' | 'c', x: tf.Tensor2D, y: tf.Tensor2D) =>
        tf.add(tf.matMul(tf.concat([x, y], 1), this.params.get(`bridge.${s}_l${k}.weight`)! as tf.Tensor2D, false, true), this.params.get(`bridge.${s}_l${k}.bias`)!) as tf.Tensor2D;
      out.push({ h: tf.tanh(lin('h', f.h, b.h)), c: f.c && lin('c', f.c, b.c!) });
    });
    return out;
  }

  /**
   * bahdanau: the decoder runs one step at a time, since its input at step t holds the context
   * c_t, which attends with the state before step t:
   *   q_1 = the (bridged) encoder final state of the top layer;  for t = 1..T:
   *   c_t, a_t = attention(q_t, K);  o_t = decoder(concat(embed(y_{t-1}), c_t));  q_{t+1} = o_t
   * decIn [T, B, E], encoder outputs [S, B, Hk] -> outputs [T, B, Hd], weights [B, T, S].
   */
  private additiveDecode(
    decIn: tf.Tensor3D, init: CellState[], encOut: tf.Tensor3D, lengths: number[] | undefined, opts: ForwardOptions,
  ): { output: tf.Tensor3D; weights: tf.Tensor3D; traces?: LayerTrace[] } {
    const dec = this.decoder!;
    const keys = this.attention!.prepare(tf.transpose(encOut, [1, 0, 2]) as tf.Tensor3D, lengths);
    let states = init;
    const outs: tf.Tensor2D[] = [];
    const weights: tf.Tensor2D[] = [];
    const perLayer = dec.layers.map(() => ({ h: [] as tf.Tensor2D[], c: [] as tf.Tensor2D[] }));
    (tf.unstack0(decIn) as tf.Tensor2D[]).forEach((yt) => {
      const { context, weights: a } = this.attention!.additive(states[states.length - 1].h, keys);
      const r = dec.step(tf.concat([yt, context], 1), states, { training: opts.training, dropoutSeed: opts.dropoutSeed });
      states = r.states;
      outs.push(r.h);
      weights.push(a);
      if (opts.trace) r.states.forEach((s, k) => { perLayer[k].h.push(s.h); if (s.c) perLayer[k].c.push(s.c); });
    });
    const traces: LayerTrace[] | undefined = opts.trace
      ? dec.layers.map((l, k) => ({
        layer: k, direction: 'forward', cell: l.cell, units: l.units, gates: {},
        h: tf.stack(perLayer[k].h) as tf.Tensor3D, c: perLayer[k].c.length ? (tf.stack(perLayer[k].c) as tf.Tensor3D) : undefined,
      }))
      : undefined;
    return { output: tf.stack(outs) as tf.Tensor3D, weights: tf.stack(weights, 1) as tf.Tensor3D, traces };
  }

  /**
   * many-to-one: the top layer's final state; for a bidirectional top layer, the forward
   * direction's state after x_T merged with the backward direction's state after x_1
   * (both have read the whole sequence). With lengths, each sequence's own: the forward state
   * after its own last step x_{n_b}, the backward state after its own first (the final states).
   */
  private lastFeatures(r: RunResult): tf.Tensor2D {
    const layers = this.stack.layers;
    const top = layers[layers.length - 1];
    const n = r.final.length;
    if (!top.bidirectional) return r.final[n - 1].h;
    const [f, b] = [r.final[n - 2].h, r.final[n - 1].h];
    switch (top.merge) {
      case 'concat': return tf.concat([f, b], 1);
      case 'sum': return tf.add(f, b);
      case 'mul': return tf.mul(f, b);
      case 'avg': return tf.mul(tf.add(f, b), 0.5);
    }
  }

  /**
   * The loss the head implies, averaged over every target position that counts: with a mask,
   * L = sum_i w_i * loss_i / sum_i w_i (padding rows have w_i = 0; their targets are zero rows).
   */
  loss(logits: tf.Tensor2D, y: tf.Tensor2D, mask?: TargetMask): tf.Scalar {
    const rows = logits.shape[0];
    switch (this.spec.head.loss) {
      case 'cross-entropy': {
        // a zero target row adds 0 to the sum and to the gradient, so only the divisor changes
        const ce = softmaxCrossEntropy(logits, y);
        return mask ? tf.mul(ce, rows / mask.rows) : ce;
      }
      case 'binary-cross-entropy':
        // stable form of -[z log s(x) + (1 - z) log(1 - s(x))]
        return maskedMean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))), mask);
      case 'mse':
        return maskedMean(tf.squaredDifference(this.activate(logits), y), mask);
    }
  }

  /** Fraction of correct predictions (classes: argmax; binary: p > 0.5) over the rows that count. Undefined for regression. */
  accuracy(logits: tf.Tensor2D, y: tf.Tensor2D, mask?: TargetMask): tf.Scalar | undefined {
    const kind = this.data.output.kind;
    if (kind === 'classes') return maskedMean(tf.reshape(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32'), [-1, 1]), mask);
    if (kind === 'binary') return maskedMean(tf.cast(tf.equal(tf.greater(logits, 0), tf.greater(y, 0.5)), 'float32'), mask);
    return undefined;
  }

  activate(logits: tf.Tensor2D): tf.Tensor2D {
    switch (this.spec.head.activation) {
      case 'softmax': return tf.softmax(logits);
      case 'sigmoid': return tf.sigmoid(logits);
      case 'linear': return logits;
    }
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

/** mean of e [rows, k] over the rows that count: sum(w * e) / (sum(w) * k); the plain mean without a mask. */
function maskedMean(e: tf.Tensor, mask?: TargetMask): tf.Scalar {
  if (!mask) return tf.mean(e) as tf.Scalar;
  return tf.div(tf.sum(tf.mul(e, mask.w)), mask.rows * (e.shape[1] ?? 1)) as tf.Scalar;
}

function checkDecoderFits(enc: LayerSpec[], dec: LayerSpec[]): void {
  if (dec.some((l) => l.bidirectional)) throw new Error('encoder-decoder: the decoder cannot be bidirectional (it writes one step at a time).');
  if (dec.length !== enc.length || dec.some((l, k) => l.units !== enc[k].units || (l.cell === 'lstm') !== (enc[k].cell === 'lstm'))) {
    throw new Error('encoder-decoder: the decoder must have as many layers as the encoder, with the same units (and LSTM where the encoder has LSTM), since the encoder\'s final state starts it.');
  }
}

/**
 * Softmax cross-entropy, -mean over rows of sum(y * log softmax(logits)) (PyTorch's
 * CrossEntropyLoss with probability targets), with its gradient written out:
 * dL/dlogits = (softmax(logits) * sum(y) - y) / rows. Only logits and y are kept for the backward
 * pass; autodiff through logSoftmax would keep every intermediate ([rows, classes] each) until
 * the step ends.
 */
const softmaxCrossEntropy = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [logits, y, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([logits, y]);
  const rows = logits.shape[0]!;
  const value = tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1))));
  const gradFunc = (dy: tf.Tensor, [l, t]: tf.Tensor[]) => tf.tidy(() => [
    tf.mul(tf.sub(tf.mul(tf.softmax(l), tf.sum(t, 1, true)), t), tf.div(dy, rows)),
    tf.zerosLike(t),
  ]);
  return { value, gradFunc };
}) as (logits: tf.Tensor2D, y: tf.Tensor2D) => tf.Scalar;

/**
 * The fused recurrence for the tfjs 'wasm' and 'cpu' backends: our own WebAssembly module (SIMD128,
 * AssemblyScript source in ./assembly/recurrence.ts) runs one direction of one layer, registered as
 * tfjs kernels with a gradient so that autodiff sees ONE node per layer direction:
 *
 *   SeqlabCpuRecurrence      inputs x [T*B, I] (time order), wIh, wHh, bIh?, bHh?, h0?, c0?,
 *                            inject? (zeros [T*B, H] added to h_t: a probe's dL/dh_t)
 *                            XP = X W_ih^T for all T*B rows: one matrix product
 *                            then the recurrence over all T steps in one call (per step:
 *                            P = h W_hh^T, gates, state update)
 *                            outputs [S (a handle to what backpropagation keeps, see
 *                            SavedStates), h [T, B, H] time order,
 *                            h_n, c_n (LSTM), then, for traces, c and the gates in time order]
 *   its gradient             SeqlabCpuRecurrenceGrad: the backward recurrence over all T steps
 *                            in one call (dXP per row), then ONE matrix product each over all
 *                            T*B rows: dW_ih = dXP^T X, dW_hh = dHP^T H_prev, dx = dXP W_ih;
 *                            db_ih, db_hh: column sums of dXP and dHP; d inject = dL/dh_t
 *                            in full, which the backward recurrence has at hand anyway.
 *
 * Platform-neutral: the caller hands over the module's bytes (Node: src/node/kernels.ts reads
 * dist/seqlab-recurrence.wasm or compiles the source; a worker gets them from its host).
 *
 * Inside the module every state and weight is laid out in PROCESSING order (s = t forward,
 * s = T-1-t for the reverse direction of a bidirectional layer) with the hidden size padded to
 * Hp = a multiple of 4 so that the gate arithmetic runs 4 lanes at a time. Padding units have
 * zero weights, biases and initial state: their pre-activations are 0, so LSTM c = 0.5*0 + 0.5*0 = 0
 * and h = 0.5 tanh(0) = 0, GRU h = 0.5*tanh(0) + 0.5*0 = 0, RNN h = act(0) = 0: they stay exactly
 * 0 and, since their W_hh columns are zero too, never touch the real units; their gradients are
 * dropped on the way out.
 */
import * as tf from '../core/tf';
import { setRecurrenceKernel, type FusedDirectionArgs, type FusedDirectionResult, type RecurrenceKernel } from '../core/fused';
import type { GateName } from '../core/cells';
import type { CellType } from '../core/spec';

export const CPU_FORWARD = 'SeqlabCpuRecurrence';
export const CPU_BACKWARD = 'SeqlabCpuRecurrenceGrad';
/** The tfjs backends these kernels are registered for. */
export const CPU_BACKENDS = ['wasm', 'cpu'] as const;

interface Exports {
  memory: WebAssembly.Memory;
  heapStart(): number;
  gemm(M: number, N: number, K: number, a: number, sam: number, sak: number, b: number, ldb: number, c: number, ldc: number, accumulate: number): void;
  widen(src: number, n: number, dst: number): void;
  gemm64w(M: number, N: number, K: number, a64: number, w64: number, c: number, ldc: number, accumulate: number): void;
  colsum(R: number, N: number, x: number, ld: number, out: number, accumulate: number): void;
  forwardSequence(cell: number, relu: number, T: number, B: number, Hp: number, g: number, h: number, c: number, aux: number, whhT: number, bi: number, bh: number, p: number, mask: number, wide: number): void;
  backwardSequence(cell: number, relu: number, T: number, B: number, Hp: number, g: number, dhp: number, h: number, c: number, aux: number, whh: number, dhs: number, carry: number, dc: number, mask: number, wide: number): void;
  tanhArray(x: number, y: number, n: number): void;
  sigmoidArray(x: number, y: number, n: number): void;
}

const CELL_CODE: Record<CellType, number> = { rnn: 0, lstm: 1, gru: 2 };
const GATES: Record<CellType, number> = { rnn: 1, lstm: 4, gru: 3 };
const GATE_NAMES: Record<CellType, GateName[]> = { lstm: ['i', 'f', 'g', 'o'], gru: ['r', 'z', 'n'], rnn: [] };

/** The instantiated module with a bump allocator over its memory (reset per kernel call). */
export class RecurrenceModule {
  readonly x: Exports;
  private f32: Float32Array;
  private top: number;
  private readonly base: number;

  constructor(bytes: BufferSource) {
    this.x = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { abort: () => { throw new Error('seqlab recurrence module: abort'); } },
    }).exports as unknown as Exports;
    this.base = this.x.heapStart();
    this.top = this.base;
    this.f32 = new Float32Array(this.x.memory.buffer);
  }

  /** Lay out regions of the given float counts (each 16-byte aligned); returns their indices. */
  layout(sizes: number[]): number[] {
    this.top = this.base;
    const out = sizes.map((n) => {
      const at = this.top;
      this.top += (n + 3) & ~3;
      return at;
    });
    const need = this.top * 4;
    const have = this.x.memory.buffer.byteLength;
    if (need > have) this.x.memory.grow(Math.ceil((need - have) / 65536));
    this.f32 = new Float32Array(this.x.memory.buffer);
    return out;
  }

  get mem(): Float32Array {
    if (this.f32.buffer !== this.x.memory.buffer) this.f32 = new Float32Array(this.x.memory.buffer);
    return this.f32;
  }

  zero(at: number, n: number): void {
    this.mem.fill(0, at, at + n);
  }
}

/** Sizes of one layer direction, with the hidden size padded to Hp. */
interface Dims { cell: CellType; T: number; B: number; H: number; Hp: number; I: number; G: number; GHp: number; R: number }

function dims(cell: CellType, T: number, B: number, H: number, I: number): Dims {
  const Hp = (H + 3) & ~3;
  const G = GATES[cell];
  return { cell, T, B, H, Hp, I, G, GHp: G * Hp, R: T * B };
}

/**
 * S, the one saved tensor of a layer direction: [h (T+1)*B*Hp | c (T+1)*B*Hp (LSTM) |
 * aux T*B*Hp (LSTM tanh c, GRU hn) | g T*B*G*Hp (gate activations)], processing order.
 */
function stateSizes(d: Dims): { h: number; c: number; aux: number; g: number; total: number } {
  const hb = (d.T + 1) * d.B * d.Hp;
  const c = d.cell === 'lstm' ? hb : 0;
  const aux = d.cell === 'rnn' ? 0 : d.R * d.Hp;
  const g = d.R * d.GHp;
  return { h: hb, c, aux, g, total: hb + c + aux + g };
}

/** The recurrence's float64 scratch (see forwardSequence): W_hh and one step's h or dHP, 2 floats a value. */
const wideSize = (d: Dims) => 2 * (d.GHp * d.Hp + d.B * d.GHp);

/** Processing step s of time t (and back). */
const stepOf = (t: number, T: number, reverse: boolean) => (reverse ? T - 1 - t : t);

export interface ForwardAttrs {
  cell: CellType;
  relu: boolean;
  reverse: boolean;
  T: number;
  B: number;
  H: number;
  bias: boolean;
  hasInit: boolean;
  trace: boolean;
  /** Per-sequence lengths [B] (a variable-length batch, see FusedDirectionArgs); absent: all T. */
  lengths?: number[];
  /** Autodiff is recording: keep S for the backward (SavedStates). */
  save: boolean;
  /** An input `inject` [T*B, H] of zeros added to h_t (FusedDirectionArgs.inject): its gradient is dL/dh_t. */
  hasInject?: boolean;
}

/** What the kernels need of a tfjs backend: read an input, make an output. */
interface BackendLike {
  /** set by our kernel wrapper: which of CPU_BACKENDS this is */
  kind: (typeof CPU_BACKENDS)[number];
  readSync(dataId: object): unknown;
  /** cpu backend: keeps `values` itself */
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
  /** wasm backend: copies `values` into its heap */
  makeOutput?(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: Float32Array): tf.TensorInfo;
  /** wasm backend: a view of a tensor's values in its heap */
  typedArrayFromHeap?(info: tf.TensorInfo): Float32Array | Int32Array;
}

/**
 * A new float32 tensor of `shape` whose values `fill` writes straight where the backend keeps
 * them (wasm: tfjs's heap; cpu: the array it keeps), with no array in between: a large new
 * ArrayBuffer per output per step costs more in Chromium's worker than the copy itself.
 * `fill` must not allocate tensors (that could move tfjs's heap under the view).
 */
function output(backend: BackendLike, shape: number[], fill: (dst: Float32Array) => void): tf.TensorInfo {
  if (backend.kind === 'wasm') {
    const info = backend.makeOutput!(shape, 'float32');
    fill(backend.typedArrayFromHeap!(info) as Float32Array);
    return info;
  }
  const dst = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fill(dst);
  return backend.makeTensorInfo!(shape, 'float32', dst);
}

/** A one-element int32 tensor (a SavedStates handle). */
function handle(backend: BackendLike, id: number): tf.TensorInfo {
  const v = Int32Array.of(id);
  if (backend.kind === 'wasm') return backend.makeOutput!([1], 'int32', undefined, v as unknown as Float32Array);
  return backend.makeTensorInfo!([1], 'int32', v as unknown as Float32Array);
}

/**
 * What the backward recurrence needs of a forward one (S: every step's h, c, gates), kept here as
 * a plain array while autodiff records, under a handle: the kernel's first output is a one-element
 * int32 tensor naming it. S itself as a tfjs tensor would cost, per layer direction and training
 * step, a copy into tfjs's heap, a second one when the tape saves it (Identity) and a zero
 * tensor of its size for its unused gradient (tfjs fills a missing dy with zeros): 1.4 MB each
 * for adding-lstm, 12% of its step in Chromium's worker. The backward takes its entry out; entries of a recording
 * that has ended without reaching them (a gradient of a part of the graph) are dropped when the
 * next recording saves (tfjs starts a new tape array per outermost recording). Nothing is kept
 * while autodiff is not recording (inference, validation, the probe's trace): the handle is 0.
 */
class SavedStates {
  private readonly entries = new Map<number, { S: Float32Array; tape: object }>();
  private next = 1;
  /** Arrays given back, reused by keep (a new large ArrayBuffer per step is what this avoids); at most POOL_BYTES. */
  private readonly pool: Float32Array[] = [];
  private static readonly POOL_BYTES = 64 << 20;

  /** Keep a copy of S (a view of the module's memory) for the current recording (the engine's active tape); returns its handle. */
  keep(src: Float32Array): number {
    const tape = tf.engine().state.activeTape as object;
    for (const [id, e] of this.entries) if (e.tape !== tape) { this.entries.delete(id); this.give(e.S); }
    const at = this.pool.findIndex((a) => a.length === src.length);
    const S = at >= 0 ? this.pool.splice(at, 1)[0]! : new Float32Array(src.length);
    S.set(src);
    const id = this.next;
    this.next = this.next >= 0x7fffffff ? 1 : this.next + 1;
    this.entries.set(id, { S, tape });
    return id;
  }

  /** Copy the state under `id` into `dst` at `at` and let it go. */
  restore(id: number, dst: Float32Array, at: number): void {
    const e = this.entries.get(id);
    if (!e) throw new Error(`seqlab fused recurrence: the forward state ${id} of this layer direction is gone (its gradient was taken outside the recording that ran it, or twice)`);
    this.entries.delete(id);
    dst.set(e.S, at);
    this.give(e.S);
  }

  private give(S: Float32Array): void {
    let bytes = S.byteLength;
    for (const a of this.pool) bytes += a.byteLength;
    if (bytes <= SavedStates.POOL_BYTES) this.pool.push(S);
  }

  /** Entries kept now (tests). */
  get size(): number {
    return this.entries.size;
  }
}

const savedStates = new SavedStates();

/** The number of forward states kept for a backward (tests: none left after a training step). */
export function savedStateCount(): number {
  return savedStates.size;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

let mod: RecurrenceModule | undefined;

function need(): RecurrenceModule {
  if (!mod) throw new Error('seqlab fused recurrence: the WebAssembly module is not loaded (registerCpuKernels)');
  return mod;
}

/**
 * An input's values. On the wasm backend: a view of tfjs's heap, not readSync's copy (a fresh
 * buffer per input per step: 10% of adding-lstm's time in the panel's worker, 3% in Node). Every
 * caller copies it into our module at once, before anything allocates on that heap (which could
 * grow it and detach the view).
 */
function read(backend: BackendLike, info: tf.TensorInfo | undefined, name: string): Float32Array {
  if (!info) throw new Error(`seqlab fused recurrence: input '${name}' missing`);
  const v = backend.kind === 'wasm' && info.dtype === 'float32' ? backend.typedArrayFromHeap!(info) : backend.readSync(info.dataId);
  if (!(v instanceof Float32Array)) throw new Error(`seqlab fused recurrence: input '${name}' is not float32`);
  return v;
}

/** The value of a SavedStates handle (a one-element int32 tensor). */
function readHandle(backend: BackendLike, info: tf.TensorInfo | undefined): number {
  if (!info || info.dtype !== 'int32') throw new Error('seqlab fused recurrence: input \'S\' (the forward state\'s handle) missing');
  const v = backend.readSync(info.dataId);
  return (v as Int32Array)[0]!;
}


/** Copy the weights into the module, re-laid for its products (see the index comment of each). */
function putWeights(m: RecurrenceModule, d: Dims, wIh: Float32Array, wHh: Float32Array, at: { wihT?: number; whhT?: number; whh?: number; wih?: number }): void {
  const { G, H, Hp, I, GHp } = d;
  const f = m.mem;
  // W_ih^T [I, G*Hp]: element (i, k*Hp + j) = W_ih[k*H + j, i]
  if (at.wihT !== undefined) {
    f.fill(0, at.wihT, at.wihT + I * GHp);
    for (let k = 0; k < G; k++) for (let j = 0; j < H; j++) {
      const src = (k * H + j) * I, col = at.wihT + k * Hp + j;
      for (let i = 0; i < I; i++) f[col + i * GHp] = wIh[src + i];
    }
  }
  // W_hh^T [Hp, G*Hp]: element (jj, k*Hp + j) = W_hh[k*H + j, jj]
  if (at.whhT !== undefined) {
    f.fill(0, at.whhT, at.whhT + Hp * GHp);
    for (let k = 0; k < G; k++) for (let j = 0; j < H; j++) {
      const src = (k * H + j) * H, col = at.whhT + k * Hp + j;
      for (let jj = 0; jj < H; jj++) f[col + jj * GHp] = wHh[src + jj];
    }
  }
  // W_hh [G*Hp, Hp], W_ih [G*Hp, I]: rows (and W_hh's columns) padded
  if (at.whh !== undefined) {
    f.fill(0, at.whh, at.whh + GHp * Hp);
    for (let r = 0; r < G * H; r++) {
      const k = Math.floor(r / H), j = r - k * H;
      f.set(wHh.subarray(r * H, r * H + H), at.whh + (k * Hp + j) * Hp);
    }
  }
  if (at.wih !== undefined) {
    f.fill(0, at.wih, at.wih + GHp * I);
    for (let r = 0; r < G * H; r++) {
      const k = Math.floor(r / H), j = r - k * H;
      f.set(wIh.subarray(r * I, r * I + I), at.wih + (k * Hp + j) * I);
    }
  }
}

/** [G*H] -> [G*Hp] (zeros in the padding); zeros when absent. */
function putGateVector(m: RecurrenceModule, d: Dims, v: Float32Array | undefined, at: number): void {
  m.zero(at, d.GHp);
  if (!v) return;
  for (let k = 0; k < d.G; k++) m.mem.set(v.subarray(k * d.H, k * d.H + d.H), at + k * d.Hp);
}

/** [T*B, W] rows in time order -> processing order (only the reverse direction moves anything). */
function putRowsInOrder(m: RecurrenceModule, d: Dims, reverse: boolean, src: Float32Array, width: number, at: number): void {
  if (!reverse) { m.mem.set(src.subarray(0, d.R * width), at); return; }
  const blk = d.B * width;
  for (let t = 0; t < d.T; t++) m.mem.set(src.subarray(t * blk, t * blk + blk), at + stepOf(t, d.T, true) * blk);
}

/** [B, H] -> [B, Hp] at `at` (zeros in the padding). */
function putPadded(m: RecurrenceModule, d: Dims, src: Float32Array | undefined, at: number, rows = d.B): void {
  if (!src || d.Hp !== d.H) m.zero(at, rows * d.Hp);
  if (!src) return;
  if (d.Hp === d.H) { m.mem.set(src.subarray(0, rows * d.H), at); return; }
  for (let b = 0; b < rows; b++) m.mem.set(src.subarray(b * d.H, b * d.H + d.H), at + b * d.Hp);
}

/** [rows, Hp] at `at` -> [rows, H] into `out`. */
function takeUnpadded(m: RecurrenceModule, d: Dims, at: number, rows: number, out: Float32Array): void {
  if (d.Hp === d.H) { out.set(m.mem.subarray(at, at + rows * d.H)); return; }
  for (let r = 0; r < rows; r++) out.set(m.mem.subarray(at + r * d.Hp, at + r * d.Hp + d.H), r * d.H);
}

/**
 * The step mask of a variable-length batch at `at` [T, B], processing order (see forwardSequence):
 * m_s[b] = 1 while sequence b runs. Forward: s < lengths[b]; reverse (s = T-1-t): it starts at its
 * own last step t = lengths[b] - 1, i.e. s >= T - lengths[b]. Returns the index, or -1 (no mask).
 */
function putMask(m: RecurrenceModule, d: Dims, reverse: boolean, lengths: number[] | undefined, at: number): number {
  if (!lengths) return -1;
  const f = m.mem;
  for (let s = 0; s < d.T; s++) for (let b = 0; b < d.B; b++) {
    f[at + s * d.B + b] = (reverse ? s >= d.T - lengths[b] : s < lengths[b]) ? 1 : 0;
  }
  return at;
}

/** Per-step [B, width] blocks at `at` (processing order, row s at at + (s + shift) * B * width) -> time order [T, B, cols of width from col0] into `out`. */
function takeTimeOrder(m: RecurrenceModule, d: Dims, reverse: boolean, at: number, width: number, shift: number, col0: number, cols: number, out: Float32Array): void {
  const f = m.mem;
  for (let t = 0; t < d.T; t++) {
    const s = stepOf(t, d.T, reverse);
    const blk = at + (s + shift) * d.B * width + col0;
    for (let b = 0; b < d.B; b++) out.set(f.subarray(blk + b * width, blk + b * width + cols), (t * d.B + b) * cols);
  }
}

function forwardKernel() {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const backend = args.backend as BackendLike;
    const a = args.attrs as unknown as ForwardAttrs;
    const i = args.inputs;
    const x = read(backend, i.x, 'x');
    const I = i.x!.shape[1];
    const d = dims(a.cell, a.T, a.B, a.H, I);
    const m = need();
    const st = stateSizes(d);
    const BHp = d.B * d.Hp;
    // [ S | X | W_ih^T | W_hh^T | b_ih | b_hh | P | mask | wide ]
    const [S, X, wihT, whhT, bi, bh, P, M, wide] = m.layout([st.total, d.R * I, I * d.GHp, d.Hp * d.GHp, d.GHp, d.GHp, d.B * d.GHp, a.lengths ? d.R : 0, wideSize(d)]);
    const mask = putMask(m, d, a.reverse, a.lengths, M);
    const hAt = S, cAt = S + st.h, auxAt = cAt + st.c, gAt = auxAt + st.aux;
    // h_t + e_t with e = 0: the same h (the zeros are there for their gradient, dL/dh_t)
    if (a.hasInject && read(backend, i.inject, 'inject').some((v) => v !== 0)) {
      throw new Error('seqlab fused recurrence: inject must be zeros (it is there for its gradient, dL/dh_t)');
    }
    putRowsInOrder(m, d, a.reverse, x, I, X);
    putWeights(m, d, read(backend, i.wIh, 'wIh'), read(backend, i.wHh, 'wHh'), { wihT, whhT });
    putGateVector(m, d, a.bias ? read(backend, i.bIh, 'bIh') : undefined, bi);
    putGateVector(m, d, a.bias ? read(backend, i.bHh, 'bHh') : undefined, bh);
    // h_0, c_0 (zeros when absent)
    putPadded(m, d, a.hasInit ? read(backend, i.h0, 'h0') : undefined, hAt);
    if (d.cell === 'lstm') putPadded(m, d, a.hasInit ? read(backend, i.c0, 'c0') : undefined, cAt);
    // XP = X W_ih^T for all T*B rows at once, into the gate region: [R, I] x [I, G*Hp]
    m.x.gemm(d.R, d.GHp, I, X, I, 1, wihT, d.GHp, gAt, d.GHp, 0);
    m.x.forwardSequence(CELL_CODE[d.cell], a.relu ? 1 : 0, d.T, d.B, d.Hp, gAt, hAt, cAt, auxAt, whhT, bi, bh, P, mask, wide);
    const lengths = a.lengths;
    const outs = [
      handle(backend, a.save ? savedStates.keep(m.mem.subarray(S, S + st.total)) : 0),
      output(backend, [d.T, d.B, d.H], (h) => {
        takeTimeOrder(m, d, a.reverse, hAt, d.Hp, 1, 0, d.H, h);
        // a variable-length batch: out_t = m_t h_t (zero at and after each sequence's length)
        if (lengths) for (let t = 0; t < d.T; t++) for (let b = 0; b < d.B; b++) if (t >= lengths[b]) h.fill(0, (t * d.B + b) * d.H, (t * d.B + b + 1) * d.H);
      }),
      output(backend, [d.B, d.H], (o) => takeUnpadded(m, d, hAt + d.T * BHp, d.B, o)),
    ];
    if (d.cell === 'lstm') outs.push(output(backend, [d.B, d.H], (o) => takeUnpadded(m, d, cAt + d.T * BHp, d.B, o)));
    if (a.trace) {
      if (d.cell === 'lstm') outs.push(output(backend, [d.T, d.B, d.H], (o) => takeTimeOrder(m, d, a.reverse, cAt, d.Hp, 1, 0, d.H, o)));
      GATE_NAMES[d.cell].forEach((_, k) => {
        outs.push(output(backend, [d.T, d.B, d.H], (o) => takeTimeOrder(m, d, a.reverse, gAt, d.GHp, 0, k * d.Hp, d.H, o)));
      });
    }
    return outs;
  };
}

interface BackwardAttrs extends ForwardAttrs { hasDhs: boolean; hasDhN: boolean; hasDcN: boolean }

function backwardKernel() {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const backend = args.backend as BackendLike;
    const a = args.attrs as unknown as BackwardAttrs;
    const i = args.inputs;
    const x = read(backend, i.x, 'x');
    const I = i.x!.shape[1];
    const d = dims(a.cell, a.T, a.B, a.H, I);
    const m = need();
    const st = stateSizes(d);
    const gru = d.cell === 'gru';
    // [ S | X | W_hh | W_ih | dhs | carry | dc | dHP (GRU) | dx | dW_ih | dW_hh | db_ih | db_hh | mask | wide ]
    const [S, X, whh, wih, dhs, carry, dc, dhp, dx, dwih, dwhh, dbi, dbh, M, wide] = m.layout([
      st.total, d.R * I, d.GHp * d.Hp, d.GHp * I, d.R * d.Hp, d.B * d.Hp, d.B * d.Hp, gru ? d.R * d.GHp : 0,
      d.R * I, d.GHp * I, d.GHp * d.Hp, d.GHp, d.GHp, a.lengths ? d.R : 0, wideSize(d),
    ]);
    const mask = putMask(m, d, a.reverse, a.lengths, M);
    const hAt = S, cAt = S + st.h, auxAt = cAt + st.c, gAt = auxAt + st.aux;
    savedStates.restore(readHandle(backend, i.S), m.mem, S);
    putRowsInOrder(m, d, a.reverse, x, I, X);
    putWeights(m, d, read(backend, i.wIh, 'wIh'), read(backend, i.wHh, 'wHh'), { whh, wih });
    // dL/dh per step from above, in processing order (zeros when h is unused)
    if (a.hasDhs) {
      const src = read(backend, i.dhs, 'dhs');
      if (d.Hp === d.H) putRowsInOrder(m, d, a.reverse, src, d.H, dhs);
      else for (let t = 0; t < d.T; t++) putPadded(m, d, src.subarray(t * d.B * d.H), dhs + stepOf(t, d.T, a.reverse) * d.B * d.Hp);
    } else m.zero(dhs, d.R * d.Hp);
    putPadded(m, d, a.hasDhN ? read(backend, i.dhN, 'dhN') : undefined, carry);
    putPadded(m, d, a.hasDcN ? read(backend, i.dcN, 'dcN') : undefined, dc);
    // the backward recurrence: g's rows become dXP, GRU's dHP goes to dhp (frozen rows: 0, so
    // padding steps add nothing to the weight gradients below and get dx = 0); dhs becomes dL/dh_t
    // in full (every path from h_t to the loss): the gradient of the injected zeros
    m.x.backwardSequence(CELL_CODE[d.cell], a.relu ? 1 : 0, d.T, d.B, d.Hp, gAt, dhp, hAt, cAt, auxAt, whh, dhs, carry, dc, mask, wide);

    const dHP = gru ? dhp : gAt;
    // ONE product each over all T*B rows:
    // dW_ih = dXP^T X      [G*Hp, R] x [R, I]
    m.x.gemm(d.GHp, I, d.R, gAt, 1, d.GHp, X, I, dwih, I, 0);
    // dW_hh = dHP^T H_prev [G*Hp, R] x [R, Hp] (H_prev = h region rows 0 .. T-1, aligned with the steps)
    m.x.gemm(d.GHp, d.Hp, d.R, dHP, 1, d.GHp, hAt, d.Hp, dwhh, d.Hp, 0);
    // dx = dXP W_ih        [R, G*Hp] x [G*Hp, I]
    m.x.gemm(d.R, I, d.GHp, gAt, d.GHp, 1, wih, I, dx, I, 0);
    // back to PyTorch's layout: drop padding rows (and W_hh's padding columns), time order for dx
    const gateRows = (at: number, w: number, cols: number) => (out: Float32Array) => {
      const f = m.mem;
      for (let k = 0; k < d.G; k++) for (let j = 0; j < d.H; j++) out.set(f.subarray(at + (k * d.Hp + j) * w, at + (k * d.Hp + j) * w + cols), (k * d.H + j) * cols);
    };
    const outs = [
      output(backend, [d.R, I], (o) => (a.reverse ? takeTimeOrder(m, d, true, dx, I, 0, 0, I, o) : o.set(m.mem.subarray(dx, dx + d.R * I)))),
      output(backend, [d.G * d.H, I], gateRows(dwih, I, I)),
      output(backend, [d.G * d.H, d.H], gateRows(dwhh, d.Hp, d.H)),
    ];
    if (a.bias) {
      m.x.colsum(d.R, d.GHp, gAt, d.GHp, dbi, 0);
      m.x.colsum(d.R, d.GHp, dHP, d.GHp, dbh, 0);
      outs.push(output(backend, [d.G * d.H], gateRows(dbi, 1, 1)));
      outs.push(output(backend, [d.G * d.H], gateRows(dbh, 1, 1)));
    }
    if (a.hasInit) {
      outs.push(output(backend, [d.B, d.H], (o) => takeUnpadded(m, d, carry, d.B, o)));
      if (d.cell === 'lstm') outs.push(output(backend, [d.B, d.H], (o) => takeUnpadded(m, d, dc, d.B, o)));
    }
    // dL/dh_t in full, which the backward recurrence left in dhs: the gradient of the injected zeros
    if (a.hasInject) outs.push(output(backend, [d.R, d.H], (o) => takeTimeOrder(m, d, a.reverse, dhs, d.Hp, 0, 0, d.H, o)));
    return outs;
  };
}

function forwardGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): Record<string, () => tf.Tensor> {
  const a = attrs as unknown as ForwardAttrs;
  const [, dhs, dhN, dcN] = dy as (tf.Tensor | null)[];
  const [x, wIh, wHh, S] = saved;
  const lstm = a.cell === 'lstm';
  const flags = { hasDhs: !!dhs, hasDhN: !!dhN, hasDcN: lstm && !!dcN };
  const inputs: tf.NamedTensorMap = { S, x, wIh, wHh };
  if (dhs) inputs.dhs = dhs;
  if (dhN) inputs.dhN = dhN;
  if (flags.hasDcN) inputs.dcN = dcN!;
  const outs = tf.engine().runKernel(CPU_BACKWARD, inputs, { ...attrs, ...flags } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  const grads: Record<string, () => tf.Tensor> = { x: () => outs[0], wIh: () => outs[1], wHh: () => outs[2] };
  let k = 3;
  if (a.bias) {
    const [bi, bh] = [outs[k++], outs[k++]];
    grads.bIh = () => bi;
    grads.bHh = () => bh;
  }
  if (a.hasInit) {
    const h0 = outs[k++];
    grads.h0 = () => h0;
    if (lstm) {
      const c0 = outs[k++];
      grads.c0 = () => c0;
    }
  }
  if (a.hasInject) {
    const e = outs[k++];
    grads.inject = () => e;
  }
  return grads;
}

let registered = false;

function withKind(backend: unknown, kind: BackendLike['kind']): BackendLike {
  const b = backend as Omit<BackendLike, 'kind'>;
  // typedArrayFromHeap: read() takes the inputs as views of tfjs's heap, output() writes there
  return {
    kind, readSync: (id) => b.readSync(id), makeTensorInfo: b.makeTensorInfo?.bind(b), makeOutput: b.makeOutput?.bind(b), typedArrayFromHeap: b.typedArrayFromHeap?.bind(b),
  };
}

function registerKernels(): void {
  if (registered) return;
  registered = true;
  for (const backendName of CPU_BACKENDS) {
    // the two backends make outputs differently (see make): tell the kernels which one runs them
    const on = (f: (a: KernelArgs) => tf.TensorInfo[]) => ((a: KernelArgs) => f({ ...a, backend: withKind(a.backend, backendName) })) as unknown as tf.KernelFunc;
    tf.registerKernel({ kernelName: CPU_FORWARD, backendName, kernelFunc: on(forwardKernel()) });
    tf.registerKernel({ kernelName: CPU_BACKWARD, backendName, kernelFunc: on(backwardKernel()) });
  }
  tf.registerGradient({ kernelName: CPU_FORWARD, inputsToSave: ['x', 'wIh', 'wHh'], outputsToSave: [true], gradFunc: forwardGrad as unknown as tf.GradFunc });
}

export class CpuRecurrence implements RecurrenceKernel {
  readonly name = 'wasm-simd-fused';
  readonly supportsLengths = true;
  readonly supportsInject = true;

  direction(args: FusedDirectionArgs): FusedDirectionResult | undefined {
    if (!(CPU_BACKENDS as readonly string[]).includes(tf.getBackend())) return undefined;
    const { w, x, units: H, cell } = args;
    if (!!w.bIh !== !!w.bHh) return undefined;
    const [T, B, I] = x.shape;
    if (T === 0 || B === 0) return undefined;
    const bias = !!w.bIh;
    const attrs: ForwardAttrs = {
      cell, relu: cell === 'rnn' && args.activation === 'relu', reverse: args.reverse, T, B, H, bias, hasInit: !!args.init, trace: args.trace,
      save: tf.engine().state.gradientDepth > 0,
    };
    if (args.lengths) attrs.lengths = args.lengths;
    const inputs: tf.NamedTensorMap = { x: tf.reshape(x, [T * B, I]), wIh: w.wIh, wHh: w.wHh };
    if (args.inject) {
      attrs.hasInject = true;
      inputs.inject = tf.reshape(args.inject, [T * B, H]);
    }
    if (bias) Object.assign(inputs, { bIh: w.bIh!, bHh: w.bHh! });
    if (args.init) {
      inputs.h0 = args.init.h;
      if (cell === 'lstm') inputs.c0 = args.init.c ?? tf.zerosLike(args.init.h);
    }
    const outs = tf.engine().runKernel(CPU_FORWARD, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    const lstm = cell === 'lstm';
    const result: FusedDirectionResult = {
      h: outs[1] as tf.Tensor3D,
      final: { h: outs[2] as tf.Tensor2D, c: lstm ? (outs[3] as tf.Tensor2D) : undefined },
      gates: {},
    };
    if (args.trace) {
      let k = lstm ? 4 : 3;
      if (lstm) result.c = outs[k++] as tf.Tensor3D;
      for (const g of GATE_NAMES[cell]) result.gates[g] = outs[k++] as tf.Tensor3D;
    }
    return result;
  }
}

/**
 * Load the module (its bytes: dist/seqlab-recurrence.wasm) and route every RNN/LSTM/GRU direction
 * through it while the backend is 'wasm' or 'cpu'. Returns the registered kernel.
 */
export function registerCpuKernels(bytes: BufferSource): CpuRecurrence {
  mod ??= new RecurrenceModule(bytes);
  registerKernels();
  const k = new CpuRecurrence();
  setRecurrenceKernel(k);
  return k;
}

/** The loaded module (tests check its exp/tanh and products directly). */
export function recurrenceModule(): RecurrenceModule | undefined {
  return mod;
}

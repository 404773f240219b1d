/**
 * The fused recurrent layer as tfjs kernels on the 'webgpu' backend, with its gradient, so that
 * autodiff sees ONE node per layer direction:
 *
 *   SeqlabRecurrentForward  inputs x [T*B, I] (time order), wIh, wHh, bIh?, bHh?, h0?, c0?
 *                           programs: X W_ih^T for all T steps in one matmul, written straight
 *                           into the state buffer S, then the recurrence, in place on S
 *                           outputs [S, h [T, B, H] time order, h_n, c_n (LSTM)]
 *   its gradient            the backward recurrence, in place on S (its G rows become the gate
 *                           gradients dXP / dHP; dh0, dc0 at its end) -> D (= S's buffer), then
 *                           dW_ih = dXP^T X, dW_hh = dHP^T H_prev, dx = dXP W_ih: ONE matmul each
 *                           over all T*B rows; db_ih, db_hh: one column sum each.
 *   SeqlabMatMul, SeqlabColumnSum  those matmuls and sums (4x4 output blocks per invocation)
 *   SeqlabRecurrentBackward the backward program (no gradient of its own)
 *   SeqlabGatherRows        row copies out of S (slices, reversal to time order, gate picks)
 */
import * as tf from '../core/tf';
import type { CellType, RnnActivation } from '../core/spec';
import {
  ColumnSumProgram, GatherRowsProgram, MatMulProgram, RecurrentBackwardProgram, RecurrentForwardProgram, TransposeProgram, dhpColumns, gatesOf, stateLayout, unitsPerInvocation,
  type BackwardShape, type Mode, type Program, type RecurrentShape,
} from './programs';

export const FORWARD = 'SeqlabRecurrentForward';
export const BACKWARD = 'SeqlabRecurrentBackward';
export const GATHER = 'SeqlabGatherRows';
export const MATMUL = 'SeqlabMatMul';
export const COLSUM = 'SeqlabColumnSum';

type Uniform = { type: 'int32' | 'float32'; data: number[] };
/** The part of tfjs-backend-webgpu's WebGPUBackend used here. */
export interface WebGpuBackendLike {
  runWebGPUProgram(program: Program, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: Uniform[], output?: tf.TensorInfo): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  /** A tensor without data yet; its buffer is acquired (uninitialised) by the first program writing it. */
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  incRef(dataId: object): void;
}

export interface MatMulAttrs {
  M: number; N: number; K: number; transA: boolean; transB: boolean;
  aOff: number; bOff: number;
  /** Row strides of A and B (the stored, possibly transposed, layout). */
  lda: number; ldb: number;
  /** A's column m is m + aShift from column aSplit on (GRU's dHP: slot 3 holds the n block). */
  aSplit: number; aShift: number;
  /** B's rows in time order of a reverse direction: row t*Bt + b reads (Tt-1-t)*Bt + b. */
  rev: boolean; Bt: number; Tt: number;
}

/** Dense row-major A [M, K] (or [K, M] when transA) and B, plain row order over K rows. */
function dense(M: number, N: number, K: number, transA: boolean, transB: boolean): MatMulAttrs {
  return { M, N, K, transA, transB, aOff: 0, bOff: 0, lda: transA ? M : K, ldb: transB ? K : N, aSplit: M, aShift: 0, rev: false, Bt: 1, Tt: K };
}

/** Runs the matmul into a new [M, N] tensor, or into `into`'s buffer at row stride ldc from cOff. */
function matMulInfo(backend: WebGpuBackendLike, a: tf.TensorInfo, b: tf.TensorInfo, m: MatMulAttrs,
  into?: { out: tf.TensorInfo; cOff: number; ldc: number }): tf.TensorInfo {
  const out = backend.runWebGPUProgram(new MatMulProgram(m.M, m.N, m.transA, m.transB, MatMulProgram.canVec4(m)), [a, b], 'float32',
    int(m.M, m.N, m.K, m.aOff, m.bOff, m.rev ? 1 : 0, m.Bt, m.Tt, m.lda, m.ldb, into?.cOff ?? 0, into?.ldc ?? m.N, m.aSplit, m.aShift), into?.out);
  return into ? out : { dataId: out.dataId, shape: [m.M, m.N], dtype: 'float32' };
}


function matMul(a: tf.Tensor, b: tf.Tensor, m: MatMulAttrs): tf.Tensor2D {
  return tf.engine().runKernel(MATMUL, { a, b }, m as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/** Column sums of R rows (stride ld) from off; column c reads c + (c >= split ? shift : 0). */
interface ColumnSumAttrs { R: number; C: number; off: number; ld: number; split: number; shift: number }

function columnSum(x: tf.Tensor, a: ColumnSumAttrs): tf.Tensor1D {
  return tf.engine().runKernel(COLSUM, { x }, a as unknown as tf.NamedAttrMap) as tf.Tensor1D;
}

export interface ForwardAttrs {
  cell: CellType;
  activation: RnnActivation;
  reverse: boolean;
  mode: Mode;
  T: number;
  B: number;
  H: number;
  bias: boolean;
  hasInit: boolean;
  sharedW: boolean;
}

const int = (...data: number[]): Uniform[] => data.map((d) => ({ type: 'int32', data: [d] }));

function shapeOf(a: ForwardAttrs): RecurrentShape {
  return { cell: a.cell, activation: a.activation, B: a.B, H: a.H, reverse: a.reverse, bias: a.bias, hasInit: a.hasInit, mode: a.mode, sharedW: a.sharedW };
}

export interface GatherAttrs {
  shape: number[];
  /** rows, batch, width of the output; source offset and strides; row(t) = a + t or a - t. */
  nb: number;
  nw: number;
  base: number;
  rowStride: number;
  bStride: number;
  col: number;
  a: number;
  rev: boolean;
}

function gatherInfo(backend: WebGpuBackendLike, x: tf.TensorInfo, g: GatherAttrs): tf.TensorInfo {
  const n = g.shape.reduce((p, q) => p * q, 1);
  const out = backend.runWebGPUProgram(new GatherRowsProgram(n), [x], 'float32',
    int(n, g.nb, g.nw, g.base, g.rowStride, g.bStride, g.col, g.a, g.rev ? 1 : 0));
  return { dataId: out.dataId, shape: g.shape, dtype: 'float32' };
}

/** Contiguous [off, off + prod(shape)) of a flat buffer. */
const span = (shape: number[], off: number): GatherAttrs => {
  const n = shape.reduce((p, q) => p * q, 1);
  return { shape, nb: 1, nw: n, base: off, rowStride: 0, bStride: 0, col: 0, a: 0, rev: false };
};

/** Rows of a [(rows), B, width] region in time order for T steps: processing row s(t) + shift. */
export const timeRows = (a: ForwardAttrs, base: number, width: number, shift: number, col = 0, outWidth = a.H): GatherAttrs => ({
  shape: [a.T, a.B, outWidth], nb: a.B, nw: outWidth, base, rowStride: a.B * width, bStride: width, col,
  a: a.reverse ? a.T - 1 + shift : shift, rev: a.reverse,
});

export function gather(x: tf.Tensor, g: GatherAttrs): tf.Tensor {
  return tf.engine().runKernel(GATHER, { x }, g as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** The recurrence over all T steps, in place on S: one dispatch ('sequence') or one per step. */
function runRecurrence(backend: WebGpuBackendLike, make: () => RecurrentForwardProgram | RecurrentBackwardProgram,
  inputs: tf.TensorInfo[], S: tf.TensorInfo, T: number, mode: Mode, backward: boolean, extra: boolean): void {
  if (mode === 'sequence') {
    backend.runWebGPUProgram(make(), inputs, 'float32', int(T, 0), S);
    return;
  }
  // a fresh program object each time (runWebGPUProgram rewrites shaderKey)
  const order = Array.from({ length: T }, (_, i) => (backward ? T - 1 - i : i));
  if (extra) order.push(-1);
  for (const s of order) backend.runWebGPUProgram(make(), inputs, 'float32', int(T, s), S);
}

function pick(inputs: tf.NamedTensorInfoMap, names: string[]): tf.TensorInfo[] {
  return names.map((n) => {
    const t = inputs[n];
    if (!t) throw new Error(`seqlab fused kernel: input '${n}' missing`);
    return t;
  });
}

function forwardKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const backend = args.backend as WebGpuBackendLike;
  const a = args.attrs as unknown as ForwardAttrs;
  const i = args.inputs;
  const p = shapeOf(a);
  const [x, wIh] = pick(i, ['x', 'wIh']);
  const L = stateLayout(a.cell, a.T, a.B, a.H);
  const S = backend.makeTensorInfo([L.total], 'float32');
  // the input projection of all T steps in one dispatch, into S's G region; biases are added in
  // the recurrence, which then overwrites it with the gate activations
  const GH = gatesOf(a.cell) * a.H;
  matMulInfo(backend, x, wIh, dense(a.T * a.B, GH, x.shape[1], false, true), { out: S, cOff: L.gOff, ldc: L.SG });
  const ins = pick(i, ['wHh', ...(a.bias ? ['bIh', 'bHh'] : []), ...(a.hasInit ? ['h0', ...(a.cell === 'lstm' ? ['c0'] : [])] : [])]);
  // 4 units per invocation read W_hh^T (units contiguous) as vec4: one transpose per forward
  const wT = unitsPerInvocation(a.H) === 4
    ? backend.runWebGPUProgram(new TransposeProgram(GH * a.H), [ins[0]], 'float32', int(GH, a.H)) : undefined;
  if (wT) ins[0] = { dataId: wT.dataId, shape: [a.H, GH], dtype: 'float32' };
  runRecurrence(backend, () => new RecurrentForwardProgram(p, a.T), ins, S, a.T, a.mode, false, false);
  if (wT) backend.disposeData(wT.dataId);
  const BH = a.B * a.H;
  const outs = [
    S,
    gatherInfo(backend, S, timeRows(a, L.hOff, a.H, 1)),
    gatherInfo(backend, S, span([a.B, a.H], L.hOff + a.T * BH)),
  ];
  if (a.cell === 'lstm') outs.push(gatherInfo(backend, S, span([a.B, a.H], L.cOff + a.T * BH)));
  return outs;
}

function backwardKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WebGpuBackendLike;
  const a = args.attrs as unknown as ForwardAttrs & { hasDhs: boolean; hasDhN: boolean; hasDcN: boolean };
  const i = args.inputs;
  const p: BackwardShape = { ...shapeOf(a), hasDhs: a.hasDhs, hasDhN: a.hasDhN, hasDcN: a.hasDcN };
  const [S] = pick(i, ['S']);
  const ins = pick(i, ['wHh', ...(a.hasDhs ? ['dhs'] : []), ...(a.hasDhN ? ['dhN'] : []), ...(a.hasDcN ? ['dcN'] : [])]);
  // in place: S's gates become gate gradients (S is not read again after its one gradient)
  runRecurrence(backend, () => new RecurrentBackwardProgram(p, a.T), ins, S, a.T, a.mode, true, a.hasInit);
  backend.incRef(S.dataId);
  return { dataId: S.dataId, shape: S.shape, dtype: 'float32' };
}

function matMulKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const [a, b] = pick(args.inputs, ['a', 'b']);
  return matMulInfo(args.backend as WebGpuBackendLike, a, b, args.attrs as unknown as MatMulAttrs);
}

function columnSumKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const c = args.attrs as unknown as ColumnSumAttrs;
  const out = (args.backend as WebGpuBackendLike).runWebGPUProgram(new ColumnSumProgram(c.C), pick(args.inputs, ['x']), 'float32',
    int(c.R, c.C, c.off, c.ld, c.split, c.shift));
  return { dataId: out.dataId, shape: [c.C], dtype: 'float32' };
}

function gatherKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  return gatherInfo(args.backend as WebGpuBackendLike, pick(args.inputs, ['x'])[0], args.attrs as unknown as GatherAttrs);
}

function forwardGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): Record<string, () => tf.Tensor> {
  const a = attrs as unknown as ForwardAttrs;
  const [, dhs, dhN, dcN] = dy as (tf.Tensor | null)[];
  const [x, wIh, wHh, S] = saved;
  const GH = gatesOf(a.cell) * a.H;
  const R = a.T * a.B;
  const I = x.shape[1]!;
  const flags = { hasDhs: !!dhs, hasDhN: !!dhN, hasDcN: !!dcN && a.cell === 'lstm' };
  // all T steps of the backward recurrence, in place: D is S's buffer, its G rows now dXP / dHP
  const D = tf.engine().runKernel(BACKWARD, {
    S, wHh, ...(dhs ? { dhs } : {}), ...(dhN ? { dhN } : {}), ...(flags.hasDcN ? { dcN: dcN! } : {}),
  }, { ...attrs, ...flags }) as tf.Tensor;
  const L = stateLayout(a.cell, a.T, a.B, a.H);
  const dhp = dhpColumns(a.cell, a.H);
  // weight gradients as ONE matmul over all T*B rows each; H_prev read from S's h region in time order
  const grads: Record<string, () => tf.Tensor> = {
    x: () => matMul(D, wIh, { ...dense(R, I, GH, false, false), aOff: L.gOff, lda: L.SG }),
    wIh: () => matMul(D, x, { ...dense(GH, I, R, true, false), aOff: L.gOff, lda: L.SG }),
    wHh: () => matMul(D, D, {
      ...dense(GH, a.H, R, true, false), aOff: L.gOff, lda: L.SG, aSplit: dhp.split, aShift: dhp.shift,
      bOff: L.hOff, rev: a.reverse, Bt: a.B, Tt: a.T,
    }),
  };
  if (a.bias) {
    grads.bIh = () => columnSum(D, { R, C: GH, off: L.gOff, ld: L.SG, split: GH, shift: 0 });
    grads.bHh = () => columnSum(D, { R, C: GH, off: L.gOff, ld: L.SG, ...dhp });
  }
  if (a.hasInit) {
    grads.h0 = () => gather(D, span([a.B, a.H], L.d0Off));
    if (a.cell === 'lstm') grads.c0 = () => gather(D, span([a.B, a.H], L.carryOff));
  }
  return grads;
}

let registered = false;

/** Register the kernels and the gradient with tfjs (idempotent). */
export function registerKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: FORWARD, backendName: 'webgpu', kernelFunc: forwardKernel as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: BACKWARD, backendName: 'webgpu', kernelFunc: backwardKernel as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: GATHER, backendName: 'webgpu', kernelFunc: gatherKernel as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: MATMUL, backendName: 'webgpu', kernelFunc: matMulKernel as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: COLSUM, backendName: 'webgpu', kernelFunc: columnSumKernel as unknown as tf.KernelFunc });
  tf.registerGradient({ kernelName: FORWARD, inputsToSave: ['x', 'wIh', 'wHh'], outputsToSave: [true], gradFunc: forwardGrad as unknown as tf.GradFunc });
}


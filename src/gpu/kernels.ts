/**
 * The fused recurrent layer as tfjs kernels on the 'webgpu' backend, with its gradient, so that
 * autodiff sees ONE node per layer direction:
 *
 *   SeqlabRecurrentForward  inputs xp = X W_ih^T [T*B, G*H], wHh, bIh?, bHh?, h0?, c0?
 *                           outputs [S (state buffer), h [T, B, H] time order, h_n, c_n (LSTM)]
 *   its gradient            one backward program (all steps) -> dXP (= d xp = d b_ih), and
 *                           dW_hh = dHP^T H_prev as ONE matmul over all T*B rows, db_hh = sum dHP,
 *                           dh0, dc0; d x and dW_ih come from the ordinary matMul's gradient
 *                           (again one matmul each over all timesteps).
 *   SeqlabRecurrentBackward the backward program (no gradient of its own)
 *   SeqlabGatherRows        row copies out of S / D (slices, reversal to time order, gate picks)
 */
import * as tf from '../core/tf';
import type { CellType, RnnActivation } from '../core/spec';
import {
  GatherRowsProgram, RecurrentBackwardProgram, RecurrentForwardProgram, gatesOf, gradLayout, stateLayout,
  type BackwardShape, type Mode, type Program, type RecurrentShape,
} from './programs';

export const FORWARD = 'SeqlabRecurrentForward';
export const BACKWARD = 'SeqlabRecurrentBackward';
export const GATHER = 'SeqlabGatherRows';

type Uniform = { type: 'int32' | 'float32'; data: number[] };
/** The part of tfjs-backend-webgpu's WebGPUBackend used here. */
export interface WebGpuBackendLike {
  runWebGPUProgram(program: Program, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: Uniform[], output?: tf.TensorInfo): tf.TensorInfo;
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
}

const int = (...data: number[]): Uniform[] => data.map((d) => ({ type: 'int32', data: [d] }));

function shapeOf(a: ForwardAttrs): RecurrentShape {
  return { cell: a.cell, activation: a.activation, B: a.B, H: a.H, reverse: a.reverse, bias: a.bias, hasInit: a.hasInit, mode: a.mode };
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
const timeRows = (a: ForwardAttrs, base: number, width: number, shift: number, col = 0, outWidth = a.H): GatherAttrs => ({
  shape: [a.T, a.B, outWidth], nb: a.B, nw: outWidth, base, rowStride: a.B * width, bStride: width, col,
  a: a.reverse ? a.T - 1 + shift : shift, rev: a.reverse,
});

export function gather(x: tf.Tensor, g: GatherAttrs): tf.Tensor {
  return tf.engine().runKernel(GATHER, { x }, g as unknown as tf.NamedAttrMap) as tf.Tensor;
}

function runRecurrence(backend: WebGpuBackendLike, make: () => RecurrentForwardProgram | RecurrentBackwardProgram,
  inputs: tf.TensorInfo[], T: number, mode: Mode, backward: boolean, extra: boolean): tf.TensorInfo {
  if (mode === 'sequence') return backend.runWebGPUProgram(make(), inputs, 'float32', int(T, 0));
  // one dispatch per step; a fresh program object each time (runWebGPUProgram rewrites shaderKey)
  const order = Array.from({ length: T }, (_, i) => (backward ? T - 1 - i : i));
  if (extra) order.push(-1);
  let out: tf.TensorInfo | undefined;
  for (const s of order) out = backend.runWebGPUProgram(make(), inputs, 'float32', int(T, s), out);
  return out!;
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
  const ins = pick(i, ['xp', 'wHh', ...(a.bias ? ['bIh', 'bHh'] : []), ...(a.hasInit ? ['h0', ...(a.cell === 'lstm' ? ['c0'] : [])] : [])]);
  const S = runRecurrence(backend, () => new RecurrentForwardProgram(p, a.T), ins, a.T, a.mode, false, false);
  const L = stateLayout(a.cell, a.T, a.B, a.H);
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
  const ins = pick(i, ['S', 'wHh', ...(a.hasDhs ? ['dhs'] : []), ...(a.hasDhN ? ['dhN'] : []), ...(a.hasDcN ? ['dcN'] : [])]);
  return runRecurrence(backend, () => new RecurrentBackwardProgram(p, a.T), ins, a.T, a.mode, true, a.hasInit);
}

function gatherKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  return gatherInfo(args.backend as WebGpuBackendLike, pick(args.inputs, ['x'])[0], args.attrs as unknown as GatherAttrs);
}

function forwardGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): Record<string, () => tf.Tensor> {
  const a = attrs as unknown as ForwardAttrs;
  const [, dhs, dhN, dcN] = dy as (tf.Tensor | null)[];
  const [wHh, S] = saved;
  const G = gatesOf(a.cell);
  const GH = G * a.H;
  const flags = { hasDhs: !!dhs, hasDhN: !!dhN, hasDcN: !!dcN && a.cell === 'lstm' };
  const D = tf.engine().runKernel(BACKWARD, {
    S, wHh, ...(dhs ? { dhs } : {}), ...(dhN ? { dhN } : {}), ...(flags.hasDcN ? { dcN: dcN! } : {}),
  }, { ...attrs, ...flags }) as tf.Tensor;
  const L = gradLayout(a.cell, a.T, a.B, a.H);
  const dXP = gather(D, span([a.T * a.B, GH], L.dxpOff)) as tf.Tensor2D;
  const dHP = (): tf.Tensor2D => (a.cell === 'gru' ? (gather(D, span([a.T * a.B, GH], L.dhpOff)) as tf.Tensor2D) : dXP);
  let dbMemo: tf.Tensor | undefined;
  const grads: Record<string, () => tf.Tensor> = {
    xp: () => dXP,
    wHh: () => {
      const hPrev = tf.reshape(gather(S, timeRows(a, stateLayout(a.cell, a.T, a.B, a.H).hOff, a.H, 0)), [a.T * a.B, a.H]);
      return tf.matMul(dHP(), hPrev, true, false);
    },
  };
  if (a.bias) {
    grads.bIh = () => (dbMemo = tf.sum(dXP, 0));
    grads.bHh = () => (a.cell === 'gru' ? tf.sum(dHP(), 0) : dbMemo && !dbMemo.isDisposed ? tf.clone(dbMemo) : tf.sum(dXP, 0));
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
  tf.registerGradient({ kernelName: FORWARD, inputsToSave: ['wHh'], outputsToSave: [true], gradFunc: forwardGrad as unknown as tf.GradFunc });
}


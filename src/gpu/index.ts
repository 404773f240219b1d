/**
 * Fused recurrent kernels for the tfjs WebGPU backend. After `tf.setBackend('webgpu')`:
 *
 *   import { registerWebGpuKernels } from '../src/gpu';
 *   registerWebGpuKernels();
 *
 * From then on every RNN/LSTM/GRU direction that runs while the backend is 'webgpu' goes through
 * one fused forward program and one fused backward program (see programs.ts), with the input
 * projection and the weight gradients as single matmuls over all timesteps. On any other backend,
 * and for the gradient probe (`inject`), the op-by-op path of src/core/recurrent.ts runs.
 */
import * as tf from '../core/tf';
import { setRecurrenceKernel, type FusedDirectionArgs, type FusedDirectionResult, type RecurrenceKernel } from '../core/fused';
import type { GateName } from '../core/cells';
import { FORWARD, gather, registerKernels, timeRows, type ForwardAttrs } from './kernels';
import { SEQ_WORKGROUP, stateLayout, weightsFitWorkgroup, type Mode } from './programs';

export interface WebGpuKernelOptions {
  /**
   * 'sequence': one dispatch per direction (one workgroup loops over time); 'step': one dispatch
   * per timestep over B*H invocations; 'auto' (default) picks by size (see chooseMode).
   */
  mode?: Mode | 'auto';
  /**
   * 'sequence' mode: copy W_hh into workgroup memory when it fits (G*H*H floats <= 16 KiB:
   * LSTM H <= 32, GRU H <= 36, RNN H <= 64). Default false: on SwiftShader it made steps no
   * faster (up to 1.3x slower) and compiles 5-15x slower (`npm run bench:gpu -- --workgroup`);
   * a real GPU may differ, which is what the option is for.
   */
  workgroupWeights?: boolean;
}

/**
 * 'sequence' (one dispatch per direction) while one workgroup covers a whole step in one pass
 * (ceil(B/4) * H invocations <= 256: the hello-sized models); 'step' otherwise, so that a step's
 * work spreads over many workgroups, as real GPUs need. On SwiftShader both cost about the same at
 * batch 32, hidden 128 (bench/gpu: `--modes`), where dispatches are 137 vs 199 per training step.
 */
export function chooseMode(B: number, H: number): Mode {
  return Math.ceil(B / 4) * H <= SEQ_WORKGROUP ? 'sequence' : 'step';
}

const GATE_NAMES: Record<string, GateName[]> = { lstm: ['i', 'f', 'g', 'o'], gru: ['r', 'z', 'n'], rnn: [] };

export class WebGpuRecurrence implements RecurrenceKernel {
  readonly name = 'webgpu-fused';
  constructor(readonly options: WebGpuKernelOptions = {}) {}

  direction(args: FusedDirectionArgs): FusedDirectionResult | undefined {
    if (tf.getBackend() !== 'webgpu') return undefined;
    const { w, x, units: H, cell } = args;
    if (!!w.bIh !== !!w.bHh) return undefined;
    const [T, B, I] = x.shape;
    if (T === 0 || B === 0) return undefined;
    const bias = !!w.bIh;
    const hasInit = !!args.init;
    const mode = this.options.mode && this.options.mode !== 'auto' ? this.options.mode : chooseMode(B, H);
    const sharedW = mode === 'sequence' && this.options.workgroupWeights === true && weightsFitWorkgroup(cell, H);
    const attrs: ForwardAttrs = { cell, activation: args.activation, reverse: args.reverse, mode, T, B, H, bias, hasInit, sharedW };
    const inputs: tf.NamedTensorMap = { x: tf.reshape(x, [T * B, I]), wIh: w.wIh, wHh: w.wHh };
    if (bias) Object.assign(inputs, { bIh: w.bIh!, bHh: w.bHh! });
    if (args.init) {
      inputs.h0 = args.init.h;
      if (cell === 'lstm') inputs.c0 = args.init.c ?? tf.zerosLike(args.init.h);
    }
    const outs = tf.engine().runKernel(FORWARD, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    const [S, h, hN, cN] = outs;
    const result: FusedDirectionResult = {
      h: h as tf.Tensor3D,
      final: { h: hN as tf.Tensor2D, c: cell === 'lstm' ? (cN as tf.Tensor2D) : undefined },
      gates: {},
    };
    if (args.trace) {
      const L = stateLayout(cell, T, B, H);
      if (cell === 'lstm') result.c = gather(S, timeRows(attrs, L.cOff, H, 1)) as tf.Tensor3D;
      // the G region is in time order
      GATE_NAMES[cell].forEach((g, k) => {
        result.gates[g] = gather(S, { shape: [T, B, H], nb: B, nw: H, base: L.gOff, rowStride: B * L.SG, bStride: L.SG, col: k * H, a: 0, rev: false }) as tf.Tensor3D;
      });
    }
    return result;
  }
}

/** Register the WGSL kernels and route recurrent layers through them while the backend is 'webgpu'. */
export function registerWebGpuKernels(options: WebGpuKernelOptions = {}): WebGpuRecurrence {
  registerKernels();
  const k = new WebGpuRecurrence(options);
  setRecurrenceKernel(k);
  return k;
}

export { setRecurrenceKernel };

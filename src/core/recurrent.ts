/**
 * A stack of recurrent layers, each forward-only or bidirectional, with PyTorch's parameter
 * names (`weight_ih_l0`, `bias_hh_l1_reverse`, ...). Runs time-major: x is [T, B, I].
 *
 * Per layer and direction the work is: one matmul for the input projection of all T steps,
 * then T steps of one recurrent matmul plus the gate arithmetic.
 *
 * Variable-length batches (`lengths`), as PyTorch's packed sequences: sequence b runs over its
 * own first lengths[b] steps only. With m_t[b] = 1 if t < lengths[b] else 0,
 *
 *   s_t    = m_t * cell(x_t, s_{t-1}) + (1 - m_t) * s_{t-1}     (a finished sequence keeps its state)
 *   out_t  = m_t * h_t                                          (zero at and after the length)
 *
 * so h_n / c_n are each sequence's state after its own last step, and the backward direction of a
 * bidirectional layer, which processes t = T-1 .. 0, keeps its initial state until t = lengths[b]-1.
 * Padding gets no gradient (every path from it is multiplied by m_t = 0).
 */
import * as tf from './tf';
import { makeCell, type Cell, type CellState, type CellWeights, type GateName } from './cells';
import type { CellType, LayerSpec, MergeMode } from './spec';
import { Rng } from './rng';
import { getRecurrenceKernel, noteFallback, type FusedDirectionResult } from './fused';

/** One layer as the DSL describes it (cell, units, activation, bias, bidirectional, merge, dropout). */
export type LayerConfig = LayerSpec;

export type Direction = 'forward' | 'backward';

/** Per layer and direction, stacked over time: h [T, B, H], c [T, B, H], gates [T, B, H]. */
export interface LayerTrace {
  layer: number;
  direction: Direction;
  cell: CellType;
  units: number;
  h: tf.Tensor3D;
  c?: tf.Tensor3D;
  gates: Partial<Record<GateName, tf.Tensor3D>>;
}

export interface RunOptions {
  /** Initial state per (layer, direction), index layer * D + d, as PyTorch's h_0. Zeros when absent. */
  init?: (CellState | undefined)[];
  training?: boolean;
  dropoutSeed?: number;
  trace?: boolean;
  /**
   * Zero tensors added to h_t inside the recurrence (h_t' = h_t + e_t feeds both the output and
   * step t+1), keyed `${layer}:${direction}`: the gradient with respect to e_t is dL/dh_t.
   */
  inject?: Map<string, tf.Tensor2D[]>;
  /** Per-sequence lengths [B], each 1..T (0 for an empty truncated-BPTT window); absent: every sequence has T steps. */
  lengths?: number[];
}

export interface RunResult {
  output: tf.Tensor3D;
  /** Final state per (layer, direction), PyTorch's h_n order. */
  final: CellState[];
  traces?: LayerTrace[];
}

export function directions(l: LayerConfig): number {
  return l.bidirectional ? 2 : 1;
}

export function mergedWidth(l: LayerConfig): number {
  return l.bidirectional && l.merge === 'concat' ? 2 * l.units : l.units;
}

export class RecurrentStack {
  readonly params = new Map<string, tf.Variable>();
  private readonly cells: Cell[];

  constructor(
    readonly prefix: string,
    readonly inputSize: number,
    readonly layers: LayerConfig[],
    rng: Rng,
  ) {
    this.cells = layers.map((l) => makeCell(l.cell, l.activation));
    layers.forEach((l, k) => {
      const inSize = k === 0 ? inputSize : mergedWidth(layers[k - 1]);
      const G = this.cells[k].gates;
      // PyTorch: every recurrent weight and bias ~ U(-1/sqrt(H), 1/sqrt(H))
      const bound = 1 / Math.sqrt(l.units);
      for (let d = 0; d < directions(l); d++) {
        const suffix = `_l${k}${d === 1 ? '_reverse' : ''}`;
        const mk = (name: string, shape: number[]) => {
          const n = shape.reduce((a, b) => a * b, 1);
          const data = new Float32Array(n);
          for (let i = 0; i < n; i++) data[i] = rng.uniform(-bound, bound);
          const full = this.paramName(name + suffix);
          this.params.set(full, tf.tidy(() => tf.parameter(tf.tensor(data, shape), full)));
        };
        mk('weight_ih', [G * l.units, inSize]);
        mk('weight_hh', [G * l.units, l.units]);
        if (l.bias) {
          mk('bias_ih', [G * l.units]);
          mk('bias_hh', [G * l.units]);
        }
      }
    });
  }

  /** `rnn.weight_ih_l0`, or plain `weight_ih_l0` for a bare torch.nn.RNN/LSTM/GRU (prefix ''). */
  paramName(local: string): string {
    return this.prefix ? `${this.prefix}.${local}` : local;
  }

  get outputSize(): number {
    return mergedWidth(this.layers[this.layers.length - 1]);
  }

  get numStates(): number {
    return this.layers.reduce((a, l) => a + directions(l), 0);
  }

  weights(k: number, d: number): CellWeights {
    const s = `_l${k}${d === 1 ? '_reverse' : ''}`;
    const p = (n: string) => this.params.get(this.paramName(n + s));
    return {
      wIh: p('weight_ih') as tf.Tensor2D,
      wHh: p('weight_hh') as tf.Tensor2D,
      bIh: p('bias_ih') as tf.Tensor1D | undefined,
      bHh: p('bias_hh') as tf.Tensor1D | undefined,
    };
  }

  run(x: tf.Tensor3D, opts: RunOptions = {}): RunResult {
    const [T, B] = x.shape;
    const final: CellState[] = [];
    const traces: LayerTrace[] = [];
    const lengths = opts.lengths && opts.lengths.some((n) => n !== T) ? opts.lengths : undefined;
    // m_t [B, 1] per timestep (time order), only for a batch whose sequences differ in length
    const masks = lengths && stepMasks(lengths, T);
    let input = x;
    this.layers.forEach((l, k) => {
      const cell = this.cells[k];
      const outs: tf.Tensor3D[] = [];
      const D = directions(l);
      for (let d = 0; d < D; d++) {
        const w = this.weights(k, d);
        const idx = final.length;
        const dir: Direction = d === 0 ? 'forward' : 'backward';
        // a registered fused kernel (src/core/fused.ts) may run the whole direction; it returns time order
        const injected = opts.inject?.get(`${k}:${dir}`);
        const kernel = getRecurrenceKernel();
        let fused: FusedDirectionResult | undefined;
        if (kernel && lengths && !kernel.supportsLengths) {
          noteFallback(`the ${kernel.name} kernel does not take per-sequence lengths; this variable-length batch ran op by op`);
        } else if (kernel && (!injected || (kernel.supportsInject && !lengths))) {
          fused = kernel.direction({
            cell: l.cell, activation: l.activation, units: l.units, x: input, reverse: d === 1, w, init: opts.init?.[idx], trace: !!opts.trace, lengths,
            // the injected zeros come in processing order; the kernel takes time order
            ...(injected ? { inject: tf.stack(d === 0 ? injected : [...injected].reverse()) as tf.Tensor3D } : {}),
          });
        }
        if (fused) {
          final.push(fused.final);
          outs.push(fused.h);
          if (opts.trace) traces.push({ layer: k, direction: dir, cell: l.cell, units: l.units, h: fused.h, c: fused.c, gates: fused.gates });
          continue;
        }
        const init = opts.init?.[idx] ?? zeroState(cell, B, l.units);
        const xp = tf.reshape(cell.projectInputs(tf.reshape(input, [T * B, input.shape[2]]), w), [T, B, -1]) as tf.Tensor3D;
        const r = runDirection(cell, w, d === 0 ? xp : tf.reverse(xp, 0), init, {
          trace: !!opts.trace,
          inject: injected,
          masks: masks && (d === 0 ? masks : [...masks].reverse()),
        });
        final.push(r.final);
        const rev = <T extends tf.Tensor>(t: T): T => (d === 0 ? t : (tf.reverse(t, 0) as T));
        outs.push(rev(r.h));
        if (opts.trace) {
          const gates: Partial<Record<GateName, tf.Tensor3D>> = {};
          for (const [g, t] of Object.entries(r.gates)) gates[g as GateName] = rev(t);
          traces.push({ layer: k, direction: dir, cell: l.cell, units: l.units, h: rev(r.h), c: r.c && rev(r.c), gates });
        }
      }
      let out = D === 1 ? outs[0] : merge(outs[0], outs[1], l.merge);
      // PyTorch's nn.RNN/LSTM/GRU(dropout=p): on the outputs of every layer but the top one, in
      // training only, kept values scaled by 1 / (1 - p). The top layer's dropout has no effect
      // (the DSL warns); dropout before the head is the head's own (model.ts).
      if (opts.training && l.dropout > 0 && k < this.layers.length - 1) {
        out = tf.dropout(out, l.dropout, undefined, (opts.dropoutSeed ?? 0) + k) as tf.Tensor3D;
      }
      input = out;
    });
    return { output: input, final, traces: opts.trace ? traces : undefined };
  }

  /**
   * One timestep through every layer of a forward-only stack (a decoder fed one token at a time,
   * as attention needs): x_t [B, I] -> the top layer's h_t, and the new state of every layer.
   * Layer k > 0 reads layer k-1's h_t (after dropout when training).
   */
  step(xt: tf.Tensor2D, states: CellState[], opts: { training?: boolean; dropoutSeed?: number } = {}): { h: tf.Tensor2D; states: CellState[] } {
    const next: CellState[] = [];
    let input = xt;
    this.layers.forEach((l, k) => {
      if (l.bidirectional) throw new Error(`${this.prefix}: step() runs forward-only layers`);
      const cell = this.cells[k];
      const w = this.weights(k, 0);
      const s = cell.step(cell.projectInputs(input, w), states[k], w, false).state;
      next.push(s);
      input = opts.training && l.dropout > 0 && k < this.layers.length - 1
        ? (tf.dropout(s.h, l.dropout, undefined, (opts.dropoutSeed ?? 0) + k) as tf.Tensor2D)
        : s.h;
    });
    return { h: next[next.length - 1].h, states: next };
  }
}

/** m_t [B, 1] for t = 0 .. T-1: 1 where t < lengths[b], else 0. */
export function stepMasks(lengths: number[], T: number): tf.Tensor2D[] {
  return Array.from({ length: T }, (_, t) => tf.tensor2d(lengths.map((n) => (t < n ? 1 : 0)), [lengths.length, 1]));
}

export function zeroState(cell: Cell, B: number, H: number): CellState {
  return { h: tf.zeros([B, H]), c: cell.hasCellState ? tf.zeros([B, H]) : undefined };
}

function merge(a: tf.Tensor3D, b: tf.Tensor3D, mode: MergeMode): tf.Tensor3D {
  switch (mode) {
    case 'concat': return tf.concat([a, b], 2);
    case 'sum': return tf.add(a, b);
    case 'mul': return tf.mul(a, b);
    case 'avg': return tf.mul(tf.add(a, b), 0.5);
  }
}

interface DirectionResult {
  h: tf.Tensor3D;
  c?: tf.Tensor3D;
  gates: Partial<Record<GateName, tf.Tensor3D>>;
  final: CellState;
}

/** Unroll one direction over time (xp and masks already in processing order). */
function runDirection(
  cell: Cell, w: CellWeights, xp: tf.Tensor3D, init: CellState,
  o: { trace: boolean; inject?: tf.Tensor2D[]; masks?: tf.Tensor2D[] },
): DirectionResult {
  const steps = tf.unstack0(xp) as tf.Tensor2D[];
  let s = init;
  const hs: tf.Tensor2D[] = [];
  const cs: tf.Tensor2D[] = [];
  const gs: Partial<Record<GateName, tf.Tensor2D[]>> = {};
  steps.forEach((xt, t) => {
    const r = cell.step(xt, s, w, o.trace);
    let next = r.state;
    let out = next.h;
    if (o.masks) {
      // s_t = m_t * cell(x_t, s_{t-1}) + (1 - m_t) * s_{t-1};  out_t = m_t * h_t
      const m = o.masks[t];
      const keep = tf.sub(1, m);
      const blend = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.add(tf.mul(a, m), tf.mul(b, keep)) as tf.Tensor2D;
      next = { h: blend(next.h, s.h), c: next.c && blend(next.c, s.c!) };
      out = tf.mul(next.h, m);
    }
    s = next;
    if (o.inject) {
      s = { ...s, h: tf.add(s.h, o.inject[t]) };
      out = o.masks ? tf.mul(s.h, o.masks[t]) : s.h;
    }
    hs.push(out);
    if (o.trace) {
      if (s.c) cs.push(s.c);
      for (const [g, v] of Object.entries(r.gates ?? {})) (gs[g as GateName] ??= []).push(v);
    }
  });
  const gates: Partial<Record<GateName, tf.Tensor3D>> = {};
  for (const [g, v] of Object.entries(gs)) gates[g as GateName] = tf.stack(v) as tf.Tensor3D;
  return { h: tf.stack(hs) as tf.Tensor3D, c: o.trace && cs.length ? (tf.stack(cs) as tf.Tensor3D) : undefined, gates, final: s };
}

/**
 * A hook for fused recurrent kernels. `RecurrentStack.run` asks the registered kernel to run one
 * direction of one layer; when none is registered, or it declines (returns undefined), the
 * op-by-op path of recurrent.ts runs, which stays the reference.
 *
 * Platform-neutral: implementations (e.g. the WebGPU one in src/gpu) are registered at runtime
 * by whoever runs on that backend.
 */
import type * as tf from './tf';
import type { CellState, CellWeights, GateName } from './cells';
import type { CellType, RnnActivation } from './spec';

export interface FusedDirectionArgs {
  cell: CellType;
  activation: RnnActivation;
  units: number;
  /** The layer's input in time order, [T, B, I]. */
  x: tf.Tensor3D;
  /** Process t = T-1 .. 0 (the backward direction of a bidirectional layer). */
  reverse: boolean;
  /** PyTorch layout: W_ih [G*H, I], W_hh [G*H, H], biases [G*H]. */
  w: CellWeights;
  /** Initial state (PyTorch h_0 / c_0); zeros when absent. */
  init?: CellState;
  /** Also return c and the gate activations over time. */
  trace: boolean;
  /**
   * Per-sequence lengths [B] of a variable-length batch (PyTorch's packed-sequence semantics, see
   * recurrent.ts): sequence b runs over its first lengths[b] steps, its h is zero after them, its
   * final state is the one after its own last step, and the reverse direction starts at
   * lengths[b] - 1. Only offered to a kernel whose `supportsLengths` is true; absent when every
   * sequence has T steps.
   */
  lengths?: number[];
  /**
   * Zeros [T, B, H] in time order added to h_t inside the recurrence (RunOptions.inject): the
   * gradient with respect to them is dL/dh_t over every path (the probe's ||dL/dh_t||). Only
   * offered to a kernel whose `supportsInject` is true, and never with `lengths`.
   */
  inject?: tf.Tensor3D;
}

export interface FusedDirectionResult {
  /** h_t in time order, [T, B, H] (for the reverse direction too). */
  h: tf.Tensor3D;
  /** LSTM cell states in time order (traces only). */
  c?: tf.Tensor3D;
  /** Gate activations in time order (traces only). */
  gates: Partial<Record<GateName, tf.Tensor3D>>;
  /** State after the last processed step (h_n, c_n). */
  final: CellState;
}

export interface RecurrenceKernel {
  readonly name: string;
  /**
   * True when `direction` implements `lengths`. A kernel without it is not asked to run a
   * variable-length batch: the op-by-op path runs, and the fallback is noted (see noteFallback).
   */
  readonly supportsLengths?: boolean;
  /** True when `direction` implements `inject` (else a probe's gradient runs op by op). */
  readonly supportsInject?: boolean;
  /** One direction of one layer, differentiable; undefined declines (the op-by-op path runs). */
  direction(args: FusedDirectionArgs): FusedDirectionResult | undefined;
}

let current: RecurrenceKernel | undefined;

/** Register (or, with undefined, remove) the fused kernel; returns the previous one. */
export function setRecurrenceKernel(kernel: RecurrenceKernel | undefined): RecurrenceKernel | undefined {
  const prev = current;
  current = kernel;
  return prev;
}

export function getRecurrenceKernel(): RecurrenceKernel | undefined {
  return current;
}

/**
 * Why the registered kernel did not run some direction, for the panel and the CLI to show
 * ("fell back to the op-by-op path because ..."). Reasons are kept once each, in order, until taken.
 */
const fallbacks = new Set<string>();

export function noteFallback(reason: string): void {
  fallbacks.add(reason);
}

/** The fallback reasons noted since the last call, oldest first; clears them. */
export function takeFallbacks(): string[] {
  const out = [...fallbacks];
  fallbacks.clear();
  return out;
}

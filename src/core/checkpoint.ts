/**
 * A run's checkpoint as plain data: what a run needs to continue exactly where it was. Written by
 * the training session (src/core/session.ts) and stored by the run store (checkpoint.json). No
 * TensorFlow.js here, so readers (the run store, the extension host) do not load it.
 */
import type { StateDict, TensorJson } from './stateDict';

export const CHECKPOINT_FORMAT = 'seqlab-checkpoint/1';

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  step: number;
  weights: StateDict;
  optimizer: OptimizerState;
  progress: TrainerProgress;
  /** The session's own bookkeeping: best validation so far, validations without improvement. */
  session: { best?: BestSoFar; sinceBest: number };
}

export interface BestSoFar {
  step: number;
  validLoss: number;
}

/** The optimizer's state (src/core/optim.ts; a type-only import keeps TensorFlow.js out of readers). */
export type { OptimizerState } from './optim';
import type { OptimizerState } from './optim';

/**
 * Where a trainer is in its run: the step, the data order and the shuffling RNG, and for truncated
 * BPTT the batch being walked and the state carried into its next window. With the weights and the
 * optimizer state it is everything the next step reads.
 */
export interface TrainerProgress {
  step: number;
  rng: number;
  order: number[];
  cursor: number;
  elapsedMs: number;
  tbptt?: { batch: number[]; offset: number; state?: { h: TensorJson; c?: TensorJson }[] };
  /** Reduce-on-plateau's rate and counters (src/core/schedule.ts); `best` is null before any validation (JSON has no Infinity). */
  schedule?: { lr: number; best: number | null; badEpochs: number; cooldownLeft: number };
}

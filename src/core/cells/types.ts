import type * as tf from '../tf';
import type { CellType } from '../spec';

/**
 * One direction of one layer, with PyTorch's layout: W_ih [G*H, I], W_hh [G*H, H],
 * b_ih and b_hh [G*H], the G gate blocks stacked in PyTorch's order.
 */
export interface CellWeights {
  wIh: tf.Tensor2D;
  wHh: tf.Tensor2D;
  bIh?: tf.Tensor1D;
  bHh?: tf.Tensor1D;
}

export interface CellState {
  h: tf.Tensor2D;
  /** LSTM only. */
  c?: tf.Tensor2D;
}

/** Every gate name a cell may have: LSTM i f g o, GRU r z n (PyTorch's names and order). */
export const GATE_NAMES = ['i', 'f', 'g', 'o', 'r', 'z', 'n'] as const;
export type GateName = (typeof GATE_NAMES)[number];

export interface StepOut {
  state: CellState;
  /** Gate activations [B, H], only when traces were asked for. */
  gates?: Partial<Record<GateName, tf.Tensor2D>>;
}

export interface Cell {
  type: CellType;
  /** Gate blocks G in the fused weights (RNN 1, LSTM 4, GRU 3). */
  gates: number;
  gateNames: GateName[];
  hasCellState: boolean;
  /**
   * The input projection for ALL timesteps in one matmul: X [N, I] -> [N, G*H], N = T*B.
   * Adds the biases that do not sit inside the recurrence.
   */
  projectInputs(x: tf.Tensor2D, w: CellWeights): tf.Tensor2D;
  /** One timestep: one recurrent matmul, then the gates from the fused pre-activations. */
  step(xp: tf.Tensor2D, s: CellState, w: CellWeights, trace: boolean): StepOut;
}

export interface CellOptions {
  /** RNN only. */
  activation: 'tanh' | 'relu';
}

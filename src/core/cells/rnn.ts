/**
 * Vanilla (Elman) RNN, as torch.nn.RNN:
 *
 *   h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),   act = tanh (default) or relu
 *
 * W_ih x_t + b_ih + b_hh is computed for every t in one matmul (projectInputs);
 * each step adds the single recurrent product W_hh h_{t-1}.
 *
 * The same lines, as data for the panel's unrolled view, are in equations.ts (test/core/cells.test.ts
 * keeps the two alike).
 */
import * as tf from '../tf';
import type { Cell, CellOptions, CellState, CellWeights, StepOut } from './types';
import { inputProjection, recurrentProjection } from './common';

export function rnnCell(opts: CellOptions): Cell {
  const act = opts.activation === 'relu' ? tf.relu : tf.tanh;
  return {
    type: 'rnn',
    gates: 1,
    gateNames: [],
    hasCellState: false,
    projectInputs: (x: tf.Tensor2D, w: CellWeights) => inputProjection(x, w, true),
    step(xp: tf.Tensor2D, s: CellState, w: CellWeights): StepOut {
      const h = act(tf.add(xp, recurrentProjection(s.h, w, false))) as tf.Tensor2D;
      return { state: { h } };
    },
  };
}

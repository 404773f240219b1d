/**
 * Gated recurrent unit, as torch.nn.GRU (gate blocks in PyTorch's order r, z, n):
 *
 *   r_t = sigmoid(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)          reset gate
 *   z_t = sigmoid(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)          update gate
 *   n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))     candidate: r applies to W_hn h + b_hn
 *   h_t = (1 - z_t) * n_t + z_t * h_{t-1}
 *
 * Because r multiplies (W_hn h + b_hn), b_hh stays inside the recurrence here.
 *
 * The same lines, as data for the panel's unrolled view, are in equations.ts (test/core/cells.test.ts
 * keeps the two alike).
 */
import * as tf from '../tf';
import type { Cell, CellState, CellWeights, StepOut } from './types';
import { inputProjection, recurrentProjection } from './common';

export function gruCell(): Cell {
  return {
    type: 'gru',
    gates: 3,
    gateNames: ['r', 'z', 'n'],
    hasCellState: false,
    projectInputs: (x: tf.Tensor2D, w: CellWeights) => inputProjection(x, w, false),
    step(xp: tf.Tensor2D, s: CellState, w: CellWeights, trace: boolean): StepOut {
      const hp = recurrentProjection(s.h, w, true);
      const [xr, xz, xn] = tf.split(xp, 3, 1) as tf.Tensor2D[];
      const [hr, hz, hn] = tf.split(hp, 3, 1) as tf.Tensor2D[];
      const r = tf.sigmoid(tf.add(xr, hr)) as tf.Tensor2D;
      const z = tf.sigmoid(tf.add(xz, hz)) as tf.Tensor2D;
      const n = tf.tanh(tf.add(xn, tf.mul(r, hn))) as tf.Tensor2D;
      // (1 - z) * n + z * h  ==  n + z * (h - n): one op fewer, same value
      const h = tf.add(n, tf.mul(z, tf.sub(s.h, n))) as tf.Tensor2D;
      return { state: { h }, gates: trace ? { r, z, n } : undefined };
    },
  };
}

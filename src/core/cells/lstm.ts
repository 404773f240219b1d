/**
 * Long short-term memory, as torch.nn.LSTM (gate blocks in PyTorch's order i, f, g, o):
 *
 *   i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)     input gate
 *   f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)     forget gate
 *   g_t = tanh   (W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)     candidate
 *   o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho)     output gate
 *   c_t = f_t * c_{t-1} + i_t * g_t                           cell state
 *   h_t = o_t * tanh(c_t)
 *
 * The four gates come from ONE fused weight: W_ih [4H, I] and W_hh [4H, H].
 *
 * The same lines, as data for the panel's unrolled view, are in equations.ts (test/core/cells.test.ts
 * keeps the two alike).
 */
import * as tf from '../tf';
import type { Cell, CellState, CellWeights, StepOut } from './types';
import { inputProjection, recurrentProjection } from './common';

export function lstmCell(): Cell {
  return {
    type: 'lstm',
    gates: 4,
    gateNames: ['i', 'f', 'g', 'o'],
    hasCellState: true,
    projectInputs: (x: tf.Tensor2D, w: CellWeights) => inputProjection(x, w, true),
    step(xp: tf.Tensor2D, s: CellState, w: CellWeights, trace: boolean): StepOut {
      const pre = tf.add(xp, recurrentProjection(s.h, w, false));
      const [pi, pf, pg, po] = tf.split(pre, 4, 1) as tf.Tensor2D[];
      const i: tf.Tensor2D = tf.sigmoid(pi);
      const f: tf.Tensor2D = tf.sigmoid(pf);
      const g: tf.Tensor2D = tf.tanh(pg);
      const o: tf.Tensor2D = tf.sigmoid(po);
      const c = tf.add(tf.mul(f, s.c!), tf.mul(i, g)) as tf.Tensor2D;
      const h = tf.mul(o, tf.tanh(c)) as tf.Tensor2D;
      return { state: { h, c }, gates: trace ? { i, f, g, o } : undefined };
    },
  };
}

import * as tf from '../tf';
import type { CellWeights } from './types';

/** X W_ih^T + b_ih (+ b_hh when the cell lets that bias sit outside the recurrence). */
export function inputProjection(x: tf.Tensor2D, w: CellWeights, withHiddenBias: boolean): tf.Tensor2D {
  let y: tf.Tensor2D = tf.matMul(x, w.wIh, false, true);
  if (w.bIh) y = tf.add(y, w.bIh);
  if (withHiddenBias && w.bHh) y = tf.add(y, w.bHh);
  return y;
}

/** h W_hh^T (+ b_hh when the cell needs that bias inside the recurrence, as GRU's n gate does). */
export function recurrentProjection(h: tf.Tensor2D, w: CellWeights, withHiddenBias: boolean): tf.Tensor2D {
  const y: tf.Tensor2D = tf.matMul(h, w.wHh, false, true);
  return withHiddenBias && w.bHh ? tf.add(y, w.bHh) : y;
}

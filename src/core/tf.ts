/**
 * The one place the core imports TensorFlow.js from: tfjs-core plus every op's gradient
 * (autodiff needs them registered; the umbrella @tensorflow/tfjs package is not used).
 * Backends are registered by the platform layer (Node: src/node/backend.ts; webview: webview/backend.ts).
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
export * from '@tensorflow/tfjs-core';

import { engine, reshape, unstack, type Tensor } from '@tensorflow/tfjs-core';

/** Like tf.tidy, for a function that returns plain values: every tensor it makes is disposed. */
export function scoped<T>(fn: () => T): T {
  engine().startScope();
  try {
    return fn();
  } finally {
    engine().endScope();
  }
}

/**
 * tf.unstack along axis 0 that stays differentiable for a single slice (tfjs 4.22's unstack
 * gradient fails when there is only one): T = 1 sequences, one-step truncated-BPTT windows.
 */
export function unstack0(x: Tensor): Tensor[] {
  return x.shape[0] === 1 ? [reshape(x, x.shape.slice(1))] : unstack(x);
}

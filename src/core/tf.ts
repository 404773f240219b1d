/**
 * The one place the core imports TensorFlow.js from: tfjs-core plus every op's gradient
 * (autodiff needs them registered; the umbrella @tensorflow/tfjs package is not used).
 * Backends are registered by the platform layer (Node: src/node/backend.ts; webview: webview/backend.ts).
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
export * from '@tensorflow/tfjs-core';

import { engine, reshape, unstack, variable, variableGrads, type Scalar, type Tensor, type Variable } from '@tensorflow/tfjs-core';

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

/**
 * Model parameters are tf.Variables named by their PyTorch name (`rnn.weight_ih_l0`), but tfjs
 * keeps one registry of variable names per process: two models alive at once (two experiments
 * trained in the background by one extension host) would collide ("Variable with name ... was
 * already registered"). The registered name gets a per-process serial; {@link paramGrads} maps
 * gradients back to the parameter names.
 */
let variableSerial = 0;
export function parameter(value: Tensor, name: string): Variable {
  return variable(value, true, `${name}#${++variableSerial}`);
}

/** tf.variableGrads over named parameters, with the gradients keyed by the parameters' own names. */
export function paramGrads(f: () => Scalar, params: ReadonlyMap<string, Variable>): { value: Scalar; grads: Record<string, Tensor> } {
  const { value, grads } = variableGrads(f, [...params.values()]);
  const named: Record<string, Tensor> = {};
  for (const [name, v] of params) if (grads[v.name]) named[name] = grads[v.name];
  return { value, grads: named };
}

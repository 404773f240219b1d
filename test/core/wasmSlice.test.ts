import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBackend } from '../../src/node/backend';
import * as tf from '../../src/core/tf';

/** Run fn on a backend and return the values of every tensor it returns. */
async function on(backend: 'cpu' | 'wasm', fn: () => tf.Tensor[]): Promise<number[][]> {
  await useBackend(backend);
  const ts = fn();
  const out = await Promise.all(ts.map(async (t) => Array.from(await t.data())));
  tf.dispose(ts);
  return out;
}

const x = () => tf.tensor3d(Float32Array.from({ length: 5 * 3 * 4 }, (_, i) => i * 0.5 - 7), [5, 3, 4]);

test('wasm slice, unstack and split agree with cpu (contiguous and strided slices, every axis)', async () => {
  const cases: (() => tf.Tensor[])[] = [
    () => tf.unstack(x()),
    () => tf.unstack(x(), 1),
    () => tf.unstack(x(), 2),
    () => tf.split(x(), [1, 3, 1], 0),
    () => tf.split(x(), 2, 2),
    () => tf.split(x(), [2, 1], 1),
    () => [tf.slice(x(), [1, 0, 0], [3, -1, -1]), tf.slice(x(), [0, 1, 1], [5, 2, 2]), tf.slice(x(), [4, 2, 3], [1, 1, 1])],
    () => [tf.slice(tf.tensor1d([1, 2, 3, 4]), [1], [2]), tf.slice(tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32'), [0, 1], [2, 2])],
  ];
  for (const c of cases) assert.deepEqual(await on('wasm', c), await on('cpu', c));
});

test('wasm: stepping through a [T, B, F] tensor does not copy the whole tensor out of the heap at each step', async () => {
  await useBackend('wasm');
  const backend = tf.backend() as unknown as { readSync: (...a: unknown[]) => unknown };
  const original = backend.readSync;
  let reads = 0;
  backend.readSync = function (this: unknown, ...a: unknown[]) {
    reads++;
    return original.apply(this, a);
  };
  try {
    tf.tidy(() => {
      const t = tf.zeros([200, 2, 8]);
      tf.unstack(t);
      tf.split(t, 4, 0);
      tf.slice(t, [3, 0, 0], [1, 2, 8]);
    });
  } finally {
    backend.readSync = original;
  }
  assert.equal(reads, 0, 'no whole-tensor reads while slicing');
});

test('wasm gradients through unstack and stack are unchanged (a recurrence-shaped loss)', async () => {
  const f = () => {
    const xs = x();
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.stack(tf.unstack(v).map((s, t) => tf.mul(s, t + 1)))))(xs);
    return [g];
  };
  assert.deepEqual(await on('wasm', f), await on('cpu', f));
});

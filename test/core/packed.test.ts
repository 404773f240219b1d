import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBackend } from '../../src/node/backend';
import * as tf from '../../src/core/tf';
import { checkFixture, type TorchFixture } from '../../src/core/torch';
import { RecurrentStack } from '../../src/core/recurrent';
import { setRecurrenceKernel, takeFallbacks, type RecurrenceKernel } from '../../src/core/fused';
import { Rng } from '../../src/core/rng';
import { makeFixture } from '../support/reference';

const PACKED = join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'torch-packed');
const TOL = 1e-4;

test('the shared packed-sequence fixtures are present', () => {
  assert.ok(existsSync(PACKED), `expected fixtures at ${PACKED}`);
  assert.ok(readdirSync(PACKED).filter((f) => f.endsWith('.json')).length >= 4);
});

for (const backend of ['cpu', 'wasm'] as const) {
  for (const f of existsSync(PACKED) ? readdirSync(PACKED).filter((f) => f.endsWith('.json')) : []) {
    test(`${backend}: ${f} matches PyTorch's packed sequences: outputs, own final states, every gradient`, async () => {
      await useBackend(backend);
      const fx = JSON.parse(readFileSync(join(PACKED, f), 'utf8')) as TorchFixture;
      assert.ok(fx.lengths && fx.lengths.some((n) => n < fx.input.shape[1]), 'the fixture has sequences shorter than T');
      const before = tf.memory().numTensors;
      const checks = checkFixture(fx);
      assert.equal(tf.memory().numTensors, before, 'no tensor leak');
      const names = checks.map((c) => c.tensor);
      for (const k of ['output', 'h_n', 'loss', ...Object.keys(fx.grads).map((g) => `grad ${g}`)]) assert.ok(names.includes(k), `checked ${k}`);
      for (const c of checks) assert.ok(c.maxAbsError <= TOL, `${c.tensor}: max abs error ${c.maxAbsError} > ${TOL}`);
    });
  }
}

// Layouts the shared fixtures do not have, against the independent float64 reference.
const UNSEEN = [
  { name: 'gru_bi_2layer_packed', m: { type: 'GRU', input_size: 3, hidden_size: 4, num_layers: 2, bidirectional: true, bias: true }, lengths: [1, 5, 3], h0: true },
  { name: 'rnn_relu_bi_packed', m: { type: 'RNN', input_size: 2, hidden_size: 3, num_layers: 1, bidirectional: true, bias: true, nonlinearity: 'relu' }, lengths: [4, 2], h0: false },
  { name: 'lstm_3layer_nobias_packed', m: { type: 'LSTM', input_size: 2, hidden_size: 3, num_layers: 3, bidirectional: false, bias: false }, lengths: [2, 4, 1], h0: true },
] as const;

for (const u of UNSEEN) {
  test(`packed, unseen layout ${u.name}: matches the float64 reference (finite-difference gradients)`, async () => {
    await useBackend('cpu');
    const T = Math.max(...u.lengths);
    const fx = makeFixture(u.name, { ...u.m } as never, u.lengths.length, T, 23, u.h0, [...u.lengths]);
    const checks = checkFixture(fx);
    for (const c of checks) assert.ok(c.maxAbsError <= TOL, `${c.tensor}: ${c.maxAbsError}`);
    // and the semantics can fail: ignoring the lengths gives other final states
    const wrong = checkFixture({ ...fx, lengths: undefined });
    assert.ok(wrong.find((c) => c.tensor === 'h_n')!.maxAbsError > 1e-3, 'lengths change h_n');
  });
}

test('a bad lengths field is a clear error, not a crash', async () => {
  await useBackend('cpu');
  const fx = JSON.parse(readFileSync(join(PACKED, 'packed_rnn_tanh.json'), 'utf8')) as TorchFixture;
  assert.throws(() => checkFixture({ ...fx, lengths: [5, 0, 4] }), /'lengths' must hold 3 integers between 1 and 5/);
  assert.throws(() => checkFixture({ ...fx, lengths: [5, 2] }), /'lengths' must hold 3 integers/);
});

test('a fused kernel that does not declare lengths is not given a variable-length batch, and the fallback is noted', async () => {
  await useBackend('cpu');
  let calls = 0;
  const spy: RecurrenceKernel = { name: 'spy', direction: () => { calls++; return undefined; } };
  const prev = setRecurrenceKernel(spy);
  const stack = new RecurrentStack('rnn', 2, [{ cell: 'gru', units: 3, activation: 'tanh', bias: true, bidirectional: false, merge: 'concat', dropout: 0 }], new Rng(1));
  try {
    takeFallbacks();
    tf.tidy(() => {
      const x = tf.ones([4, 2, 2]) as tf.Tensor3D;
      stack.run(x, { lengths: [4, 4] }); // equal lengths: an ordinary batch, the kernel is asked
      assert.equal(calls, 1);
      stack.run(x, { lengths: [4, 2] });
      assert.equal(calls, 1, 'not asked for a variable-length batch');
    });
    const why = takeFallbacks();
    assert.equal(why.length, 1);
    assert.match(why[0], /spy kernel does not take per-sequence lengths/);
    let seen: number[] | undefined;
    setRecurrenceKernel({ name: 'able', supportsLengths: true, direction: (a) => { seen = a.lengths; return undefined; } });
    tf.tidy(() => { stack.run(tf.ones([4, 2, 2]) as tf.Tensor3D, { lengths: [4, 2] }); });
    assert.deepEqual(seen, [4, 2]);
  } finally {
    setRecurrenceKernel(prev);
    stack.params.forEach((v) => v.dispose());
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBackend } from '../../src/node/backend';
import * as tf from '../../src/core/tf';
import { checkAttentionFixture, type TorchAttentionFixture } from '../../src/core/torch';

const SHARED = join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'torch-attention');
// computed by PyTorch with test/support/make_attention_fixtures.py, which first reproduces SHARED
const EXTRA = join(__dirname, '..', 'fixtures', 'torch-attention-extra');
const TOL = 1e-4;
const list = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : []);

test('the shared attention fixtures are present', () => {
  assert.ok(list(SHARED).length >= 3, `expected fixtures at ${SHARED}`);
  assert.ok(list(EXTRA).length >= 5);
});

for (const backend of ['cpu', 'wasm'] as const) {
  for (const [dir, f] of [...list(SHARED).map((f) => [SHARED, f]), ...list(EXTRA).map((f) => [EXTRA, f])]) {
    test(`${backend}: ${f}: logits, attention weights, loss and every gradient match PyTorch`, async () => {
      await useBackend(backend);
      const fx = JSON.parse(readFileSync(join(dir, f), 'utf8')) as TorchAttentionFixture;
      const before = tf.memory().numTensors;
      const checks = checkAttentionFixture(fx);
      assert.equal(tf.memory().numTensors, before, 'no tensor leak');
      const names = checks.map((c) => c.tensor);
      for (const k of ['logits', 'attention_weights', 'loss', ...Object.keys(fx.grads).map((g) => `grad ${g}`)]) assert.ok(names.includes(k), `checked ${k}`);
      for (const c of checks) assert.ok(c.maxAbsError <= TOL, `${c.tensor}: max abs error ${c.maxAbsError} > ${TOL}`);
    });
  }
}

test('the attention check can fail: a corrupted gradient, a corrupted weight on padding', async () => {
  await useBackend('cpu');
  const fx = JSON.parse(readFileSync(join(SHARED, 'attn_lstm_luong_general.json'), 'utf8')) as TorchAttentionFixture;
  const bad = structuredClone(fx);
  bad.grads['attention.score.weight'].data[0] += 0.01;
  assert.ok(checkAttentionFixture(bad).find((c) => c.tensor === 'grad attention.score.weight')!.maxAbsError > 0.009);
  // source_lengths [6, 2, 4]: a weight on sequence 1's padding must be 0
  const S = fx.attention_weights.shape[2];
  const T = fx.attention_weights.shape[1];
  const pad = structuredClone(fx);
  pad.attention_weights.data[1 * T * S + 0 * S + 3] = 0.05;
  assert.ok(checkAttentionFixture(pad).find((c) => c.tensor === 'attention_weights')!.maxAbsError >= 0.05);
});

test('a malformed attention fixture is a clear error', async () => {
  await useBackend('cpu');
  const fx = JSON.parse(readFileSync(join(SHARED, 'attn_gru_bahdanau.json'), 'utf8')) as TorchAttentionFixture;
  assert.throws(() => checkAttentionFixture({ ...fx, source_lengths: [5, 9] }), /'source_lengths' must hold 2 integers between 1 and 5/);
  assert.throws(() => checkAttentionFixture({ ...fx, target_in: fx.target }), /target_in\[0\] is not \[start\] \+ target\[:-1\]/);
  assert.throws(() => checkAttentionFixture({ ...fx, state_dict: { ...fx.state_dict, 'attention.extra': { shape: [1], data: [0] } } }), /unexpected 'attention.extra'/);
});

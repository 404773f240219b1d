import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBackend } from '../../src/node/backend';
import * as tf from '../../src/core/tf';
import { checkFixture, parseStateDictJson, assignStateDict, variablesToStateDict, type TorchFixture } from '../../src/core/torch';
import { makeFixture, refForward } from '../support/reference';

export const FIXTURES = join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'torch');
const TOL = 1e-4;

test('the shared PyTorch fixtures are present', () => {
  assert.ok(existsSync(FIXTURES), `expected fixtures at ${FIXTURES}`);
  assert.ok(readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).length >= 8);
});

for (const backend of ['cpu', 'wasm'] as const) {
  for (const f of existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith('.json')) : []) {
    test(`${backend}: ${f} matches PyTorch: outputs, final states and every gradient`, async () => {
      await useBackend(backend);
      const fx = JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as TorchFixture;
      const before = tf.memory().numTensors;
      const checks = checkFixture(fx);
      assert.equal(tf.memory().numTensors, before, 'no tensor leak');
      const names = checks.map((c) => c.tensor);
      for (const k of ['output', 'h_n', 'loss', ...Object.keys(fx.grads).map((g) => `grad ${g}`)]) assert.ok(names.includes(k), `checked ${k}`);
      if (fx.c_n) assert.ok(names.includes('c_n'));
      for (const c of checks) assert.ok(c.maxAbsError <= TOL, `${c.tensor}: max abs error ${c.maxAbsError} > ${TOL}`);
    });
  }
}

test('the float64 reference agrees with PyTorch on the shared fixtures (it is a fair judge)', () => {
  for (const f of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
    const fx = JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as TorchFixture;
    const p = Object.fromEntries(Object.entries(fx.state_dict).map(([k, v]) => [k, v.data]));
    const shape = (t: { shape: number[]; data: number[] }) => {
      const [a, b, c] = t.shape;
      return Array.from({ length: a }, (_, i) => Array.from({ length: b }, (_, j) => t.data.slice((i * b + j) * c, (i * b + j + 1) * c)));
    };
    const o = refForward(fx.module, p, shape(fx.input), fx.h0 && shape(fx.h0), fx.c0 && shape(fx.c0));
    const got = o.output.flat(2);
    const err = Math.max(...got.map((v, i) => Math.abs(v - fx.output.data[i])));
    assert.ok(err < 1e-9, `${f}: reference output differs by ${err}`);
  }
});

// Sizes none of the shared fixtures use: odd hidden sizes, 3 layers, bidirectional GRU/RNN stacks.
const UNSEEN = [
  { name: 'rnn_relu_bi_2layer', m: { type: 'RNN', input_size: 3, hidden_size: 5, num_layers: 2, bidirectional: true, bias: true, nonlinearity: 'relu' }, B: 2, T: 4, h0: true },
  { name: 'lstm_3layer_nobias', m: { type: 'LSTM', input_size: 2, hidden_size: 3, num_layers: 3, bidirectional: false, bias: false }, B: 3, T: 3, h0: true },
  { name: 'gru_bi_2layer_h0', m: { type: 'GRU', input_size: 4, hidden_size: 7, num_layers: 2, bidirectional: true, bias: true }, B: 1, T: 5, h0: true },
  { name: 'lstm_1layer_T1_h0', m: { type: 'LSTM', input_size: 3, hidden_size: 4, num_layers: 1, bidirectional: false, bias: true }, B: 2, T: 1, h0: true },
  { name: 'gru_1layer_T1_B1_h0', m: { type: 'GRU', input_size: 2, hidden_size: 3, num_layers: 1, bidirectional: false, bias: true }, B: 1, T: 1, h0: true },
  { name: 'lstm_bi_1layer_long', m: { type: 'LSTM', input_size: 1, hidden_size: 2, num_layers: 1, bidirectional: true, bias: true }, B: 2, T: 9, h0: false },
] as const;

for (const u of UNSEEN) {
  test(`unseen size ${u.name}: matches the independent float64 reference (finite-difference gradients)`, async () => {
    await useBackend('cpu');
    const fx = makeFixture(u.name, { ...u.m } as never, u.B, u.T, 17, u.h0);
    const checks = checkFixture(fx);
    assert.ok(checks.length >= 6);
    for (const c of checks) assert.ok(c.maxAbsError <= TOL, `${c.tensor}: ${c.maxAbsError}`);
  });
}

test('a corrupted fixture is caught (the check can fail)', async () => {
  await useBackend('cpu');
  const fx = JSON.parse(readFileSync(join(FIXTURES, 'gru_1layer.json'), 'utf8')) as TorchFixture;
  fx.grads.weight_hh_l0.data[3] += 0.01;
  const bad = checkFixture(fx).find((c) => c.tensor === 'grad weight_hh_l0')!;
  assert.ok(bad.maxAbsError > 0.009);
});

test('state_dict round trip, and a clear error for a shape mismatch', async () => {
  await useBackend('cpu');
  const params = new Map([['rnn.weight_ih_l0', tf.variable(tf.tensor2d([[1, 2], [3, 4]]))]]);
  const sd = await variablesToStateDict(params);
  assert.deepEqual(parseStateDictJson(JSON.stringify({ state_dict: sd })), sd);
  assert.throws(() => assignStateDict(params, { 'rnn.weight_ih_l0': { shape: [1, 4], data: [1, 2, 3, 4] } }), /has shape \[1,4\], the model expects \[2,2\]/);
  assert.throws(() => assignStateDict(params, {}), /missing 'rnn.weight_ih_l0'/);
  assert.throws(() => parseStateDictJson('{"a": {"shape": [2], "data": [1]}}'), /does not match 1 values/);
  params.forEach((v) => v.dispose());
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../../src/core/tf';
import { useBackend } from '../../src/node/backend';
import { FLAT_UPDATE_MAX, clipGradNorm, clipGradValue, globalNorm, makeOptimizer, slotNames, type SeqOptimizer } from '../../src/core/optim';
import type { ModelSpec } from '../../src/core/spec';
import { Trainer } from '../../src/core/train';
import { define } from '../support/spec';

/** Made by reference/optim.py with PyTorch 1.13 (float64 from float32 inputs). */
interface Json { shape: number[]; data: number[] }
interface Case {
  name: string;
  training: Record<string, unknown>;
  lrs?: number[];
  clip?: { type: 'norm' | 'value'; threshold: number };
  norms?: number[];
  final: Record<string, Json>;
  state: Record<string, Json>;
}
const REF = JSON.parse(readFileSync(join(__dirname, 'reference', 'optim.json'), 'utf8')) as {
  K: number; initial: Record<string, Json>; grads: Record<string, Json>[]; cases: Case[];
  clip_norm_small: { max_norm: number; norm: number; grads: Json[]; clipped: Json[] }[];
};
const TOL = 2e-6;

const specOf = (training: Record<string, unknown>): ModelSpec =>
  define({ data: { task: 'hello' }, layers: [{ cell: 'rnn', units: 2 }], training }).spec;

const tensor = (j: Json) => tf.tensor(Float32Array.from(j.data), j.shape);
function makeParams(): Map<string, tf.Variable> {
  return new Map(Object.entries(REF.initial).map(([k, v]) => [k, tf.variable(tensor(v), true, `optim-test-${k}-${Math.random()}`)]));
}

/** Steps [from, to) of a case: clip as the case says, then one update at that step's learning rate. */
function run(c: Case, opt: SeqOptimizer, from: number, to: number, norms: number[] = []): void {
  for (let i = from; i < to; i++) {
    tf.tidy(() => {
      const grads = Object.fromEntries(Object.entries(REF.grads[i]).map(([k, v]) => [k, tensor(v)]));
      const norm = globalNorm(grads);
      norms.push(norm.dataSync()[0]);
      const g = c.clip?.type === 'norm' ? clipGradNorm(grads, norm, c.clip.threshold) : c.clip?.type === 'value' ? clipGradValue(grads, c.clip.threshold) : grads;
      opt.apply(g, c.lrs?.[i] ?? (c.training.learningRate as number));
    });
  }
}

function relErr(got: ArrayLike<number>, want: Json): number {
  const scale = Math.max(1, ...want.data.map(Math.abs));
  let m = 0;
  for (let i = 0; i < want.data.length; i++) m = Math.max(m, Math.abs(got[i] - want.data[i]) / scale);
  return Number.isNaN(m) ? Infinity : m;
}

test('the PyTorch optimizer reference covers every optimizer, with and without clipping and per-step lr', () => {
  const opts = new Set(REF.cases.map((c) => c.training.optimizer));
  assert.deepEqual([...opts].sort(), ['adam', 'adamw', 'momentum', 'rmsprop', 'sgd']);
  assert.ok(REF.cases.some((c) => c.clip?.type === 'norm' && c.norms!.some((n) => n > c.clip!.threshold)), 'norm clipping is active somewhere');
  assert.ok(REF.cases.length >= 40);
});

for (const backend of ['cpu', 'wasm'] as const) {
  for (const c of REF.cases) {
    test(`${backend}: ${c.name} matches torch.optim (weights and optimizer state after ${REF.K} steps)`, async () => {
      await useBackend(backend);
      const spec = specOf(c.training);
      const params = makeParams();
      const opt = makeOptimizer(spec, params);
      const norms: number[] = [];
      run(c, opt, 0, REF.K, norms);
      for (const [k, v] of params) {
        const e = relErr(v.dataSync(), c.final[k]);
        assert.ok(e <= TOL, `${k}: error ${e}`);
      }
      const state = await opt.getState();
      assert.equal(state.step, REF.K);
      assert.deepEqual(Object.keys(state.slots).sort(), Object.keys(c.state).sort(), 'the same slots as torch.optim keeps');
      for (const [k, v] of Object.entries(c.state)) {
        const e = relErr(state.slots[k].data, v);
        assert.ok(e <= TOL, `state ${k}: error ${e}`);
      }
      c.norms?.forEach((n, i) => assert.ok(Math.abs(norms[i] - n) <= 1e-5 * n, `clip_grad_norm_'s norm at step ${i + 1}`));
      opt.dispose();
      params.forEach((v) => v.dispose());
    });
  }
}

test('the reference can tell optimizers apart: tfjs-style rmsprop (eps inside the root) or float32 bias corrections would fail', () => {
  // a wrong formula on the same inputs must land outside the tolerance, so these tests can fail
  const c = REF.cases.find((x) => x.name === 'rmsprop defaults')!;
  const plain = REF.cases.find((x) => x.name === 'adam defaults')!;
  assert.ok(relErr(c.final.w.data, plain.final.w) > 100 * TOL);
  const sgd = REF.cases.find((x) => x.name === 'sgd')!;
  const sgdWd = REF.cases.find((x) => x.name === 'sgd weight decay')!;
  assert.ok(relErr(sgd.final.w.data, sgdWd.final.w) > 100 * TOL, 'weight decay changes the result');
});

test("clip_grad_norm_'s + 1e-6: gradients with a norm near 1e-6 are scaled as PyTorch scales them", async () => {
  await useBackend('cpu');
  for (const r of REF.clip_norm_small) {
    tf.tidy(() => {
      const grads = Object.fromEntries(r.grads.map((g, i) => [String(i), tensor(g)]));
      const norm = globalNorm(grads);
      assert.ok(Math.abs(norm.dataSync()[0] - r.norm) <= 1e-6 * r.norm);
      const out = clipGradNorm(grads, norm, r.max_norm);
      r.clipped.forEach((want, i) => {
        const got = out[String(i)].dataSync();
        const scale = Math.max(...want.data.map(Math.abs));
        want.data.forEach((w, j) => assert.ok(Math.abs(got[j] - w) <= 1e-5 * scale, `tensor ${i}[${j}]: ${got[j]} vs ${w}`));
      });
    });
  }
});

test('PyTorch defaults: eps 1e-8, rho 0.99, rmsprop momentum 0, betas 0.9/0.999, adamw weight decay 0.01', () => {
  const r = specOf({ optimizer: 'rmsprop' }).training;
  assert.deepEqual([r.epsilon, r.rho, r.momentum, r.centered, r.weightDecay], [1e-8, 0.99, 0, false, 0]);
  const a = specOf({ optimizer: 'adamw' }).training;
  assert.deepEqual([a.beta1, a.beta2, a.epsilon, a.weightDecay], [0.9, 0.999, 1e-8, 0.01]);
  const m = specOf({ optimizer: 'momentum' }).training;
  assert.deepEqual([m.momentum, m.nesterov, m.weightDecay], [0.9, false, 0]);
  assert.deepEqual(slotNames(specOf({ optimizer: 'rmsprop', momentum: 0.5, centered: true }).training), ['square_avg', 'grad_avg', 'momentum_buffer']);
});

test('resume: saving the state after 3 steps and loading it into a fresh optimizer continues bit for bit', async () => {
  await useBackend('cpu');
  for (const name of ['adam defaults, lr per step', 'rmsprop centered momentum weight decay, clip norm 1', 'momentum nesterov weight decay']) {
    const c = REF.cases.find((x) => x.name === name)!;
    const spec = specOf(c.training);
    const straight = makeParams();
    const o1 = makeOptimizer(spec, straight);
    run(c, o1, 0, REF.K);

    const first = makeParams();
    const o2 = makeOptimizer(spec, first);
    run(c, o2, 0, 3);
    const saved = JSON.parse(JSON.stringify(await o2.getState()));
    const second = makeParams();
    for (const [k, v] of first) second.get(k)!.assign(v);
    const o3 = makeOptimizer(spec, second);
    o3.setState(saved);
    run(c, o3, 3, REF.K);
    for (const [k, v] of straight) assert.deepEqual(Array.from(second.get(k)!.dataSync()), Array.from(v.dataSync()), `${name}: ${k}`);
    for (const o of [o1, o2, o3]) o.dispose();
    for (const m of [straight, first, second]) m.forEach((v) => v.dispose());
  }
});

test('a state that does not fit is refused with what is wrong, and nothing is changed', async () => {
  await useBackend('cpu');
  const params = makeParams();
  const opt = makeOptimizer(specOf({ optimizer: 'adam' }), params);
  const good = await opt.getState();
  assert.throws(() => opt.setState({ ...good, optimizer: 'sgd' }), /for the "sgd" optimizer, this run uses "adam"/);
  const bad = { ...good, slots: { ...good.slots, 'w/exp_avg': { shape: [4, 3], data: new Array(12).fill(1) } } };
  assert.throws(() => opt.setState(bad), /'w\/exp_avg' has shape \[4,3\], expected \[3,4\]/);
  const missing = { ...good, slots: { ...good.slots } };
  delete missing.slots['b/exp_avg_sq'];
  assert.throws(() => opt.setState(missing), /missing 'b\/exp_avg_sq'/);
  assert.deepEqual(await opt.getState(), good);
  opt.dispose();
  params.forEach((v) => v.dispose());
});

test('no tensor leak: every optimizer keeps numTensors flat over steps and frees everything on dispose', async () => {
  await useBackend('cpu');
  for (const c of REF.cases.filter((x) => !x.lrs && !x.clip)) {
    const params = makeParams();
    const base = tf.memory().numTensors;
    const opt = makeOptimizer(specOf(c.training), params);
    run(c, opt, 0, 1);
    const after1 = tf.memory().numTensors;
    run(c, opt, 1, REF.K);
    assert.equal(tf.memory().numTensors, after1, `${c.name}: flat across steps`);
    opt.setState(await opt.getState());
    assert.equal(tf.memory().numTensors, after1, `${c.name}: setState replaces, not adds`);
    opt.dispose();
    assert.equal(tf.memory().numTensors, base, `${c.name}: dispose frees the slots and constants`);
    params.forEach((v) => v.dispose());
  }
});

test('Trainer: learningRate, optimizerState and loadOptimizerState', async () => {
  await useBackend('cpu');
  const { spec, data } = define({ data: { task: 'hello' }, layers: [{ cell: 'gru', units: 4 }], training: { optimizer: 'rmsprop', momentum: 0.5, learningRate: 0.03, steps: 10, batchSize: 1 } });
  const a = new Trainer(spec, data);
  assert.equal(a.learningRate, 0.03);
  await a.runSteps(4);
  const weights = await a.stateDict();
  const state = await a.optimizerState();
  assert.equal(state.optimizer, 'rmsprop');
  assert.equal(state.step, 4);
  assert.deepEqual(new Set(Object.keys(state.slots).map((k) => k.split('/')[1])), new Set(['square_avg', 'momentum_buffer']));
  const ra = await a.runSteps(1);
  const after = await a.stateDict();
  a.dispose(); // one model's variables at a time
  const b = new Trainer(spec, data);
  b.loadStateDict(weights);
  b.loadOptimizerState(state);
  b.step = 4;
  // b walks its own data order from the start; with the one example of this task they agree
  const rb = await b.runSteps(1);
  assert.equal(rb.loss, ra.loss);
  assert.deepEqual(await b.stateDict(), after);
  b.dispose();
});

test('several parameters updated as one flat vector (small models) = each updated alone, bit for bit; large ones stay per parameter', async () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    await useBackend(backend);
    const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 0.37) * 0.5);
    // sizes under the flat limit in all (one flat update), and over it (one update per parameter)
    for (const sizes of [[[3, 4], [4], [2, 3, 2]], [[FLAT_UPDATE_MAX, 1], [5]]]) {
      for (const training of [{ optimizer: 'adam', weightDecay: 0.01 }, { optimizer: 'adamw', weightDecay: 0.1 }, { optimizer: 'rmsprop', centered: true, momentum: 0.9 }, { optimizer: 'momentum', nesterov: true }, { optimizer: 'sgd' }]) {
        const spec = specOf({ learningRate: 0.01, ...training });
        const values = sizes.map((shape, i) => tf.tensor(rand(shape.reduce((a, b) => a * b, 1), i + 1), shape));
        const together = new Map(values.map((v, i) => [`p${i}`, tf.variable(tf.clone(v))]));
        const alone = values.map((v) => new Map([['p', tf.variable(tf.clone(v))]]));
        const opt = makeOptimizer(spec, together);
        const opts = alone.map((m) => makeOptimizer(spec, m));
        for (let step = 0; step < 3; step++) {
          const grads = values.map((v, i) => tf.tensor(rand(v.size, 100 * step + i + 7), v.shape));
          opt.apply(Object.fromEntries(grads.map((g, i) => [`p${i}`, g])), 0.01);
          opts.forEach((o, i) => o.apply({ p: grads[i] }, 0.01));
          tf.dispose(grads);
        }
        const a = await opt.getState();
        for (let i = 0; i < values.length; i++) {
          const label = `${backend} ${training.optimizer} sizes ${JSON.stringify(sizes)} p${i}`;
          assert.deepEqual(Array.from(await together.get(`p${i}`)!.data()), Array.from(await alone[i].get('p')!.data()), `${label}: weights`);
          const b = await opts[i].getState();
          for (const slot of slotNames(spec.training)) assert.deepEqual(a.slots[`p${i}/${slot}`].data, b.slots[`p/${slot}`].data, `${label}: ${slot}`);
        }
        opt.dispose();
        opts.forEach((o) => o.dispose());
        tf.dispose([...values, ...together.values(), ...alone.flatMap((m) => [...m.values()])]);
      }
    }
  }
});

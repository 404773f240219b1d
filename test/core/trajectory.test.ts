import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../../src/core/tf';
import { useBackend } from '../../src/node/backend';
import { parseFixture, type TrajectoryFixture } from '../../src/core/torch';
import { checkTrajectory, compareTrajectory, runTrajectory } from '../../src/core/trajectory';

export const TRAJECTORIES = join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'torch-train');
const TOL = 1e-4;
const files = existsSync(TRAJECTORIES) ? readdirSync(TRAJECTORIES).filter((f) => f.endsWith('.json')) : [];
const load = (f: string) => {
  const p = parseFixture(readFileSync(join(TRAJECTORIES, f), 'utf8'));
  assert.equal(p.kind, 'trajectory');
  return p.fx as TrajectoryFixture;
};

test('the shared PyTorch trajectories are present', () => {
  assert.ok(files.length >= 8, `expected trajectory fixtures in ${TRAJECTORIES}`);
});

for (const backend of ['cpu', 'wasm'] as const) {
  for (const f of files) {
    test(`${backend}: ${f}: every loss, gradient norm and final weight matches PyTorch`, async () => {
      await useBackend(backend);
      const fx = load(f);
      const before = tf.memory().numTensors;
      const checks = await checkTrajectory(fx);
      assert.equal(tf.memory().numTensors, before, 'no tensor leak');
      assert.equal(checks.length, 2 + Object.keys(fx.final_state_dict).length, 'losses, norms and every parameter checked');
      for (const c of checks) assert.ok(c.error <= TOL, `${c.what}: ${c.error} > ${TOL}`);
    });
  }
}

/** Our own trajectories (reference/trajectory.py, PyTorch 1.13) of sizes and settings the shared ones lack. */
const OWN = JSON.parse(readFileSync(join(__dirname, 'reference', 'trajectories.json'), 'utf8')) as TrajectoryFixture[];

for (const backend of ['cpu', 'wasm'] as const) {
  for (const fx of OWN) {
    test(`${backend}: unseen settings ${fx.name}: matches PyTorch`, async () => {
      await useBackend(backend);
      const checks = await checkTrajectory(parseFixture(JSON.stringify(fx)).fx as TrajectoryFixture);
      for (const c of checks) assert.ok(c.error <= TOL, `${c.what}: ${c.error} > ${TOL}`);
    });
  }
}

test('the unseen trajectories are not trivial: schedules, clipping and weight decay each matter', async () => {
  await useBackend('cpu');
  const names = ['lstm_bi_2layer_emb_m2m_ce_adamw_norm_cosine', 'gru_3layer_differing_m2o_mse_nesterov_wd_value_step', 'rnn_relu_bi_mul_then_tanh_m2o_bce_rmsprop_centered'];
  for (const name of names) {
    const fx = OWN.find((f) => f.name === name)!;
    assert.ok((fx as unknown as { clip_active_steps: number }).clip_active_steps > 0, `${name}: clipping is active`);
    const t = fx.definition.training as Record<string, unknown>;
    for (const drop of ['schedule', 'weightDecay', 'centered', 'nesterov']) {
      if (!(drop in t)) continue;
      const rest = Object.fromEntries(Object.entries(t).filter(([k]) => k !== drop));
      const checks = await checkTrajectory({ ...fx, definition: { ...fx.definition, training: rest } });
      assert.ok(checks.some((c) => c.error > TOL), `${name} without ${drop} should not match`);
    }
  }
});

test('the check can fail: a trajectory trained with another optimizer setting or start is caught', async () => {
  await useBackend('cpu');
  const fx = load('gru_2layer_emb_m2m_ce_rmsprop_mom_norm.json');
  const training = fx.definition.training as Record<string, unknown>;
  // rmsprop without its momentum (what train.ts did before): the losses part within a few steps
  const noMomentum = { ...fx, definition: { ...fx.definition, training: { ...training, momentum: 0 } } };
  const a = await checkTrajectory(noMomentum);
  assert.ok(a[0].error > 10 * TOL, `losses error ${a[0].error}`);
  // norm clipping without PyTorch's threshold: the final weights part
  const noClip = { ...fx, definition: { ...fx.definition, training: { ...training, clip: { type: 'none' } } } };
  const b = await checkTrajectory(noClip);
  assert.ok(b.slice(2).some((c) => c.error > TOL));
  // a corrupted reference
  const run = await runTrajectory(fx);
  const bad = structuredClone(fx);
  bad.final_state_dict['head.bias'].data[0] += 1e-3;
  assert.ok(compareTrajectory(bad, run).find((c) => c.what === 'final head.bias')!.error > TOL);
});

test('a trajectory whose definition is invalid or does not fit its data says so in one message', async () => {
  await useBackend('cpu');
  const fx = load('rnn_tanh_m2m_ce_sgd_none.json');
  const wrong = { ...fx, definition: { ...fx.definition, training: { optimizer: 'adamax' } } };
  await assert.rejects(checkTrajectory(wrong), /definition is not valid:\n.*training\.optimizer/);
  const parity = load('gru_m2o_bce_rmsprop_value.json');
  const m2m = { ...parity, definition: { ...parity.definition, structure: 'many-to-many' } };
  await assert.rejects(checkTrajectory(m2m), /structure "many-to-many" differs from the data's "many-to-one"/);
  assert.throws(() => parseFixture(JSON.stringify({ format: 'seqlab-torch-trajectory/1', K: 2, losses: [1] })), /missing 'definition'/);
  assert.throws(() => parseFixture(JSON.stringify({ ...fx, losses: [1] })), /'losses' must be 20 numbers/);
  assert.throws(() => parseFixture('{"a": 1}'), /neither a seqlab-torch-trajectory\/1 fixture, a torch-attention-fixture\/1 nor a torch-recurrent-fixture/);
});

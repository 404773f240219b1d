import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LrSchedule } from '../../src/core/schedule';
import { Trainer } from '../../src/core/train';
import { useBackend } from '../../src/node/backend';
import { define } from '../support/spec';

/** Made by reference/schedule.py with torch.optim.lr_scheduler (PyTorch 1.13). */
const REF = JSON.parse(readFileSync(join(__dirname, 'reference', 'schedule.json'), 'utf8')) as {
  base: number;
  steps: { name: string; spec: Record<string, unknown>; total: number; lrs: number[] }[];
  plateaus: { name: string; spec: Record<string, unknown>; losses: number[]; lrs: number[] }[];
};

/** A definition with this schedule, through the real parser (so the DSL's defaults are the ones tested). */
const withSchedule = (schedule: Record<string, unknown>, steps: number, task = 'parity') =>
  define({ data: { task, samples: 40, length: 4 }, layers: [{ cell: 'rnn', units: 3 }], training: { learningRate: REF.base, steps, batchSize: 8, evalEvery: 1, schedule } });

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

for (const c of REF.steps) {
  test(`schedule ${c.name}: the rate of every step equals torch.optim.lr_scheduler's`, () => {
    const { spec } = withSchedule(c.spec, c.total);
    const s = new LrSchedule(spec.training.learningRate, spec.training.schedule, c.total);
    c.lrs.forEach((lr, k) => assert.ok(close(s.rate(k), lr), `step ${k + 1}: ${s.rate(k)} vs ${lr}`));
  });
}

for (const c of REF.plateaus) {
  test(`schedule ${c.name}: the rate after each validation equals ReduceLROnPlateau's`, () => {
    const { spec } = withSchedule(c.spec, 1000);
    const s = new LrSchedule(spec.training.learningRate, spec.training.schedule, 1000);
    c.losses.forEach((v, i) => {
      s.observe(v);
      assert.ok(close(s.rate(i), c.lrs[i]), `after validation ${i + 1} (loss ${v}): ${s.rate(i)} vs ${c.lrs[i]}`);
    });
    // the state round-trips (resume)
    const t = new LrSchedule(spec.training.learningRate, spec.training.schedule, 1000);
    t.setState(JSON.parse(JSON.stringify(s.getState())));
    for (const v of [0.5, 0.5, 0.5, 0.5]) {
      s.observe(v);
      t.observe(v);
      assert.equal(t.rate(0), s.rate(0));
    }
  });
}

test('the reference cases are not trivial: rates change, and plateaus cut more than once', () => {
  for (const c of REF.steps) assert.ok(new Set(c.lrs).size > 2, c.name);
  for (const c of REF.plateaus) assert.ok(new Set(c.lrs).size >= 2, c.name);
});

test('Trainer: learningRate and the metric rows follow the schedule, step by step', async () => {
  await useBackend('cpu');
  const c = REF.steps.find((x) => x.name.startsWith('cosine, warm-up 3'))!;
  const { spec, data } = withSchedule(c.spec, c.total);
  const t = new Trainer(spec, data);
  for (let k = 0; k < c.total; k++) {
    assert.ok(close(t.learningRate, c.lrs[k]), `learningRate before step ${k + 1}`);
    const row = await t.runSteps(1);
    assert.ok(close(row.learningRate!, c.lrs[k]), `row of step ${k + 1}`);
  }
  t.dispose();
});

test('Trainer: a schedule changes training (the rate reaches the optimizer)', async () => {
  await useBackend('cpu');
  const run = async (schedule: Record<string, unknown>) => {
    const { spec, data } = withSchedule(schedule, 12);
    const t = new Trainer(spec, data);
    await t.runSteps(12);
    const sd = await t.stateDict();
    t.dispose();
    return sd['head.bias'].data;
  };
  const none = await run({ type: 'none' });
  assert.deepEqual(await run({ type: 'step', stepSize: 20 }), none, 'a step schedule that never decays changes nothing');
  assert.notDeepEqual(await run({ type: 'exponential', gamma: 0.5 }), none);
});

test('Trainer: observeValidation drives reduce-on-plateau; its state saves and loads', async () => {
  await useBackend('cpu');
  const { spec, data } = withSchedule({ type: 'plateau', patience: 1, factor: 0.5 }, 100);
  const t = new Trainer(spec, data);
  assert.equal(t.learningRate, REF.base);
  for (const v of [1, 1, 1]) t.observeValidation(v);
  assert.equal(t.learningRate, REF.base * 0.5);
  const saved = t.scheduleState();
  t.dispose();
  const u = new Trainer(spec, data);
  u.loadScheduleState(saved);
  assert.equal(u.learningRate, REF.base * 0.5);
  u.dispose();
});

test('Trainer: a warm-up as long as an epochs-based run is refused with the numbers', async () => {
  const r = define({ data: { task: 'parity', samples: 40, length: 4 }, layers: [{ cell: 'rnn', units: 3 }], training: { epochs: 1, batchSize: 8, schedule: { type: 'cosine', warmupSteps: 5 } } });
  assert.throws(() => new Trainer(r.spec, r.data), /warmupSteps \(5\) must be less than the run's 5 steps \(1 epochs of 36 examples\)/);
});

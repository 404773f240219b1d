/**
 * The one training session (src/core/session.ts): intervals, validation, early stopping,
 * checkpoints that resume exactly, and stops honoured in the middle of long stretches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/core/tf';
import { useBackend } from '../../src/node/backend';
import { Trainer, type MetricRow } from '../../src/core/train';
import { TrainingSession, type Checkpoint, type SessionEvent, type SessionOptions } from '../../src/core/session';
import type { StateDict } from '../../src/core/stateDict';
import { define } from '../support/spec';

const strip = (rows: MetricRow[]) => rows.map(({ elapsedMs: _e, ...r }) => r);

async function runAll(def: Record<string, unknown>, opts: SessionOptions = {}) {
  const { spec, data } = define(def);
  const t = new Trainer(spec, data);
  const rows: MetricRow[] = [];
  const events: SessionEvent[] = [];
  const bests: { step: number; weights: StateDict }[] = [];
  const s = new TrainingSession(t, {
    metrics: (r) => void rows.push(r),
    event: (e) => void events.push(e),
    best: (b, weights) => void bests.push({ step: b.step, weights }),
  }, opts);
  const end = await s.run();
  return { t, s, rows, events, bests, end: end! };
}

const hello = (training: Record<string, unknown>) => ({ data: { task: 'hello' }, layers: [{ cell: 'rnn', units: 8 }], training: { learningRate: 0.05, batchSize: 1, ...training } });

test('rows every logEvery and at every validation (evalEvery), validation at the last step; definition over defaults', async () => {
  await useBackend('cpu');
  const { t, rows, end } = await runAll(hello({ steps: 23, logEvery: 5, evalEvery: 7 }), { defaults: { logEvery: 2, evalEvery: 3 } });
  assert.equal(end.status, 'completed');
  assert.deepEqual(rows.map((r) => r.step), [5, 7, 10, 14, 15, 20, 21, 23]);
  assert.deepEqual(rows.filter((r) => r.validLoss !== undefined).map((r) => r.step), [7, 14, 21, 23]);
  t.dispose();
});

test('the front end\'s defaults apply when the definition gives no intervals; epochs set the total', async () => {
  await useBackend('cpu');
  const def = { data: { task: 'parity', samples: 40, length: 4, validation: 0.25 }, layers: [{ cell: 'gru', units: 4 }], training: { epochs: 2, batchSize: 8 } };
  const { t, s, rows } = await runAll(def, { defaults: { logEvery: 2, evalEvery: 4 } });
  assert.equal(s.logEvery, 2);
  assert.equal(t.totalSteps, 8); // ceil(2 * 30 / 8)
  assert.deepEqual(rows.map((r) => r.step), [2, 4, 6, 8]);
  assert.deepEqual(rows.filter((r) => r.validLoss !== undefined).map((r) => r.step), [4, 8]);
  t.dispose();
});

test('early stopping: patience validations without improvement end the run with the best weights, and say where', async () => {
  await useBackend('cpu');
  // minDelta larger than any possible gain: the first validation is the best, the next `patience` are not improvements
  const { t, rows, events, bests, end } = await runAll(hello({ steps: 200, logEvery: 5, evalEvery: 10, earlyStopping: { patience: 3, minDelta: 100 } }));
  assert.equal(end.status, 'completed');
  assert.deepEqual(end.earlyStopped, { step: 40, bestStep: 10 });
  assert.match(end.message ?? '', /Stopped early at step 40.*weights of step 10/);
  assert.equal(rows[rows.length - 1]!.step, 40);
  assert.deepEqual(events.map((e) => e.type), ['best', 'earlyStop']);
  assert.deepEqual(bests.map((b) => b.step), [10]);
  const now = await t.stateDict();
  assert.deepEqual(now, bests[0]!.weights, 'the model holds the best weights');
  t.dispose();
});

/** Train `stopAt` steps, checkpoint, then continue in a fresh trainer from the checkpoint; rows must equal an uninterrupted run's. */
async function resumesExactly(def: Record<string, unknown>, stopAt: number, tolerance = 0): Promise<void> {
  const full = await runAll(def);
  const fullWeights = await full.t.stateDict();
  full.t.dispose();
  const a = define(def);
  const t1 = new Trainer(a.spec, a.data);
  let cp: Checkpoint | undefined;
  const s1 = new TrainingSession(t1, { checkpoint: (c) => void (cp = c) }, { checkpointEvery: stopAt });
  // stop as soon as the first checkpoint is written
  const s1run = s1.run();
  const poll = setInterval(() => { if (cp) s1.stop(); }, 0);
  await s1run;
  clearInterval(poll);
  assert.ok(cp, 'a checkpoint was written');
  const at = cp!.step;
  assert.ok(at >= stopAt && at < full.t.totalSteps, `checkpoint at ${at}`);
  const roundTrip = JSON.parse(JSON.stringify(cp)) as Checkpoint; // as stored on disk
  t1.dispose();
  const b = define(def);
  const t2 = new Trainer(b.spec, b.data);
  const rows: MetricRow[] = [];
  const s2 = new TrainingSession(t2, { metrics: (r) => void rows.push(r) });
  try {
    await s2.restore(roundTrip);
    const end = await s2.run();
    assert.equal(end!.status, 'completed');
    const expected = strip(full.rows.filter((r) => r.step > at));
    assert.ok(expected.length > 0);
    if (tolerance === 0) {
      assert.deepEqual(strip(rows), expected);
      assert.deepEqual(await t2.stateDict(), fullWeights, 'the same final weights');
    } else {
      assert.deepEqual(rows.map((r) => r.step), expected.map((r) => r.step));
      rows.forEach((r, i) => assert.ok(Math.abs(r.loss - expected[i]!.loss) <= tolerance * Math.abs(expected[i]!.loss), `step ${r.step}: ${r.loss} vs ${expected[i]!.loss}`));
    }
  } finally {
    t2.dispose();
  }
}

const parity = (optimizer: string) => ({ data: { task: 'parity', samples: 64, length: 5, validation: 0.25 }, layers: [{ cell: 'lstm', units: 6 }], training: { optimizer, learningRate: 0.02, batchSize: 10, steps: 40, logEvery: 4, evalEvery: 8 } });

test('a checkpoint resumes exactly: rmsprop moments, shuffled mini-batches (data order and RNG), validation', async () => {
  await useBackend('cpu');
  await resumesExactly(parity('rmsprop'), 14);
});

test('a checkpoint resumes exactly: adam moments and step count (bias corrections from the step)', async () => {
  await useBackend('cpu');
  await resumesExactly(parity('adam'), 14);
});

test('a checkpoint resumes exactly: adamw; nesterov momentum with weight decay', async () => {
  await useBackend('cpu');
  await resumesExactly({ ...parity('adamw') }, 10);
  await resumesExactly({ ...parity('momentum'), training: { ...parity('momentum').training, nesterov: true, weightDecay: 0.01 } }, 10);
});

test('a checkpoint resumes exactly: reduce-on-plateau keeps its rate and counters across the resume', async () => {
  await useBackend('cpu');
  const p = parity('sgd');
  // patience 0 and a high threshold: the rate is cut at nearly every validation, so a lost counter shows in the losses
  await resumesExactly({ ...p, training: { ...p.training, learningRate: 0.5, evalEvery: 4, schedule: { type: 'plateau', factor: 0.5, patience: 0, threshold: 0.5 } } }, 14);
});

test('a checkpoint resumes exactly: momentum, truncated BPTT in the middle of a batch (carried state)', async () => {
  await useBackend('cpu');
  const text = 'the quick brown fox jumps over the lazy dog. '.repeat(6);
  await resumesExactly({ data: { task: 'text', text, validation: 0.2 }, layers: [{ cell: 'gru', units: 8 }], training: { optimizer: 'momentum', learningRate: 0.1, batchSize: 4, sequenceLength: 12, tbptt: 4, steps: 30, logEvery: 1, evalEvery: 10 } }, 7);
});

test('a stop is honoured in the middle of a long logEvery (the loop yields to the event loop)', async () => {
  await useBackend('cpu');
  const { spec, data } = define(hello({ steps: 1000000, logEvery: 1000000, evalEvery: 1000000 }));
  const t = new Trainer(spec, data);
  const rows: MetricRow[] = [];
  const s = new TrainingSession(t, { metrics: (r) => void rows.push(r) }, { yieldMs: 20 });
  setTimeout(() => s.stop(), 300);
  const end = await s.run();
  assert.equal(end!.status, 'stopped');
  assert.ok(t.step > 0 && t.step < 1000000, `stopped at step ${t.step}`);
  assert.equal(rows.length, 1, 'the partial stretch still gets its row');
  assert.equal(rows[0]!.step, t.step);
  t.dispose();
});

test('a stop is honoured in the middle of a validation; pause and run again continue where it was', async () => {
  await useBackend('cpu');
  const def = { data: { task: 'parity', samples: 3000, length: 6, validation: 0.9 }, layers: [{ cell: 'rnn', units: 4 }], training: { optimizer: 'sgd', batchSize: 4, steps: 5, logEvery: 1, evalEvery: 1 } };
  const { spec, data } = define(def);
  const t = new Trainer(spec, data);
  const rows: MetricRow[] = [];
  let clock = 0;
  let yields = 0;
  let s: TrainingSession | undefined = undefined;
  const before = tf.memory().numTensors; // sgd keeps no state tensors
  // a clock that always says it is time to yield; the second yield falls inside the first validation (2700 examples, 11 batches)
  s = new TrainingSession(t, { metrics: (r) => void rows.push(r) }, {
    yieldMs: 1, now: () => (clock += 10),
    yieldToEventLoop: async () => { if (++yields === 2) s!.pause(); },
  });
  assert.equal(await s.run(), undefined, 'paused');
  assert.equal(t.step, 1);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.validLoss, undefined, 'the interrupted validation gives no figure');
  assert.equal(tf.memory().numTensors, before, 'no tensors leaked by the abandoned validation');
  s.stop();
  const end = await s.run();
  assert.equal(end!.status, 'stopped');
  assert.equal(t.step, 1);
  t.dispose();
});

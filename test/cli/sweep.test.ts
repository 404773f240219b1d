/** `seqlab sweep`: a tiny grid trains every trial as a run of the experiment, records its overrides, and prints the ranked table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seqlab, workspace } from '../support/cli';

const TINY = `{
  "name": "tiny-sweep",
  "data": { "task": "adding", "length": 8, "samples": 96, "seed": 1 },
  "layers": [ { "cell": "rnn", "units": 4 } ],
  "training": { "steps": 6, "batchSize": 16, "evalEvery": 3 },
  "sweep": {
    "parameters": {
      "layers[0].cell": ["rnn", "gru"],
      "training.learningRate": [0.03, 0.003]
    }
  }
}
`;

function summaries(ws: string) {
  const dir = join(ws, '.seqlab', 'runs');
  return readdirSync(dir).map((id) => JSON.parse(readFileSync(join(dir, id, 'summary.json'), 'utf8')));
}

test('sweep trains a 2 x 2 grid: four runs of the experiment, each with its overrides written in and recorded', () => {
  const ws = workspace();
  writeFileSync(join(ws, 'tiny.seqlab.json'), TINY);
  const r = seqlab(['sweep', 'tiny.seqlab.json', '--json', '--backend', 'cpu', '--out', 'report.md'], ws);
  assert.equal(r.code, 0, r.err + r.out);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
  const plan = lines.find((l) => l.event === 'plan');
  assert.equal(plan.trials.length, 4);
  assert.deepEqual(plan.trials[1].overrides, [{ path: 'layers[0].cell', value: 'rnn' }, { path: 'training.learningRate', value: 0.003 }]);
  const ends = lines.filter((l) => l.event === 'trialEnd');
  assert.deepEqual(ends.map((e) => e.status), ['completed', 'completed', 'completed', 'completed']);
  const results = lines.find((l) => l.event === 'results');
  const losses = results.ranked.map((x: { validLoss: number }) => x.validLoss);
  assert.deepEqual(losses, [...losses].sort((a, b) => a - b), 'ranked by validation loss');

  const runs = summaries(ws);
  assert.equal(runs.length, 4);
  assert.ok(runs.every((s) => s.experiment === 'tiny.seqlab.json' && s.sweep.id === plan.sweep && s.sweep.trials === 4 && s.status === 'completed'));
  const gru = runs.find((s) => s.sweep.trial === 4);
  assert.deepEqual(gru.sweep.overrides, [{ path: 'layers[0].cell', value: 'gru' }, { path: 'training.learningRate', value: 0.003 }]);
  const def = readFileSync(join(ws, '.seqlab', 'runs', gru.id, 'definition.seqlab.json'), 'utf8');
  assert.match(def, /"cell": "gru"/);
  assert.match(def, /"learningRate": 0.003/);
  assert.doesNotMatch(def, /"sweep"/);
  // a GRU has three gates: 3 * 4 rows in weight_ih
  const w = JSON.parse(readFileSync(join(ws, '.seqlab', 'runs', gru.id, 'weights.json'), 'utf8')).state_dict;
  assert.deepEqual(w['rnn.weight_ih_l0'].shape, [12, 2]);

  const report = readFileSync(join(ws, 'report.md'), 'utf8');
  assert.match(report, /^# Sweep of tiny\.seqlab\.json/);
  assert.match(report, /\| # \| trial \| `layers\[0\]\.cell` \| `training\.learningRate` \| val_loss \|/);
  assert.equal(report.split('\n').filter((l) => /^\| \d+ \| \d \| (rnn|gru) \|/.test(l)).length, 4);
});

test('sweep --parallel 2 trains trials in two processes; --trial trains one alone', () => {
  const ws = workspace();
  writeFileSync(join(ws, 'tiny.seqlab.json'), TINY);
  const r = seqlab(['sweep', 'tiny.seqlab.json', '--parallel', '2', '--backend', 'cpu'], ws);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /4 trials of tiny-sweep, 2 at a time/);
  assert.equal(summaries(ws).filter((s) => s.status === 'completed').length, 4);
  assert.equal(new Set(summaries(ws).map((s) => s.sweep.id)).size, 1);
  assert.equal(new Set(summaries(ws).map((s) => s.pid ?? s.id)).size, 4);
  const one = seqlab(['sweep', 'tiny.seqlab.json', '--trial', '3', '--backend', 'cpu', '--json'], ws);
  assert.equal(one.code, 0, one.err);
  assert.equal(one.out.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.event === 'trialEnd').length, 1);
  assert.equal(summaries(ws).length, 5);
  const listed = seqlab(['runs'], ws);
  assert.equal(listed.out.split('\n').filter((l) => /sweep \S+ trial 3\/4: layers\[0\]\.cell = "gru", training\.learningRate = 0\.03$/.test(l)).length, 2);
});

test('sweep refuses a definition without a sweep, a bad sweep (located), and bad flags', () => {
  const ws = workspace();
  let r = seqlab(['sweep', 'examples/hello.seqlab.json'], ws);
  assert.equal(r.code, 1);
  assert.match(r.err, /has no "sweep" section/);
  writeFileSync(join(ws, 'bad.seqlab.json'), TINY.replace('"gru"]', '"gruu"]'));
  r = seqlab(['sweep', 'bad.seqlab.json'], ws);
  assert.equal(r.code, 1);
  assert.match(r.err, /bad\.seqlab\.json:8:33: error: a value of layers\[0\]\.cell in the sweep must be one of "rnn", "lstm" or "gru" \(got "gruu"\)/);
  r = seqlab(['sweep', 'bad.seqlab.json', '--parallel', '0'], ws);
  assert.equal(r.code, 2);
  assert.match(r.err, /--parallel must be an integer from 1 to 64/);
  writeFileSync(join(ws, 'tiny.seqlab.json'), TINY);
  r = seqlab(['sweep', 'tiny.seqlab.json', '--trial', '9'], ws);
  assert.equal(r.code, 1);
  assert.match(r.err, /trials 1 to 4 \(got 9\)/);
});

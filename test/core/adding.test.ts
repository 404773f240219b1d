import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDefinition } from '../../src/core/dsl';
import { buildDataset } from '../../src/core/tasks';
import { Trainer } from '../../src/core/train';
import { useBackend } from '../../src/node/backend';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

function load(name: string) {
  const r = parseDefinition(readFileSync(join(EXAMPLES, name), 'utf8'));
  assert.ok(r.spec, `${name} parses`);
  return { spec: r.spec, data: buildDataset(r.spec) };
}

/** Train until the validation MSE drops below `target` or `maxSteps` pass; returns the curve. */
async function train(name: string, maxSteps: number, target: number) {
  const { spec, data } = load(name);
  const t = new Trainer({ ...spec, training: { ...spec.training, steps: maxSteps } }, data);
  let val = Infinity;
  const started = Date.now();
  while (!t.done && val >= target) {
    await t.runSteps(50);
    val = (await t.evaluate()).loss;
  }
  const out = { steps: t.step, val, baseline: data.baselineLoss!, secs: (Date.now() - started) / 1000 };
  t.dispose();
  return out;
}

test('adding problem, T = 50: an LSTM solves it (MSE < 0.01); a vanilla RNN on the same budget does not get far', async () => {
  await useBackend('wasm');
  const lstm = await train('adding-lstm.seqlab.json', 1500, 0.01);
  console.log(`# adding T=50  LSTM: validation MSE ${lstm.val.toFixed(4)} after ${lstm.steps} steps (${lstm.secs.toFixed(0)} s); predicting the mean scores ${lstm.baseline.toFixed(4)}`);
  assert.ok(lstm.val < 0.01, `LSTM validation MSE ${lstm.val} after ${lstm.steps} steps`);
  const rnn = await train('adding-rnn.seqlab.json', lstm.steps, 0);
  console.log(`# adding T=50  RNN:  validation MSE ${rnn.val.toFixed(4)} after ${rnn.steps} steps (${rnn.secs.toFixed(0)} s), ${(rnn.val / lstm.val).toFixed(0)}x the LSTM's`);
  assert.equal(rnn.steps, lstm.steps, 'same budget');
  assert.ok(rnn.val > lstm.val, 'the vanilla RNN ends worse than the LSTM');
});

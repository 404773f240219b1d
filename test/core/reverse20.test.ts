/**
 * Reverse at length 20, with and without attention, side by side (issue 11, item 5): the two shipped
 * examples, trained exactly as the files say (same data, sizes, steps), judged free-running (greedy
 * decoding from the model's own outputs, src/core/decode.ts) on the 400 held-out sequences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBackend } from '../../src/node/backend';
import { loadDefinition } from '../../src/node/trainRun';
import { Trainer, validationFields } from '../../src/core/train';
import { greedyBatch } from '../../src/core/decode';

const ROOT = join(__dirname, '..', '..');

interface Figures {
  exactMatch: number;
  tokenAccuracy: number;
  teacherForced: number;
  /** Free-running accuracy at each output position t = 1..20 (output t is input 21 - t). */
  byPosition: number[];
  steps: number;
  seconds: number;
}

async function trainExample(name: string): Promise<Figures> {
  await useBackend('wasm');
  const { spec, data } = loadDefinition(join(ROOT, 'examples', `${name}.seqlab.json`), ROOT);
  const started = Date.now();
  const t = new Trainer(spec, data);
  try {
    while (!t.done) await t.runSteps(100);
    const f = validationFields(await t.evaluate());
    // where the free-running errors are: greedy outputs position by position against the reversal
    const valid = data.valid;
    const out = greedyBatch(t.model, valid.map((e) => e.x), valid.map((e) => e.y.length), data.endToken);
    const byPosition = valid[0].y.map((_, p) => valid.filter((e, b) => out[b].tokens[p] === e.y[p][0]).length / valid.length);
    return {
      exactMatch: f.validExactMatch!, tokenAccuracy: f.validTokenAccuracy!, teacherForced: f.validAccuracy!,
      byPosition, steps: t.step, seconds: (Date.now() - started) / 1000,
    };
  } finally {
    t.dispose();
  }
}

test('reverse 20 symbols: attention >= 95% free-running exact match, the same model without attention ~0%', async () => {
  const attention = await trainExample('reverse20-attention');
  const plain = await trainExample('reverse20-plain');
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  for (const [name, f] of [['reverse20-attention', attention], ['reverse20-plain', plain]] as const) {
    console.log(
      `${name}: ${f.steps} steps in ${f.seconds.toFixed(1)}s; free-running exact match ${pct(f.exactMatch)}, token accuracy ${pct(f.tokenAccuracy)}; ` +
      `teacher-forced token accuracy ${pct(f.teacherForced)}\n  free-running accuracy by output position: ${f.byPosition.map((v) => (v * 100).toFixed(0)).join(' ')}`,
    );
  }
  assert.equal(attention.steps, plain.steps, 'the same budget');
  // the bar: whole sequences of 20, written from the decoder's own outputs (chance 10^-20)
  assert.ok(attention.exactMatch >= 0.95, `with attention: exact match ${attention.exactMatch}`);
  assert.ok(attention.byPosition.every((v) => v >= 0.95), `with attention every position is learnt: ${attention.byPosition}`);
  // without attention 20 symbols do not fit through the final state: hardly a whole sequence right,
  // most positions near chance (10%), far below the attention model
  assert.ok(plain.exactMatch <= 0.05, `without attention: exact match ${plain.exactMatch}`);
  assert.ok(plain.tokenAccuracy < 0.6, `without attention: token accuracy ${plain.tokenAccuracy}`);
  assert.ok(attention.tokenAccuracy - plain.tokenAccuracy > 0.3, 'attention is what makes the difference');
  // what it does learn is the first outputs (the last inputs, the freshest in the encoder's final state);
  // the later ones are near chance
  const late = plain.byPosition.slice(10).reduce((a, v) => a + v, 0) / 10;
  assert.ok(plain.byPosition[0] > 2 * late, `without attention: first output ${plain.byPosition[0]} vs the last ten ${late}`);
});

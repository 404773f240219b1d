import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBackend } from '../../src/node/backend';
import { Trainer, validationFields } from '../../src/core/train';
import { formatReport } from '../../src/core/evaluate';
import { define } from '../support/spec';

// reverse-seq2seq in small (examples/reverse-seq2seq.seqlab.json and reverse-attention are the full size):
// 8 symbols of 6, a GRU encoder-decoder with and without attention, the same budget
const reverse = (decoder: Record<string, unknown>) =>
  define({
    data: { task: 'reverse', length: 8, symbols: 6, samples: 600 }, input: { encoding: 'embedding', embeddingSize: 8 },
    structure: 'encoder-decoder', layers: [{ cell: 'gru', units: 24 }], decoder,
    training: { batchSize: 32, steps: 300, learningRate: 0.02, clip: { type: 'norm', threshold: 1 } },
  });

test('reverse, 300 steps: free-running exact match with attention >= without, both above chance; validLoss stays teacher-forced', async () => {
  await useBackend('wasm');
  const figures: Record<string, ReturnType<typeof validationFields>> = {};
  for (const [name, decoder] of [['no attention', {}], ['luong-general', { attention: 'luong-general' }]] as const) {
    const { spec, data } = reverse(decoder);
    const t = new Trainer(spec, data);
    while (!t.done) await t.runSteps(50);
    const v = await t.evaluate();
    // the end-of-run report carries the same free-running figures, and labels what is teacher-forced
    const rep = await t.report('validation');
    t.dispose();
    assert.equal(rep.kind, 'language');
    if (rep.kind === 'language') assert.deepEqual(rep.freeRunning, v.freeRunning);
    const lines = formatReport(rep);
    assert.match(lines[0], /token accuracy [\d.]+% \(teacher-forced, 480 tokens\)/);
    assert.match(lines[1], /free-running \(greedy\): exact match [\d.]+%, token accuracy [\d.]+%$/);
    figures[name] = validationFields(v);
    const f = figures[name];
    console.log(`${name}: free-running exact match ${(f.validExactMatch! * 100).toFixed(1)}%, token accuracy ${(f.validTokenAccuracy! * 100).toFixed(1)}%; teacher-forced accuracy ${(f.validAccuracy! * 100).toFixed(1)}%, loss ${f.validLoss!.toFixed(3)}`);
    assert.equal(f.validBleu, undefined, 'no BLEU for character targets');
    // chance: 1/6 per symbol, (1/6)^8 for a whole sequence
    assert.ok(f.validTokenAccuracy! > 0.3, `${name}: free-running token accuracy ${f.validTokenAccuracy} above chance (0.17)`);
    assert.ok(f.validExactMatch! > 0.01, `${name}: some sequences exactly right (chance 6e-7)`);
    // free running cannot beat being fed the truth by much: the two differ, and the gap is what teacher forcing hides
    assert.ok(f.validTokenAccuracy! <= f.validAccuracy! + 0.05, `${name}: free-running ${f.validTokenAccuracy} vs teacher-forced ${f.validAccuracy}`);
  }
  assert.ok(figures['luong-general'].validExactMatch! >= figures['no attention'].validExactMatch!, 'attention reverses at least as many sequences exactly');
});

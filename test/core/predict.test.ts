/** Typed input through the data's tokenizer: sample, probe and Predictor on word-level and built-in data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBackend } from '../../src/node/backend';
import { parseDefinition } from '../../src/core/dsl/index';
import { buildDataset } from '../../src/core/tasks/index';
import { Trainer } from '../../src/core/train';
import { Predictor } from '../../src/core/predict';
import { dataInfo } from '../../src/core/data';

function trainer(def: Record<string, unknown>, files: Record<string, string> = {}): Trainer {
  const r = parseDefinition(JSON.stringify({ name: 't', layers: [{ cell: 'gru', units: 8 }], ...def }), { file: '/ws/m.seqlab.json', workspaceRoot: '/ws' });
  assert.ok(r.spec, JSON.stringify(r.diagnostics));
  return new Trainer(r.spec, buildDataset(r.spec, { definitionFile: '/ws/m.seqlab.json', workspaceRoot: '/ws', readFile: (p) => files[p] }));
}

test('a word-level language model samples words and reads unknown words as <unk>', async () => {
  await useBackend('cpu');
  const t = trainer({ data: { task: 'text', text: 'the cat sat on the mat . the dog sat on the rug . '.repeat(4), tokenize: 'words', validation: 0 }, training: { sequenceLength: 4, steps: 5 } });
  try {
    await t.runSteps(5);
    const s = await t.sample({ prefix: 'the zebra', length: 5, temperature: 1, seed: 1 });
    assert.ok(s.startsWith('the zebra '), s);
    assert.equal(s.slice('the zebra '.length).split(/\s+|(?=[.])/).filter(Boolean).length, 5, `five words written: ${s}`);
    const p = await t.probe('the zebra sat');
    assert.deepEqual(p.inputTokens, ['the', '<unk>'], 'the probe reads the tokens it was given (x = all but the last)');
  } finally {
    t.dispose();
  }
});

test('a tagger probes typed sentences of any length; the Predictor reads a built-in task without a tokenizer', async () => {
  await useBackend('cpu');
  const t = trainer({ data: { task: 'tag', file: 't.conll', validation: 0 }, training: { steps: 2, batchSize: 1 } }, { '/ws/t.conll': 'the\tDET\ndog\tNOUN\n\na\tDET\nbig\tADJ\ncat\tNOUN\n' });
  try {
    await t.runSteps(2);
    const p = await t.probe('a big big dog');
    assert.equal(p.inputTokens.length, 4);
    assert.equal(p.prediction.kind === 'classes' && p.prediction.tokens.length, 4);
  } finally {
    t.dispose();
  }
  const s = trainer({ data: { task: 'sentiment', samples: 50 }, training: { steps: 1 } });
  const { spec, data } = s;
  const sd = await s.stateDict();
  s.dispose();
  const pr = new Predictor(spec, dataInfo(data), sd);
  try {
    const r = pr.predict('the movie was not good');
    assert.equal(typeof r.probability, 'number');
    assert.throws(() => pr.predict('the zebra'), /"zebra" is not in the vocabulary/);
  } finally {
    pr.dispose();
  }
});

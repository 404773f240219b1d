/** The memory estimate checked before training (issue 15 item 3). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDefinition } from '../../src/core/dsl';
import { buildDataset, DataError } from '../../src/core/tasks';
import { estimateCost, shapeOfData, DEFAULT_MEMORY_BUDGET_MB } from '../../src/core/cost';
import { Trainer } from '../../src/core/train';
import { useBackend } from '../../src/node/backend';
import { workspaceTaskContext } from '../../src/node/dataFiles';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

test('the parameter estimate is the model\'s exact parameter count, for every shipped example', async () => {
  await useBackend('cpu');
  for (const f of readdirSync(EXAMPLES).filter((x) => x.endsWith('.seqlab.json'))) {
    const file = join(EXAMPLES, f);
    const spec = parseDefinition(readFileSync(file, 'utf8'), { file }).spec!;
    const data = buildDataset(spec, workspaceTaskContext(file, join(EXAMPLES, '..')));
    const t = new Trainer(spec, data);
    try {
      const e = estimateCost(spec, shapeOfData(data));
      assert.equal(e.parameters, t.model.parameterCount, f);
      assert.ok(e.total < DEFAULT_MEMORY_BUDGET_MB * 1024 * 1024 / 4, `${f} is far inside the default budget`);
    } finally {
      t.dispose();
    }
  }
});

const def = (o: object) => JSON.stringify({ name: 'big', ...o }, null, 2);

test('16 LSTM layers of 4096 units are refused at a layer\'s units, naming the parts and the budget', () => {
  const text = def({ data: { task: 'parity' }, layers: Array.from({ length: 16 }, () => ({ cell: 'lstm', units: 4096 })) });
  const r = parseDefinition(text);
  assert.equal(r.spec, undefined);
  const d = r.diagnostics.find((x) => x.code === 'memory-budget')!;
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.equal(d.path.length, 3);
  assert.equal(d.path[0], 'layers');
  assert.equal(d.path[2], 'units');
  assert.equal(text.slice(d.offset, d.offset + d.length), '4096');
  assert.match(d.message, /needs about [\d.]+ GB \(.*parameters .*gradients .*adam state .*activations kept for BPTT .*data .*\), over the memory budget of 2,048 MB: lower layers\[\d+\]\.units \(4096\)/);
  assert.match(d.message, /seqlab\.memoryBudgetMB, CLI --memory-budget MB/);
  // a budget raised far enough lets it through
  assert.ok(parseDefinition(text, { memoryBudgetMB: 1e9 }).spec);
});

test('batchSize 65536 on a 190,000-example set is refused at training.batchSize; a default batch is not', () => {
  const big = def({ data: { task: 'adding', samples: 190000, length: 100 }, layers: [{ cell: 'lstm', units: 128 }], training: { batchSize: 65536 } });
  const r = parseDefinition(big);
  const d = r.diagnostics.find((x) => x.code === 'memory-budget')!;
  assert.deepEqual(d.path, ['training', 'batchSize']);
  assert.match(d.message, /activations kept for BPTT [\d.]+ GB/);
  assert.match(d.message, /lower training\.batchSize \(65536\)/);
  assert.ok(parseDefinition(big.replace('65536', '32')).spec);
});

test('the data-aware check runs when the data set is built (what the definition alone cannot tell)', () => {
  // a long text with a small window: many examples; a tiny budget refuses it at data.text
  const text = 'abcdefghij'.repeat(20000);
  const spec = parseDefinition(def({ data: { task: 'text', text }, layers: [{ cell: 'gru', units: 8 }], training: { sequenceLength: 4 } })).spec!;
  assert.ok(buildDataset(spec).train.length > 0);
  assert.throws(() => buildDataset(spec, { memoryBudgetMB: 5 }), (e) => e instanceof DataError && /over the memory budget of 5 MB/.test(e.message) && e.path.join('.') === 'data.text');
});

test('the parameter estimate counts attention and the bridge exactly (every kind, LSTM and GRU, both bridges)', async () => {
  await useBackend('cpu');
  const cases = [
    { layers: [{ cell: 'lstm', units: 6, bidirectional: true }, { cell: 'lstm', units: 5 }], decoder: { attention: 'luong-general' } },
    { layers: [{ cell: 'gru', units: 6, bidirectional: true, merge: 'sum' }], decoder: { attention: 'luong-dot', bridge: 'sum' } },
    { layers: [{ cell: 'lstm', units: 4, bidirectional: true }], decoder: { attention: 'bahdanau', bridge: 'linear' } },
    { layers: [{ cell: 'rnn', units: 7 }, { cell: 'rnn', units: 7 }], decoder: { attention: 'bahdanau' } },
  ];
  for (const c of cases) {
    const spec = parseDefinition(def({ data: { task: 'reverse', length: 5, samples: 20 }, input: { encoding: 'embedding', embeddingSize: 3 }, structure: 'encoder-decoder', ...c })).spec!;
    assert.ok(spec, JSON.stringify(c));
    const data = buildDataset(spec);
    const t = new Trainer(spec, data);
    try {
      assert.equal(estimateCost(spec, shapeOfData(data)).parameters, t.model.parameterCount, JSON.stringify(c));
    } finally {
      t.dispose();
    }
  }
});

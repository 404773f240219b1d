/** Truncated BPTT only when asked for (issue 15 item 13): no silent 32-step windows from sequenceLength. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDefinition } from '../../src/core/dsl';
import { buildDataset } from '../../src/core/tasks';
import { Trainer } from '../../src/core/train';
import { useBackend } from '../../src/node/backend';

const sine = (training: object, structure = 'many-to-many') =>
  JSON.stringify({ name: 's', structure, data: { task: 'sine', length: 64, samples: 40 }, layers: [{ cell: 'gru', units: 4 }], training: { batchSize: 8, epochs: 1, ...training } });

test('a many-to-many sequence longer than 32 trains with full BPTT unless tbptt is set', async () => {
  await useBackend('cpu');
  const full = parseDefinition(sine({}));
  assert.ok(full.spec, JSON.stringify(full.diagnostics));
  assert.equal(full.spec.training.tbptt, 0);
  const data = buildDataset(full.spec);
  const perEpoch = Math.ceil(data.train.length / 8);
  const t = new Trainer(full.spec, data);
  assert.equal(t.totalSteps, perEpoch, 'one optimizer step per batch: no windows');
  t.dispose();
  const cut = parseDefinition(sine({ tbptt: 16 })).spec!;
  const t2 = new Trainer(cut, buildDataset(cut));
  assert.equal(t2.totalSteps, perEpoch * 4, 'asked for: 64 steps in windows of 16');
  t2.dispose();
});

test('tbptt is checked against the real sequence length, and warned about where it does nothing', () => {
  const long = parseDefinition(sine({ tbptt: 100 }));
  const e = long.diagnostics.find((d) => d.code === 'tbptt-too-long');
  assert.ok(e, JSON.stringify(long.diagnostics));
  assert.match(e.message, /at most the sequence length, data\.length \(64\)/);
  // 48 > the text default sequenceLength (32) but within data.length: fine
  assert.ok(parseDefinition(sine({ tbptt: 48 })).spec);
  const m2o = parseDefinition(sine({ tbptt: 8 }, 'many-to-one'));
  assert.ok(m2o.spec);
  const w = m2o.diagnostics.find((d) => d.code === 'ignored-tbptt');
  assert.ok(w && w.severity === 'warning', JSON.stringify(m2o.diagnostics));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBackend } from '../../src/node/backend';
import { Trainer } from '../../src/core/train';
import { define } from '../support/spec';

const reverse = (decoder: Record<string, unknown>, layer: Record<string, unknown> = {}, steps = 150) =>
  define({
    data: { task: 'reverse', length: 8, symbols: 6, samples: 600 }, input: { encoding: 'embedding', embeddingSize: 8 },
    structure: 'encoder-decoder', layers: [{ cell: 'gru', units: 24, ...layer }], decoder,
    training: { batchSize: 32, steps, learningRate: 0.02, clip: { type: 'norm', threshold: 1 } },
  });

async function train(decoder: Record<string, unknown>, layer?: Record<string, unknown>) {
  const { spec, data } = reverse(decoder, layer);
  const t = new Trainer(spec, data);
  while (!t.done) await t.runSteps(50);
  const ev = await t.evaluate();
  return { t, ev };
}

test('reverse, 8 symbols, 150 steps: attention (luong-general, bahdanau) beats the final state alone at the same budget', async () => {
  await useBackend('wasm');
  const none = await train({});
  none.t.dispose();
  for (const attention of ['luong-general', 'bahdanau']) {
    const r = await train({ attention });
    assert.ok(r.ev.loss < none.ev.loss, `${attention}: validation loss ${r.ev.loss} < ${none.ev.loss} without attention`);
    if (attention === 'luong-general') assert.ok(r.ev.accuracy! > 0.9, `luong-general: teacher-forced accuracy ${r.ev.accuracy}`);
    // the probe carries the alignment: [target step][source step], rows summing to 1
    const p = await r.t.probe();
    assert.equal(p.attention!.length, 8);
    for (const row of p.attention!) {
      assert.equal(row.length, 8);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    }
    if (attention === 'luong-general') {
      // reversing: target step t attends most to source step S-1-t, or the one after it (a forward
      // encoder's output there has just read that token), on every step but perhaps one
      const diag = p.attention!.filter((row, t) => [7 - t, 8 - t].includes(row.indexOf(Math.max(...row)))).length;
      assert.ok(diag >= 7, `anti-diagonal alignment on ${diag}/8 steps`);
    }
    const sd = await r.t.stateDict();
    assert.ok(Object.keys(sd).some((k) => k.startsWith('attention.')), 'attention parameters are in the state_dict');
    r.t.dispose();
  }
});

test('a bidirectional encoder with a linear or sum bridge trains; the bridge parameters have PyTorch names', async () => {
  await useBackend('cpu');
  for (const bridge of ['linear', 'sum']) {
    const { spec, data } = reverse({ bridge, attention: 'luong-general' }, { bidirectional: true, cell: 'lstm' }, 20);
    const t = new Trainer(spec, data);
    const first = await t.evaluate();
    while (!t.done) await t.runSteps(10);
    const last = await t.evaluate();
    assert.ok(last.loss < first.loss, `${bridge}: loss falls ${first.loss} -> ${last.loss}`);
    const names = Object.keys(await t.stateDict());
    if (bridge === 'linear') {
      for (const n of ['bridge.h_l0.weight', 'bridge.h_l0.bias', 'bridge.c_l0.weight', 'bridge.c_l0.bias']) assert.ok(names.includes(n), n);
      const sd = await t.stateDict();
      assert.deepEqual(sd['bridge.h_l0.weight'].shape, [24, 48]);
      assert.deepEqual(sd['attention.score.weight'].shape, [24, 48], 'luong-general projects the 48-wide bidirectional keys');
    } else assert.ok(!names.some((n) => n.startsWith('bridge.')));
    assert.ok(names.includes('encoder.weight_hh_l0_reverse'));
    t.dispose();
  }
});

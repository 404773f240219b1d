import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/core/tf';
import { useBackend } from '../../src/node/backend';
import { SeqModel } from '../../src/core/model';
import { Trainer } from '../../src/core/train';
import type { Example, SeqData } from '../../src/core/data';
import { define } from '../support/spec';
import { Rng } from '../../src/core/rng';

const V = 5;
const vocab = Array.from({ length: V }, (_, i) => String.fromCharCode(97 + i));

/** Token examples of the given input lengths; targets per structure. */
function examples(structure: SeqData['structure'], lengths: number[], seed = 1, outLengths?: number[]): Example[] {
  const rng = new Rng(seed);
  return lengths.map((n, b) => {
    const x = Array.from({ length: n }, () => [rng.int(V)]);
    const ny = structure === 'many-to-many' ? n : structure === 'many-to-one' ? 1 : outLengths![b];
    return { x: structure === 'one-to-many' ? [x[0]] : x, y: Array.from({ length: ny }, () => [rng.int(3)]) };
  });
}

function dataFor(structure: SeqData['structure'], train: Example[]): SeqData {
  return {
    task: 'synthetic', structure, input: { kind: 'tokens', vocab }, output: { kind: 'classes', classes: ['x', 'y', 'z'] },
    startToken: 0, generative: false, train, valid: [], about: 'variable-length tokens',
  };
}

/** loss and gradients of one batch, as plain numbers */
function lossAndGrads(model: SeqModel, ex: Example[]): { loss: number; rows: number; grads: Record<string, Float32Array> } {
  const batch = model.makeBatch(ex);
  try {
    return tf.tidy(() => {
      const { value, grads } = tf.paramGrads(() => model.loss(model.forward(batch).logits, batch.y, batch.mask), model.params);
      const g: Record<string, Float32Array> = {};
      for (const [k, v] of Object.entries(grads)) g[k] = v.dataSync() as Float32Array;
      return { loss: value.dataSync()[0], rows: batch.rows, grads: g } as never;
    });
  } finally {
    batch.dispose();
  }
}

const CASES: [string, Record<string, unknown>, SeqData['structure'], number[], number[]?][] = [
  ['many-to-one, bidirectional LSTM (own last step forward, own first step backward)', { data: { task: 'sentiment' }, structure: 'many-to-one', layers: [{ cell: 'lstm', units: 4, bidirectional: true }] }, 'many-to-one', [5, 2, 4, 1]],
  ['many-to-one, 2-layer GRU with embedding and position feature', { data: { task: 'sentiment' }, structure: 'many-to-one', input: { encoding: 'embedding', embeddingSize: 3, positionFeature: true }, layers: [{ cell: 'gru', units: 4 }, { cell: 'rnn', units: 3 }] }, 'many-to-one', [3, 6, 1]],
  ['many-to-many tagger, bidirectional GRU + RNN', { data: { task: 'tagging' }, layers: [{ cell: 'gru', units: 4, bidirectional: true }, { cell: 'rnn', units: 3 }] }, 'many-to-many', [4, 1, 6]],
  ['one-to-many, LSTM', { data: { task: 'spell' }, layers: [{ cell: 'lstm', units: 4 }] }, 'one-to-many', [1, 1, 1], [3, 5, 2]],
  ['encoder-decoder, GRU', { data: { task: 'reverse' }, structure: 'encoder-decoder', layers: [{ cell: 'gru', units: 4 }] }, 'encoder-decoder', [4, 2, 5], [2, 5, 3]],
];

for (const [name, def, structure, lengths, outLengths] of CASES) {
  test(`padding changes nothing: ${name}: a padded batch's loss and gradients are the per-example ones, weighted by target rows`, async () => {
    await useBackend('cpu');
    const ex = examples(structure, lengths, 3, outLengths);
    const { spec } = define(def);
    const model = new SeqModel({ ...spec, structure }, dataFor(structure, ex), 5);
    try {
      const all = lossAndGrads(model, ex);
      assert.ok(structure === 'many-to-one' || all.rows < ex.length * Math.max(...ex.map((e) => e.y.length)), 'the batch is padded');
      const each = ex.map((e) => lossAndGrads(model, [e]));
      const total = each.reduce((a, r) => a + r.rows, 0);
      assert.equal(all.rows, total);
      const expected = each.reduce((a, r) => a + r.loss * r.rows, 0) / total;
      assert.ok(Math.abs(all.loss - expected) < 1e-5, `loss ${all.loss} vs per-example ${expected}`);
      for (const k of Object.keys(all.grads)) {
        const g = all.grads[k];
        let worst = 0;
        for (let i = 0; i < g.length; i++) {
          const e = each.reduce((a, r) => a + r.grads[k][i] * r.rows, 0) / total;
          worst = Math.max(worst, Math.abs(g[i] - e));
        }
        assert.ok(worst < 1e-5, `grad ${k}: ${worst}`);
      }
    } finally {
      model.dispose();
    }
  });
}

test('accuracy ignores padding', async () => {
  await useBackend('cpu');
  const { spec } = define({ data: { task: 'tagging' }, layers: [{ cell: 'rnn', units: 3 }] });
  const ex = examples('many-to-many', [4, 1], 2);
  const model = new SeqModel(spec, dataFor('many-to-many', ex), 1);
  const batch = model.makeBatch(ex);
  // logits that predict class 0 everywhere: accuracy = share of class-0 targets among the 5 real ones
  const logits = tf.tensor2d(Array.from({ length: 4 * 2 }, () => [5, 0, 0]));
  const acc = model.accuracy(logits, batch.y, batch.mask)!.dataSync()[0];
  const real = ex.flatMap((e) => e.y.map((v) => v[0]));
  assert.equal(real.length, 5);
  assert.ok(Math.abs(acc - real.filter((c) => c === 0).length / 5) < 1e-6);
  tf.dispose([logits]);
  batch.dispose();
  model.dispose();
});

test('training and evaluation on variable-length data, with truncated BPTT windows past some sequences\' ends', async () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    await useBackend(backend);
    const { spec } = define({ data: { task: 'tagging' }, layers: [{ cell: 'lstm', units: 6 }], training: { batchSize: 4, steps: 12, tbptt: 3, learningRate: 0.05 } });
    const rng = new Rng(9);
    // tag = whether the token is 'a': learnable from the current token alone
    const train = Array.from({ length: 32 }, () => {
      const n = 1 + rng.int(8);
      const x = Array.from({ length: n }, () => [rng.int(V)]);
      return { x, y: x.map((v) => [v[0] === 0 ? 1 : 0]) };
    });
    const data = { ...dataFor('many-to-many', train), valid: train.slice(0, 8) };
    const t = new Trainer({ ...spec, training: { ...spec.training, tbptt: 3 } }, data);
    const before = tf.memory().numTensors;
    const first = await t.evaluate();
    while (!t.done) {
      const row = await t.runSteps(4);
      assert.ok(Number.isFinite(row.loss));
    }
    const last = await t.evaluate();
    assert.ok(last.loss < first.loss, `${backend}: validation loss falls (${first.loss} -> ${last.loss})`);
    t.dispose();
    assert.ok(tf.memory().numTensors <= before, 'no tensor leak');
  }
});

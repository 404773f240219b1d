import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '../../src/core/tf';
import { useBackend } from '../../src/node/backend';
import { DivergenceError, Trainer } from '../../src/core/train';
import { SeqModel } from '../../src/core/model';
import { define } from '../support/spec';
import { Rng } from '../../src/core/rng';

const hello = (cell: string, extra: Record<string, unknown> = {}) =>
  define({ data: { task: 'hello' }, layers: [{ cell, units: 8 }], training: { learningRate: 0.05, steps: 200, batchSize: 1, logEvery: 20, ...extra } });

async function curve(t: Trainer, every: number): Promise<number[]> {
  const losses: number[] = [];
  while (!t.done) losses.push((await t.runSteps(every)).loss);
  return losses;
}

for (const cell of ['rnn', 'lstm', 'gru']) {
  test(`hello (${cell}): "hell" -> "ello" reaches 100% accuracy and near-zero loss`, async () => {
    await useBackend('wasm');
    const { spec, data } = hello(cell);
    const t = new Trainer(spec, data);
    const losses = await curve(t, 20);
    const ev = await t.evaluate();
    assert.equal(ev.accuracy, 1);
    assert.ok(ev.loss < 0.05, `final loss ${ev.loss}`);
    assert.ok(losses[losses.length - 1] < losses[0] / 10, 'the loss falls');
    const p = await t.probe();
    assert.deepEqual(p.prediction.kind === 'classes' && p.prediction.tokens, ['e', 'l', 'l', 'o']);
    assert.equal(await t.sample({ prefix: 'h', length: 4, temperature: 0.01 }), 'hello');
    t.dispose();
  });
}

test('the same seed and backend give the same loss curve; another seed does not', async () => {
  await useBackend('cpu');
  const run = async (seed: number) => {
    const { spec, data } = define({ data: { task: 'parity', length: 6, samples: 200 }, layers: [{ cell: 'gru', units: 8, dropout: 0.2 }, { cell: 'rnn', units: 6 }], training: { seed, steps: 60, batchSize: 16 } });
    const t = new Trainer(spec, data);
    const c = await curve(t, 5);
    t.dispose();
    return c;
  };
  const a = await run(3);
  const b = await run(3);
  const c = await run(4);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

const LEAK_CASES: [string, Record<string, unknown>][] = [
  ['lstm many-to-many, onehot', { data: { task: 'hello' }, layers: [{ cell: 'lstm', units: 6 }], training: { batchSize: 1, clip: { type: 'norm', threshold: 1 } } }],
  ['bidirectional gru tagger with embedding, 2 layers, dropout', { data: { task: 'tagging', samples: 64 }, input: { encoding: 'embedding', embeddingSize: 4 }, layers: [{ cell: 'gru', units: 5, bidirectional: true, dropout: 0.1 }, { cell: 'lstm', units: 4, bidirectional: true, merge: 'sum' }], training: { batchSize: 8, clip: { type: 'value', threshold: 0.5 } } }],
  ['rnn many-to-one with learned initial state', { data: { task: 'parity', length: 5, samples: 64 }, layers: [{ cell: 'rnn', units: 4 }], initialState: 'learned', training: { batchSize: 8, optimizer: 'rmsprop' } }],
  ['one-to-many with random initial state', { data: { task: 'spell' }, layers: [{ cell: 'gru', units: 8 }], initialState: 'random', training: { batchSize: 4, optimizer: 'momentum' } }],
  ['encoder-decoder', { data: { task: 'reverse', length: 4, symbols: 4, samples: 64 }, structure: 'encoder-decoder', layers: [{ cell: 'lstm', units: 6 }], training: { batchSize: 8, optimizer: 'sgd' } }],
  ['truncated BPTT with one-step windows', { data: { task: 'text', text: 'abcabcabc '.repeat(8) }, layers: [{ cell: 'gru', units: 4 }], training: { batchSize: 2, sequenceLength: 6, tbptt: 1 } }],
  ['truncated BPTT over text', { data: { task: 'text', text: 'the cat sat on the mat. '.repeat(8) }, layers: [{ cell: 'lstm', units: 6 }], training: { batchSize: 4, sequenceLength: 16, tbptt: 4 } }],
];

for (const [name, def] of LEAK_CASES) {
  test(`no tensor leak over 210 steps: ${name}`, async () => {
    await useBackend('cpu');
    const { spec, data } = define({ ...def, training: { ...(def.training as object), steps: 1000, logEvery: 10 } });
    const t = new Trainer(spec, data);
    await t.runSteps(10); // optimizer slots exist after the first steps
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) await t.runSteps(10);
    await t.evaluate();
    await t.probe(undefined, { gradients: true });
    assert.equal(t.step, 210);
    assert.equal(tf.memory().numTensors, before, 'numTensors stays flat across steps');
    t.dispose();
    assert.ok(tf.memory().numTensors < before, 'dispose frees the model');
  });
}

test('divergence: a NaN stops training with the step and a remedy; clipping cures the same run', async () => {
  await useBackend('cpu');
  const def = (clip: unknown) => define({
    data: { task: 'adding', length: 20, samples: 64 }, layers: [{ cell: 'rnn', units: 16, activation: 'relu' }],
    training: { optimizer: 'sgd', learningRate: 2, steps: 40, batchSize: 16, logEvery: 10, clip },
  });
  const { spec, data } = def({ type: 'none' });
  const t = new Trainer(spec, data);
  const n0 = tf.memory().numTensors;
  let err: unknown;
  try {
    while (!t.done) await t.runSteps(10);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof DivergenceError, 'diverges without clipping');
  assert.ok(err.step >= 1 && err.step <= 40);
  assert.match(err.message, new RegExp(`at step ${err.step}:`));
  assert.match(err.message, /clip/);
  assert.match(err.message, /lower learning rate/);
  assert.ok(tf.memory().numTensors <= n0 + 10, 'no pile-up of pending tensors after the error');
  t.dispose();

  const c = def({ type: 'norm', threshold: 1 });
  const t2 = new Trainer(c.spec, c.data);
  while (!t2.done) {
    const r = await t2.runSteps(10);
    assert.ok(Number.isFinite(r.loss));
  }
  t2.dispose();
});

test('probe: traces of every layer and direction, LSTM cell state and gates, GRU gates, gradient norms', async () => {
  await useBackend('cpu');
  const { spec, data } = define({
    data: { task: 'tagging', samples: 32 }, input: { encoding: 'embedding', embeddingSize: 4 },
    layers: [{ cell: 'lstm', units: 5, bidirectional: true }, { cell: 'gru', units: 3 }], training: { steps: 5 },
  });
  const t = new Trainer(spec, data);
  await t.runSteps(5);
  const p = await t.probe(undefined, { gradients: true });
  const T = data.valid[0].x.length;
  assert.deepEqual(p.layers.map((l) => `${l.layer}${l.direction}${l.cell}`), ['0forwardlstm', '0backwardlstm', '1forwardgru']);
  const [f, b, g] = p.layers;
  assert.equal(f.h.length, T);
  assert.equal(f.h[0].length, 5);
  assert.deepEqual(Object.keys(f.gates!).sort(), ['f', 'g', 'i', 'o']);
  assert.equal(f.c!.length, T);
  // h = o * tanh(c) at every step, read straight from the traces
  for (let t2 = 0; t2 < T; t2++) for (let u = 0; u < 5; u++) assert.ok(Math.abs(f.h[t2][u] - f.gates!.o![t2][u] * Math.tanh(f.c![t2][u])) < 1e-5);
  assert.ok(b.h.length === T && b.c);
  assert.deepEqual(Object.keys(g.gates!).sort(), ['n', 'r', 'z']);
  assert.equal(p.inputTokens.length, T);
  assert.equal(p.gradNorms!.length, T);
  assert.ok(p.gradNorms!.every((x) => Number.isFinite(x) && x >= 0) && p.gradNorms!.some((x) => x > 0));
  t.dispose();
});

test('probe: ||dL/dh_t|| of every layer and direction in time order; the top layer\'s strip combines its directions', async () => {
  await useBackend('cpu');
  // many-to-one, bidirectional tanh RNN on top: the head reads the forward state after x_T and the
  // backward state after x_1, so the forward direction's gradient is largest at the last step and
  // the backward direction's at the first (reversed, these would swap)
  const { spec, data } = define({
    data: { task: 'adding', length: 30, samples: 16 }, layers: [{ cell: 'gru', units: 4 }, { cell: 'rnn', units: 16, bidirectional: true }], training: { steps: 1 },
  });
  const t = new Trainer(spec, data);
  const before = tf.memory().numTensors;
  const p = await t.probe(undefined, { gradients: true });
  assert.equal(tf.memory().numTensors, before, 'the probe leaves no tensor behind');
  t.dispose();
  const T = 30;
  assert.deepEqual(p.layers.map((l) => `${l.layer}${l.direction}:${l.gradNorms?.length}`), [`0forward:${T}`, `1forward:${T}`, `1backward:${T}`]);
  const [, f, b] = p.layers;
  assert.ok(f.gradNorms![T - 1] > 100 * f.gradNorms![0], `forward: last ${f.gradNorms![T - 1]} vs first ${f.gradNorms![0]}`);
  assert.ok(b.gradNorms![0] > 100 * b.gradNorms![T - 1], `backward: first ${b.gradNorms![0]} vs last ${b.gradNorms![T - 1]}`);
  p.gradNorms!.forEach((g, i) => assert.ok(Math.abs(g - Math.hypot(f.gradNorms![i], b.gradNorms![i])) <= 1e-5 * g + 1e-9, `t=${i}`));
  assert.ok(p.layers[0].gradNorms!.every((x) => Number.isFinite(x) && x > 0));
});

test('probe: an encoder-decoder\'s decoder layers get their own ||dL/dh_t|| (Luong attention), none with Bahdanau', async () => {
  await useBackend('cpu');
  for (const attention of ['luong-general', 'bahdanau']) {
    const { spec, data } = define({
      data: { task: 'reverse', length: 4, symbols: 4, samples: 16 }, structure: 'encoder-decoder', decoder: { attention },
      layers: [{ cell: 'lstm', units: 6 }], training: { steps: 1, batchSize: 4 },
    });
    const t = new Trainer(spec, data);
    const before = tf.memory().numTensors;
    const p = await t.probe(undefined, { gradients: true });
    assert.equal(tf.memory().numTensors, before, 'the probe leaves no tensor behind');
    t.dispose();
    const ex = data.valid[0] ?? data.train[0];
    const [enc, dec] = p.layers;
    assert.equal(enc.gradNorms!.length, ex.x.length);
    assert.deepEqual(enc.gradNorms, p.gradNorms, 'the strip is the encoder top layer\'s');
    if (attention === 'bahdanau') assert.equal(dec.gradNorms, undefined);
    else {
      assert.equal(dec.gradNorms!.length, ex.y.length);
      assert.ok(dec.gradNorms!.every((x) => Number.isFinite(x) && x > 0), String(dec.gradNorms));
    }
  }
});

test('parameters per recurrent layer: both directions and learned initial states, decoder layers numbered after the encoder\'s', async () => {
  await useBackend('cpu');
  const { spec, data } = define({
    data: { task: 'reverse', length: 4, symbols: 4, samples: 16 }, structure: 'encoder-decoder', initialState: 'learned',
    layers: [{ cell: 'lstm', units: 6, bidirectional: true }, { cell: 'gru', units: 5 }], training: { steps: 1 },
  });
  const m = new SeqModel(spec, data);
  const c = m.layerParameterCounts();
  const F = m.stack.inputSize;
  // G·H·(F + H) + 2·G·H per direction (the equations' W_ih, W_hh, b_ih, b_hh), plus h0 and c0 when learned
  const lstm0 = 2 * (4 * 6 * (F + 6) + 2 * 4 * 6 + 6 + 6);
  const gru1 = 3 * 5 * (12 + 5) + 2 * 3 * 5 + 5;
  assert.deepEqual(c.layers.slice(0, 2), [{ layer: 0, stack: 'encoder', params: lstm0 }, { layer: 1, stack: 'encoder', params: gru1 }]);
  assert.deepEqual(c.layers.slice(2).map((l) => [l.layer, l.stack]), [[2, 'decoder'], [3, 'decoder']]);
  const named = [...m.params.keys()].filter((k) => !/_l\d+(_reverse)?$/.test(k));
  let other = 0;
  for (const k of named) other += m.params.get(k)!.size;
  assert.equal(c.layers.reduce((a, l) => a + l.params, 0) + other, m.parameterCount, 'every recurrent parameter counted once');
  assert.equal(c.head, m.params.get('head.weight')!.size + m.params.get('head.bias')!.size);
  m.dispose();
});

test('gradient flow: at initialisation a tanh RNN passes far less gradient back 50 steps than an LSTM', async () => {
  await useBackend('cpu');
  const ratio = async (cell: string) => {
    const { spec, data } = define({ data: { task: 'adding', length: 50, samples: 16 }, layers: [{ cell, units: 32 }], training: { steps: 1 } });
    const t = new Trainer(spec, data);
    const p = await t.probe(undefined, { gradients: true });
    t.dispose();
    return p.gradNorms![0] / p.gradNorms![49];
  };
  const rnn = await ratio('rnn');
  const lstm = await ratio('lstm');
  assert.ok(rnn < 1e-3, `RNN dL/dh_1 / dL/dh_50 = ${rnn}`);
  assert.ok(lstm > rnn * 10, `LSTM ratio ${lstm} vs RNN ${rnn}`);
});

test('softmax cross-entropy: value and written-out gradient equal autodiff through logSoftmax (one-hot, soft and all-zero target rows)', async () => {
  await useBackend('cpu');
  const { spec, data } = define({ data: { task: 'hello' }, layers: [{ cell: 'lstm', units: 3 }] });
  assert.equal(spec.head.loss, 'cross-entropy');
  const m = new SeqModel(spec, data, 5);
  const rng = new Rng(3);
  const logits = tf.variable(tf.tensor2d(Array.from({ length: 5 * 4 }, () => rng.normal() * 3), [5, 4]));
  // one-hot rows, a soft target, and a masked (all-zero) row
  const y = tf.tensor2d([[0, 1, 0, 0], [1, 0, 0, 0], [0.2, 0.3, 0.5, 0], [0, 0, 0, 0], [0, 0, 0, 1]]);
  const reference = () => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  const ours = tf.variableGrads(() => m.loss(logits as unknown as tf.Tensor2D, y), [logits]);
  const ref = tf.variableGrads(reference, [logits]);
  assert.ok(Math.abs(ours.value.dataSync()[0] - ref.value.dataSync()[0]) < 1e-6, `loss ${ours.value.dataSync()[0]} vs ${ref.value.dataSync()[0]}`);
  const [g, r] = [ours.grads[logits.name].dataSync(), ref.grads[logits.name].dataSync()];
  for (let i = 0; i < g.length; i++) assert.ok(Math.abs(g[i] - r[i]) < 1e-6, `dL/dlogits[${i}]: ${g[i]} vs ${r[i]}`);
  assert.ok(g.some((v) => Math.abs(v) > 1e-3), 'a gradient that could differ');
  tf.dispose([logits, y, ours.value, ref.value, ...Object.values(ours.grads), ...Object.values(ref.grads)]);
  m.dispose();
});

for (const cell of ['rnn', 'lstm', 'gru']) {
  test(`finite-difference gradient check of a tiny ${cell} model (embedding, 2 layers, head, loss)`, async () => {
    await useBackend('cpu');
    const { spec, data } = define({
      data: { task: 'parity', length: 4, samples: 8, validation: 0 }, input: { encoding: 'embedding', embeddingSize: 3 },
      layers: [{ cell, units: 3, bidirectional: true, merge: 'avg' }, { cell, units: 2 }], head: { activation: 'sigmoid' },
    });
    const m = new SeqModel(spec, data, 5);
    const batch = m.makeBatch(data.train.slice(0, 4));
    const lossFn = () => m.loss(m.forward(batch).logits, batch.y);
    const { grads } = tf.paramGrads(lossFn, m.params);
    let checked = 0;
    for (const [name, v] of m.params) {
      const g = await grads[name].data();
      for (const i of [0, Math.floor(v.size / 2), v.size - 1]) {
        const base = (await v.data()).slice();
        const at = (delta: number) => {
          const d = base.slice();
          d[i] += delta;
          v.assign(tf.tensor(d, v.shape));
          return tf.tidy(() => lossFn().dataSync()[0]);
        };
        const eps = 1e-2;
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        v.assign(tf.tensor(base, v.shape));
        assert.ok(Math.abs(fd - g[i]) <= 2e-3 + 2e-2 * Math.abs(g[i]), `${name}[${i}]: autodiff ${g[i]} vs finite difference ${fd}`);
        checked++;
      }
    }
    assert.ok(checked >= 3 * 10);
    tf.dispose(Object.values(grads));
    batch.dispose();
    m.dispose();
  });
}

test('dropout as PyTorch means it: head dropout changes a one-layer run (deterministically), top-layer dropout does nothing, evaluation has none', async () => {
  await useBackend('cpu');
  const run = async (extra: { head?: Record<string, unknown>; dropout?: number }) => {
    const { spec, data } = define({
      data: { task: 'parity', length: 5, samples: 64 }, layers: [{ cell: 'gru', units: 8, dropout: extra.dropout ?? 0 }],
      ...(extra.head ? { head: extra.head } : {}), training: { steps: 30, batchSize: 16, seed: 5 },
    });
    const t = new Trainer(spec, data);
    const before = (await t.evaluate()).loss;
    const curve = await (async () => { const l: number[] = []; while (!t.done) l.push((await t.runSteps(5)).loss); return l; })();
    t.dispose();
    return { before, curve };
  };
  const none = await run({});
  const head = await run({ head: { dropout: 0.5 } });
  assert.equal(head.before, none.before, 'no dropout when evaluating');
  assert.notDeepEqual(head.curve, none.curve, 'head dropout changes training');
  assert.deepEqual((await run({ head: { dropout: 0.5 } })).curve, head.curve, 'the same seed gives the same masks');
  assert.deepEqual((await run({ dropout: 0.5 })).curve, none.curve, "the only layer's dropout has no effect (PyTorch's meaning; the DSL warns)");
});

test('two models of the same definition train side by side in one process (parameter names do not collide in the tfjs registry) and match one trained alone', async () => {
  await useBackend('cpu');
  const solo = (() => { const { spec, data } = hello('lstm', { steps: 10 }); return new Trainer(spec, data); })();
  const alone = await curve(solo, 5);
  const [a, b] = [hello('lstm', { steps: 10 }), hello('lstm', { steps: 10 })].map(({ spec, data }) => new Trainer(spec, data));
  const ca: number[] = [];
  const cb: number[] = [];
  while (!a.done) {
    ca.push((await a.runSteps(5)).loss);
    cb.push((await b.runSteps(5)).loss);
  }
  assert.deepEqual(ca, alone);
  assert.deepEqual(cb, alone);
  for (const t of [solo, a, b]) t.dispose();
});

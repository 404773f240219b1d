import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBackend } from '../../src/node/backend';
import { SeqModel } from '../../src/core/model';
import { DecodeError, decode, greedyBatch, maxLengthFor, nextStep } from '../../src/core/decode';
import { parseDefinition } from '../../src/core/dsl';
import * as tf from '../../src/core/tf';
import { define } from '../support/spec';

const model = (decoder: Record<string, unknown> = {}, layer: Record<string, unknown> = {}, symbols = 5) => {
  const { spec, data } = define({
    data: { task: 'reverse', length: 4, symbols, samples: 20 }, input: { encoding: 'embedding', embeddingSize: 6 },
    structure: 'encoder-decoder', layers: [{ cell: 'gru', units: 8, ...layer }], decoder,
  });
  return new SeqModel(spec, data, 3);
};
const x = [[0], [3], [1], [2]];

/** Teacher-forced argmax on <s> y_1..y_{T-1}: what greedy decoding must reproduce step by step. */
function teacherForcedArgmax(m: SeqModel, ys: number[]): number[] {
  const batch = m.makeBatch([{ x, y: ys.map((v) => [v]) }]);
  const am = tf.tidy(() => tf.argMax(m.forward(batch).logits, 1));
  batch.dispose();
  const out = Array.from(am.dataSync());
  am.dispose();
  return out;
}

const variants: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ['gru, no attention', {}, {}],
  ['lstm, luong-general', { attention: 'luong-general', layers: [{ cell: 'lstm', units: 8 }] }, { cell: 'lstm' }],
  ['rnn, bahdanau', { attention: 'bahdanau', layers: [{ cell: 'rnn', units: 8 }] }, { cell: 'rnn' }],
  ['bidirectional gru, bahdanau, linear bridge', { attention: 'bahdanau', layers: [{ cell: 'gru', units: 8 }] }, { bidirectional: true }],
  ['bidirectional lstm, luong-dot, sum bridge', { attention: 'luong-dot', bridge: 'sum', layers: [{ cell: 'lstm', units: 8 }] }, { cell: 'lstm', bidirectional: true, merge: 'sum' }],
];

test('greedy decoding feeds back its own argmax: the teacher-forced pass on its output agrees at every step (every cell, attention, bidirectional)', async () => {
  await useBackend('cpu');
  for (const [name, dec, layer] of variants) {
    const m = model(dec, layer);
    const [g] = decode(m, x, { maxLength: 6 });
    assert.equal(g.tokens.length, 6, `${name}: no end symbol, so exactly maxLength tokens`);
    assert.equal(g.finished, false);
    assert.deepEqual(teacherForcedArgmax(m, g.tokens), g.tokens, name);
    assert.ok(g.logProb < 0 && Number.isFinite(g.logProb));
    if (dec.attention) {
      assert.equal(g.attention!.length, 6, `${name}: one attention row per step`);
      for (const row of g.attention!) {
        assert.equal(row.length, x.length);
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4, `${name}: a_t sums to 1`);
      }
    } else assert.equal(g.attention, undefined);
    // batched greedy (validation) agrees with the one-at-a-time decoder, also beside a shorter source
    const [b1, b2] = greedyBatch(m, [x, x.slice(0, 2)], [6, 3]);
    assert.deepEqual(b1.tokens, g.tokens, name);
    assert.deepEqual(b2.tokens, decode(m, x.slice(0, 2), { maxLength: 3 })[0].tokens, name);
    m.dispose();
  }
});

test('greedy stops at the end symbol and never writes more than maxLength tokens', async () => {
  await useBackend('cpu');
  const m = model();
  const [g] = decode(m, x, { maxLength: 5 });
  const first = g.tokens[0];
  // declaring the first greedy token the end symbol stops before writing anything
  const [stopped] = decode(m, x, { maxLength: 5, end: first });
  assert.deepEqual(stopped.tokens, []);
  assert.equal(stopped.finished, true);
  assert.deepEqual(decode(m, x, { maxLength: 1 })[0].tokens, [first]);
  m.dispose();
});

test('beam search: width 1 is greedy; a wide beam finds the best sequence that exhaustive search finds; k results, best first', async () => {
  await useBackend('cpu');
  const m = model({}, {}, 3); // 4 classes (3 letters + <s>)
  const [g] = decode(m, x, { maxLength: 3 });
  const [b1] = decode(m, x, { maxLength: 3, method: { kind: 'beam', width: 1 } });
  assert.deepEqual(b1.tokens, g.tokens);
  // exhaustive: every sequence of 2 tokens from 4 classes
  const V = 4;
  let best = { ys: [] as number[], lp: -Infinity };
  for (let a = 0; a < V; a++) {
    const s = nextStep(m, [{ x, y: [a] }]);
    const first = nextStep(m, [{ x, y: [] }]).logp[0][a];
    for (let b = 0; b < V; b++) if (first + s.logp[0][b] > best.lp) best = { ys: [a, b], lp: first + s.logp[0][b] };
  }
  const beam = decode(m, x, { maxLength: 2, method: { kind: 'beam', width: 16 } });
  assert.equal(beam.length, 16, 'all 16 sequences');
  assert.deepEqual(beam[0].tokens, best.ys);
  assert.ok(Math.abs(beam[0].logProb - best.lp) < 1e-5);
  for (let i = 1; i < beam.length; i++) assert.ok(beam[i - 1].score >= beam[i].score, 'sorted by score');
  const three = decode(m, x, { maxLength: 3, method: { kind: 'beam', width: 3 } });
  assert.equal(three.length, 3);
  assert.equal(new Set(three.map((h) => h.tokens.join())).size, 3, 'three different alternatives');
  m.dispose();
});

test('beam search ranks by length-normalised log-probability: a finished short hypothesis competes on its mean', async () => {
  await useBackend('cpu');
  const m = model({ attention: 'luong-general' });
  const end = decode(m, x, { maxLength: 4 })[0].tokens[1]; // some class greedy writes second
  const hs = decode(m, x, { maxLength: 4, end, method: { kind: 'beam', width: 4 } });
  for (const h of hs) {
    const n = h.tokens.length + (h.finished ? 1 : 0);
    assert.ok(Math.abs(h.score - h.logProb / n) < 1e-9, 'score = log p / |y|');
    assert.ok(!h.tokens.includes(end), 'the end symbol is not part of the output');
    assert.equal(h.attention!.length, n, 'an attention row per written step (and </s>)');
  }
  m.dispose();
});

test('sampling: seeded and reproducible; a tiny temperature is greedy, a high one varies', async () => {
  await useBackend('cpu');
  const m = model();
  const s = (seed: number, temperature: number) => decode(m, x, { maxLength: 6, method: { kind: 'sample', temperature, seed } })[0].tokens;
  assert.deepEqual(s(7, 1), s(7, 1));
  assert.deepEqual(s(7, 1e-4), decode(m, x, { maxLength: 6 })[0].tokens);
  const outs = new Set([1, 2, 3, 4, 5, 6].map((seed) => s(seed, 5).join()));
  assert.ok(outs.size > 1, 'different seeds give different samples at T = 5');
  m.dispose();
});

test('bad options are clear errors, not loops', async () => {
  await useBackend('cpu');
  const m = model();
  assert.throws(() => decode(m, x, { maxLength: 0 }), (e: Error) => e instanceof DecodeError && /maximum length.*>= 1/.test(e.message));
  assert.throws(() => decode(m, x, { maxLength: 3, method: { kind: 'beam', width: 0 } }), (e: Error) => e instanceof DecodeError && /beam width.*>= 1/.test(e.message));
  assert.throws(() => decode(m, x, { maxLength: 3, method: { kind: 'sample', temperature: 0 } }), (e: Error) => e instanceof DecodeError && /temperature/.test(e.message));
  m.dispose();
});

test('decoder.maxLength: parsed into the spec and obeyed; below 1 a located error (English and Korean)', async () => {
  await useBackend('cpu');
  const m = model({ maxLength: 2 });
  assert.equal(m.spec.decoderMaxLength, 2);
  assert.equal(maxLengthFor(m.spec, 4, true), 2);
  assert.equal(greedyBatch(m, [x], [maxLengthFor(m.spec, 4, false)])[0].tokens.length, 2);
  m.dispose();
  const text = JSON.stringify({
    name: 'x', data: { task: 'reverse', length: 4, symbols: 5 }, structure: 'encoder-decoder',
    layers: [{ cell: 'gru', units: 8 }], decoder: { maxLength: 0 },
  }, null, 1);
  for (const [locale, re] of [['en', /decoder\.maxLength must be an integer >= 1 \(got 0\)/], ['ko', /decoder\.maxLength/]] as const) {
    const d = parseDefinition(text, { locale }).diagnostics.filter((e) => e.severity === 'error');
    assert.equal(d.length, 1, JSON.stringify(d));
    assert.match(d[0].message, re);
    if (locale === 'ko') assert.match(d[0].message, /[가-힣]/, 'Korean text');
    assert.deepEqual(d[0].path, ['decoder', 'maxLength']);
    assert.equal(text.split('\n')[d[0].line - 1].trim(), '"maxLength": 0', `located at the field (${JSON.stringify(d[0])})`);
  }
});

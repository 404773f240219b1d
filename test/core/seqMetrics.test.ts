import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusBleu, exactMatch, tokenAccuracy } from '../../src/core/seqMetrics';

test('exact match and token accuracy: position by position, </s> counted when the data has one', () => {
  const pairs = [
    { ref: [1, 2, 3], hyp: [1, 2, 3], finished: true },
    { ref: [1, 2, 3], hyp: [1, 2], finished: true }, // stopped one early: misses 3 and </s>
    { ref: [4, 5], hyp: [4, 5], finished: false }, // never wrote </s>
  ];
  assert.equal(exactMatch(pairs, true), 1 / 3);
  // refs with </s>: 4 + 4 + 3 = 11 positions; hits 4 + 2 + 2
  assert.equal(tokenAccuracy(pairs, true), 8 / 11);
  // without an end symbol only the tokens count
  assert.equal(exactMatch(pairs, false), 2 / 3);
  assert.equal(tokenAccuracy(pairs, false), 7 / 8);
});

test('corpus BLEU-4: 1 for identical corpora, clipped counts, brevity penalty, smoothing of a missing order', () => {
  const ref = [1, 2, 3, 4, 5, 6];
  assert.ok(Math.abs(corpusBleu([{ ref, hyp: ref }]) - 1) < 1e-12);
  // clipping: "the the the the" against one "the": p_1 = 1/4 (and no higher-order matches)
  const clipped = corpusBleu([{ ref: [9, 1, 2, 3], hyp: [9, 9, 9, 9] }]);
  const p = [1 / 4, 0.1 / 3, 0.1 / 2, 0.1 / 1];
  assert.ok(Math.abs(clipped - Math.exp(p.reduce((a, v) => a + Math.log(v), 0) / 4)) < 1e-12, `${clipped}`);
  // a correct prefix of 4 out of 6: every precision 1, BP = exp(1 - 6/4)
  assert.ok(Math.abs(corpusBleu([{ ref, hyp: [1, 2, 3, 4] }]) - Math.exp(1 - 6 / 4)) < 1e-12);
  // longer than the reference: no brevity penalty, precision falls
  const long = corpusBleu([{ ref: [1, 2, 3, 4], hyp: [1, 2, 3, 4, 7] }]);
  assert.ok(Math.abs(long - Math.exp((Math.log(4 / 5) + Math.log(3 / 4) + Math.log(2 / 3) + Math.log(1 / 2)) / 4)) < 1e-12);
  assert.equal(corpusBleu([{ ref, hyp: [] }]), 0);
  assert.equal(corpusBleu([{ ref, hyp: [1, 2, 3] }]), 0, 'no 4-grams at all');
});

/** Evaluation functions (src/core/evaluate.ts) against figures worked out by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationReport, confusionMatrix, forecastWindow, formatReport, perplexity, regressionReport, reportFor } from '../../src/core/evaluate';
import type { SeqData } from '../../src/core/data';

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg ?? ''} ${a} vs ${b}`);

test('confusion matrix rows are the true class, columns the predicted one', () => {
  assert.deepEqual(confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3), [[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
});

test('per-class precision, recall, F1, support, accuracy and macro F1', () => {
  // true a a a b b c ; predicted a b a b c c
  const r = classificationReport([0, 0, 0, 1, 1, 2], [0, 1, 0, 1, 2, 2], ['a', 'b', 'c']);
  close(r.accuracy, 4 / 6);
  const [a, b, c] = r.classes;
  close(a.precision, 1); close(a.recall, 2 / 3); close(a.f1, 0.8);
  close(b.precision, 1 / 2); close(b.recall, 1 / 2); close(b.f1, 0.5);
  close(c.precision, 1 / 2); close(c.recall, 1); close(c.f1, 2 / 3);
  assert.deepEqual(r.classes.map((x) => x.support), [3, 2, 1]);
  close(r.macroF1, (0.8 + 0.5 + 2 / 3) / 3);
  // a class never predicted and never present scores 0, not NaN
  const z = classificationReport([0, 0], [0, 0], ['a', 'b']);
  assert.deepEqual(z.classes[1], { label: 'b', precision: 0, recall: 0, f1: 0, support: 0 });
});

test('MAE and RMSE in the original units (scaled values turned back)', () => {
  const truth = [[0.5], [0.25]];
  const pred = [[0.25], [0.25]];
  // scale 40: errors 10 and 0 dollars
  const r = regressionReport(truth, pred, ['close'], [{ name: 'close', offset: 70, scale: 40 }]);
  assert.equal(r.units, 'original');
  close(r.targets[0].mae, 5);
  close(r.targets[0].rmse, Math.sqrt(50));
  assert.equal(regressionReport(truth, pred, ['v']).units, 'as-is');
  close(perplexity(Math.log(7)), 7);
});

test('reportFor picks the report that fits the task, and the CLI text shows it', () => {
  const base = { structure: 'many-to-one', input: { kind: 'tokens', vocab: ['x'] }, generative: false, train: [], valid: [], about: '' } as const;
  const cls: SeqData = { ...base, task: 'classify', output: { kind: 'classes', classes: ['neg', 'pos'] } } as unknown as SeqData;
  const rep = reportFor(cls, { examples: 4, loss: 0.5, truth: Int32Array.from([0, 1, 1, 0]), pred: Int32Array.from([0, 1, 0, 0]) }, 'test');
  assert.equal(rep.kind, 'classification');
  const text = formatReport(rep).join('\n');
  assert.match(text, /^test set: 4 examples, loss 0\.5000, accuracy 75\.0%, macro F1 0\.733/);
  assert.match(text, /pos\s+1\.000\s+0\.500\s+0\.667\s+2/);
  assert.match(text, /confusion \(rows: true, columns: predicted\)\n.*\n\s+neg\s+2\s+0\n\s+pos\s+1\s+1/);
  const lm = reportFor({ ...cls, generative: true, structure: 'many-to-many' } as SeqData, { examples: 1, loss: Math.log(3), truth: Int32Array.from([1, 1]), pred: Int32Array.from([1, 0]) }, 'validation');
  assert.equal(lm.kind, 'language');
  assert.match(formatReport(lm)[0], /perplexity 3\.0000, token accuracy 50\.0% \(2 tokens\)/);
  const bin = reportFor({ ...cls, output: { kind: 'binary', labels: ['positive'] } } as SeqData, { examples: 2, loss: 1, truth: Int32Array.from([1, 0]), pred: Int32Array.from([1, 1]) }, 'test');
  assert.deepEqual(bin.kind === 'classification' && bin.labels, ['not positive', 'positive']);
});

test('forecastWindow: the target\'s own past from the inputs, then predicted and true, in the original units', () => {
  const data = {
    task: 'forecast', structure: 'many-to-one', generative: false, train: [], valid: [], about: '',
    input: { kind: 'real', features: 2, names: ['volume', 'close'] },
    output: { kind: 'real', features: 1, names: ['close'] },
    scaling: { method: 'minmax', features: [{ name: 'volume', offset: 1000, scale: 500 }, { name: 'close', offset: 10, scale: 2 }], targets: [{ name: 'close', offset: 10, scale: 2 }] },
  } as unknown as SeqData;
  const w = forecastWindow(data, [[0, 0], [0.2, 0.5], [0.4, 1]], [[0.75]], [[1.5]], 2)!;
  assert.equal(w.target, 'close');
  assert.equal(w.units, 'original');
  assert.deepEqual(w.past, [10, 11, 12]); // close column turned back: v * 2 + 10
  assert.deepEqual(w.at, [4]); // T - Tout + 0 + horizon = 3 - 1 + 2
  assert.deepEqual(w.predicted, [11.5]);
  assert.deepEqual(w.truth, [13]);
  // the adding problem: the sum is no input column, so no past; values as they are
  const adding = {
    task: 'adding', structure: 'many-to-one', generative: false, train: [], valid: [], about: '',
    input: { kind: 'real', features: 2, names: ['value', 'marker'] }, output: { kind: 'real', features: 1, names: ['sum'] },
  } as unknown as SeqData;
  const a = forecastWindow(adding, [[0.3, 1], [0.5, 1]], [[0.79]], [[0.8]])!;
  assert.deepEqual([a.past, a.at, a.predicted, a.truth, a.units], [[], [2], [0.79], [0.8], 'as-is']);
  // many-to-many (the sine's next value at every step): output step j lands at j + 1
  const sine = { ...adding, task: 'sine', structure: 'many-to-many', input: { kind: 'real', features: 1, names: ['value'] }, output: { kind: 'real', features: 1, names: ['next'] } } as unknown as SeqData;
  const s = forecastWindow(sine, [[0.1], [0.2], [0.3]], [[0.2], [0.3], [0.4]], [[0.2], [0.3], [0.5]])!;
  assert.deepEqual([s.past, s.at], [[0.1, 0.2, 0.3], [1, 2, 3]]);
  // class outputs have no forecast window
  assert.equal(forecastWindow({ ...adding, output: { kind: 'classes', classes: ['a'] } } as unknown as SeqData, [], [], []), undefined);
});

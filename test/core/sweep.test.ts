/**
 * Sweeps: expanding a sweep section into trials (grid, random), writing a trial's definition, the
 * results table, and the DSL's located diagnostics for bad sweeps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyOverrides, expandSweep, parseSweepPath, rankResults, sweepTable, trialText, type SweepSpec,
} from '../../src/core/sweep';
import { parseDefinition } from '../../src/core/dsl/index';

const grid = (parameters: SweepSpec['parameters']): SweepSpec => ({ method: 'grid', parameters, seed: 1 });

test('sweep paths: keys, indices, every item, layer counts; anything else is not a path', () => {
  assert.deepEqual(parseSweepPath('layers[0].cell'), ['layers', 0, 'cell']);
  assert.deepEqual(parseSweepPath('training.learningRate'), ['training', 'learningRate']);
  assert.deepEqual(parseSweepPath('layers[*].units'), ['layers', '*', 'units']);
  assert.deepEqual(parseSweepPath('layers.length'), ['layers', 'length']);
  for (const bad of ['', 'layers[', 'layers[-1].cell', 'layers..cell', '.x', 'a b', 'layers[0]cell']) assert.equal(parseSweepPath(bad), undefined, bad);
});

test('a grid is every combination, the first parameter varying slowest', () => {
  const t = expandSweep(grid([{ path: 'layers[0].cell', values: ['rnn', 'gru'] }, { path: 'training.learningRate', values: [0.1, 0.01, 0.001] }]));
  assert.equal(t.length, 6);
  assert.deepEqual(t.map((x) => x.index), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(t.map((x) => x.overrides.map((o) => o.value)), [
    ['rnn', 0.1], ['rnn', 0.01], ['rnn', 0.001], ['gru', 0.1], ['gru', 0.01], ['gru', 0.001],
  ]);
  assert.deepEqual(t[4].overrides, [{ path: 'layers[0].cell', value: 'gru' }, { path: 'training.learningRate', value: 0.01 }]);
});

test('random: `trials` distinct combinations, the same for the same seed, different for another seed, at most all', () => {
  const parameters = [{ path: 'layers[0].units', values: [4, 8, 16, 32] }, { path: 'training.learningRate', values: [0.1, 0.03, 0.01, 0.003] }];
  const a = expandSweep({ method: 'random', parameters, trials: 5, seed: 7 });
  const b = expandSweep({ method: 'random', parameters, trials: 5, seed: 7 });
  const c = expandSweep({ method: 'random', parameters, trials: 5, seed: 8 });
  assert.equal(a.length, 5);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const keys = a.map((t) => JSON.stringify(t.overrides));
  assert.equal(new Set(keys).size, 5, 'no combination twice');
  const all = expandSweep({ method: 'random', parameters, trials: 100, seed: 1 });
  assert.equal(all.length, 16);
  assert.equal(new Set(all.map((t) => JSON.stringify(t.overrides))).size, 16);
});

test('overrides: a key, every layer, a layer count (grown by copying the last layer, count first)', () => {
  const base = { name: 'x', layers: [{ cell: 'rnn', units: 8 }], training: { steps: 10 }, sweep: { parameters: {} } };
  assert.deepEqual(applyOverrides(base, [{ path: 'layers[0].cell', value: 'gru' }]), { name: 'x', layers: [{ cell: 'gru', units: 8 }], training: { steps: 10 } });
  assert.deepEqual(applyOverrides(base, [{ path: 'layers[*].units', value: 4 }, { path: 'layers.length', value: 3 }]), {
    name: 'x', layers: [{ cell: 'rnn', units: 4 }, { cell: 'rnn', units: 4 }, { cell: 'rnn', units: 4 }], training: { steps: 10 },
  });
  assert.deepEqual(applyOverrides(base, [{ path: 'training.clip.type', value: 'norm' }]), {
    name: 'x', layers: [{ cell: 'rnn', units: 8 }], training: { steps: 10, clip: { type: 'norm' } },
  });
  assert.equal(base.layers[0].cell, 'rnn', 'the base is not modified');
});

const SRC = `{
  // kept
  "name": "s",
  "data": { "task": "adding", "length": 10, "samples": 64 },
  "layers": [ { "cell": "rnn", "units": 4 } ],
  "training": { "steps": 5, "learningRate": 0.01 },
  "sweep": {
    "parameters": {
      "layers[0].cell": ["rnn", "lstm", "gru"],
      "training.learningRate": [0.01, 0.003]
    }
  }
}`;

test('a trial definition: the overrides written in place, comments kept, the sweep section gone; it parses without a sweep', () => {
  const r = parseDefinition(SRC);
  assert.deepEqual(r.diagnostics, []);
  assert.ok(r.spec?.sweep);
  assert.equal(r.spec.layers[0].cell, 'rnn', 'training the file itself uses the base values');
  const trials = expandSweep(r.spec.sweep);
  assert.equal(trials.length, 6);
  const text = trialText(SRC, JSON.parse(SRC.replace('// kept', '')), trials[3].overrides);
  assert.match(text, /\/\/ kept/);
  assert.doesNotMatch(text, /sweep/);
  const t = parseDefinition(text);
  assert.deepEqual(t.diagnostics, []);
  assert.equal(t.spec?.layers[0].cell, 'lstm');
  assert.equal(t.spec?.training.learningRate, 0.003);
  assert.equal(t.spec?.sweep, undefined);
});

function diag(src: string, locale?: string) {
  return parseDefinition(src, { locale }).diagnostics.map((d) => ({ code: d.code, severity: d.severity, line: d.line, column: d.column, message: d.message }));
}
const withSweep = (sweep: string) => SRC.replace(/"sweep": \{[\s\S]*\n {2}\}\n\}$/, `"sweep": ${sweep}\n}`);

test('bad sweeps get located diagnostics: unknown path, bad value, missing layer, fixed setting, a trial that is not valid', () => {
  let d = diag(withSweep('{ "parameters": { "layers[0].cel": ["gru"] } }'));
  assert.equal(d.length, 1, JSON.stringify(d));
  assert.deepEqual([d[0].code, d[0].severity, d[0].line, d[0].column], ['sweep-path', 'error', 7, 30]);
  assert.match(d[0].message, /'cel' is not known; did you mean 'cell'\?/);

  d = diag(withSweep('{ "parameters": { "layers[0].cell": ["gru", "lstmm"] } }'));
  assert.equal(d.length, 1, JSON.stringify(d));
  assert.deepEqual([d[0].code, d[0].line, d[0].column], ['sweep-value', 7, 56]);
  assert.match(d[0].message, /layers\[0\]\.cell in the sweep must be one of "rnn", "lstm" or "gru" \(got "lstmm"\)/);

  d = diag(withSweep('{ "parameters": { "training.learningRate": [0.1, -1] } }'));
  assert.equal(d[0].code, 'sweep-value');
  assert.match(d[0].message, /must be a number > 0 \(got -1\)/);

  d = diag(withSweep('{ "parameters": { "layers[1].units": [4, 8] } }'));
  assert.equal(d[0].code, 'sweep-path');
  assert.match(d[0].message, /needs item 1 of layers/);
  // ... unless the number of layers is swept too
  assert.deepEqual(diag(withSweep('{ "parameters": { "layers.length": [1, 2], "layers[1].units": [4, 8] } }')), []);

  d = diag(withSweep('{ "parameters": { "name": ["a", "b"] } }'));
  assert.equal(d[0].code, 'sweep-path');

  d = diag(withSweep('{ "parameters": { "layers.length": [0, 2] } }'));
  assert.deepEqual([d[0].code, d[0].line], ['sweep-value', 7]);

  // each value is fine alone, but an LSTM has no `activation`... the trial as a whole is checked
  d = diag(withSweep('{ "parameters": { "layers[0].units": [4, 100000] } }'));
  assert.equal(d[0].code, 'sweep-value', JSON.stringify(d));
  d = diag(SRC.replace('"samples": 64 }', '"samples": 64, "validation": 0.2 }').replace('"training": { "steps": 5', '"training": { "steps": 5, "schedule": { "type": "plateau" }').replace('"training.learningRate": [0.01, 0.003]', '"data.validation": [0.2, 0]'));
  const trial = d.find((x) => x.code === 'sweep-trial');
  assert.ok(trial, JSON.stringify(d));
  assert.match(trial.message, /sweep trial 2 \(layers\[0\]\.cell = "rnn", data\.validation = 0\) is not a valid definition: training\.schedule/);

  d = diag(withSweep('{ "parameters": { "layers[0].cell": ["rnn", "rnn"] }, "trials": 3 }'));
  assert.deepEqual(d.map((x) => x.code).sort(), ['sweep-duplicate', 'sweep-trials-ignored']);
  d = diag(withSweep('{ "method": "random", "parameters": { "layers[0].cell": ["rnn", "gru"] }, "trials": 3 }'));
  assert.deepEqual(d.map((x) => x.code), ['sweep-trials-capped']);

  const ko = diag(withSweep('{ "parameters": { "layers[0].cell": ["gru", "lstmm"] } }'), 'ko');
  assert.match(ko[0].message, /스윕의 layers\[0\]\.cell 값은/);
});

test('too many trials is an error on the sweep', () => {
  const values = JSON.stringify(Array.from({ length: 40 }, (_, i) => i + 1));
  const d = diag(withSweep(`{ "parameters": { "layers[0].units": ${values}, "training.batchSize": ${values} } }`));
  assert.deepEqual(d.map((x) => x.code), ['sweep-size']);
  assert.match(d[0].message, /1600 trials, over the limit of 1000/);
});

test('the results table: sorted by validation loss, one column per swept setting', () => {
  const results = [
    { trial: 1, overrides: [{ path: 'layers[0].cell', value: 'rnn' }], status: 'completed', validLoss: 0.16, finalLoss: 0.17, parameters: 10, step: 5, steps: 5, run: 'r1' },
    { trial: 2, overrides: [{ path: 'layers[0].cell', value: 'lstm' }], status: 'completed', validLoss: 0.002, finalLoss: 0.003, parameters: 40, step: 5, steps: 5, run: 'r2' },
    { trial: 3, overrides: [{ path: 'layers[0].cell', value: 'gru' }], status: 'failed', step: 2, steps: 5 },
  ];
  assert.deepEqual(rankResults(results).map((r) => r.trial), [2, 1, 3]);
  const md = sweepTable(results).split('\n');
  assert.equal(md[0], '| # | trial | `layers[0].cell` | val_loss | loss | params | steps | status | run |');
  assert.equal(md[2], '| 1 | 2 | lstm | 0.0020 | 0.0030 | 40 | 5/5 | completed | `r2` |');
  assert.equal(md[4], '| 3 | 3 | gru |  |  |  | 2/5 | failed |  |');
});

test('overlaid curves: one line per run on a log axis, labels escaped, nothing to draw without points', async () => {
  const { curvesSvg, curvesMarkdown } = await import('../../src/core/curveSvg');
  const svg = curvesSvg([
    { label: '#1 cell = "rnn"', points: [[0, 0.2], [50, 0.17], [100, 0.16]] },
    { label: '#2 <gru>', points: [[0, 0.2], [50, 0.01], [100, 0], [120, Number.NaN]] },
  ], { xLabel: 'step', yLabel: 'validation loss' })!;
  assert.equal((svg.match(/<path /g) ?? []).length, 2);
  assert.match(svg, /#2 &lt;gru&gt;/);
  assert.match(svg, /#1 cell = &quot;rnn&quot;/);
  assert.match(svg, /validation loss \(log\)/);
  // the zero and NaN points are left out: the second line has two points
  const second = svg.split('<path ')[2].split('"')[1];
  assert.equal((second.match(/[ML]/g) ?? []).length, 2);
  assert.equal(curvesSvg([{ label: 'x', points: [[1, 0]] }], { xLabel: 's', yLabel: 'l' }), undefined);
  assert.match(curvesMarkdown([{ label: 'x', points: [[1, 1], [2, 0.5]] }], { xLabel: 's', yLabel: 'l', alt: 'Loss curves' })!, /^!\[Loss curves\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)$/);
});

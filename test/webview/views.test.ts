/**
 * The panel's evaluation and prediction views in headless Chromium (real bundles, see server.ts):
 * the confusion matrix drawn from a known report (pixels, labels, hover) and from a trained tagger
 * (the worker's evaluation), the forecast chart's input window in original units, and token labels
 * that rotate when dense with padding left out of the heatmap.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolateViridis } from 'd3-scale-chromatic';
import { exampleExperiment, hoverCanvas, pixel, rgb, useBrowser } from './server';


const env = useBrowser();

describe('evaluation and prediction views', () => {
  test('a known confusion matrix: cells coloured by row share, counts and class labels, hover with count and row %', async () => {
    const p = await env.open();
    await p.init(exampleExperiment('hello', (s) => (s.training.steps = 2)), 'cpu');
    await p.page.waitForFunction(() => document.body.dataset.phase === 'ready', undefined, { timeout: 120_000 });
    // rows: true class, columns: predicted; figures as src/core/evaluate.ts classificationReport gives them
    const confusion = [[8, 2, 0], [1, 3, 0], [0, 0, 6]];
    const report = {
      kind: 'classification', split: 'validation', examples: 20, loss: 0.5, n: 20, accuracy: 17 / 20, macroF1: 0.8,
      labels: ['NOUN', 'VERB', 'DET'], confusion,
      classes: [
        { label: 'NOUN', precision: 8 / 9, recall: 0.8, f1: 0.842, support: 10 },
        { label: 'VERB', precision: 0.6, recall: 0.75, f1: 0.667, support: 4 },
        { label: 'DET', precision: 1, recall: 1, f1: 1, support: 6 },
      ],
    };
    const geo = await p.page.evaluate((r) => {
      const c = (window as any).seqlabPanel.confusion;
      c.set(r, 'validation set, step 10');
      return { ...c.geometry, labels: c.columnLabels };
    }, report);
    assert.equal(geo.k, 3);
    assert.equal(geo.labels.rotated, false, 'three short labels fit horizontally');
    for (let i = 0; i < 3; i++) {
      const total = confusion[i]!.reduce((a, b) => a + b, 0);
      for (let j = 0; j < 3; j++) {
        // a corner of the cell (the centre holds the count's text)
        const px = await pixel(p, 'confusion-canvas', geo.left + j * geo.cell + 2, geo.top + i * geo.cell + 2);
        const want = rgb(interpolateViridis(confusion[i]![j]! / total));
        for (let c = 0; c < 3; c++) assert.ok(Math.abs(px[c]! - want[c]!) <= 3, `cell (${i}, ${j}) share ${confusion[i]![j]! / total}: pixel ${px} expected ${want}`);
      }
    }
    // the diagonal count of a cell is written in it: its centre is not the cell's colour
    const centre = await pixel(p, 'confusion-canvas', geo.left + Math.floor(geo.cell / 2), geo.top + Math.floor(geo.cell / 2));
    const fill = rgb(interpolateViridis(0.8));
    assert.ok(centre.slice(0, 3).some((v, c) => Math.abs(v - fill[c]!) > 20), `count text drawn at the centre of (0, 0): ${centre}`);
    // the per-class table and the summary
    const table = await p.page.locator('#evaluation .eval-table').innerText();
    for (const l of ['NOUN', 'VERB', 'DET', 'precision', 'recall', 'F1', 'support', '0.889', '0.750']) assert.ok(table.includes(l), `${l} in ${table}`);
    assert.match(await p.page.locator('#evaluation .eval-summary').innerText(), /accuracy 85\.0%.*macro F1 0\.800/);
    // hover on (true VERB, predicted NOUN): 1 of 4 = 25.0% of the row
    await p.page.evaluate(() => { document.getElementById('evaluation')!.hidden = false; });
    await hoverCanvas(p, 'confusion-canvas', geo.left + 0.5 * geo.cell, geo.top + 1.5 * geo.cell);
    const tip = p.page.locator('#evaluation .heatmap-tooltip');
    await tip.waitFor({ state: 'visible' });
    assert.equal(await tip.textContent(), 'true VERB → predicted NOUN: 1 (25.0% of the row)');
    // many long class names: the column labels turn a quarter and never overlap
    const many = Array.from({ length: 30 }, (_, i) => `language-${i}`);
    const dense = await p.page.evaluate((labels) => {
      const c = (window as any).seqlabPanel.confusion;
      const k = labels.length;
      const confusion = labels.map((_, i) => labels.map((_, j) => (i === j ? 5 : (i + j) % 3)));
      c.set({ kind: 'classification', split: 'test', examples: 1, loss: 1, n: 1, accuracy: 0.5, macroF1: 0.5, labels, confusion, classes: labels.map((label) => ({ label, precision: 0.5, recall: 0.5, f1: 0.5, support: 1 })) });
      return { labels: c.columnLabels, k };
    }, many);
    assert.equal(dense.labels.rotated, true);
    assert.ok(dense.labels.boxes.length >= 15, `${dense.labels.boxes.length} of 30 labels drawn`);
    for (let i = 1; i < dense.labels.boxes.length; i++) assert.ok(dense.labels.boxes[i][0] >= dense.labels.boxes[i - 1][1], `label ${i} overlaps the one before`);
    await p.page.close();
  });

  test('a tagger trained in the panel shows the worker\'s end-of-run confusion matrix, sends it to the host for the record, and leaves padding out of its heatmap', async () => {
    const p = await env.open();
    await p.init(exampleExperiment('tagger-bilstm', (s) => { s.training.steps = 6; s.training.evalEvery = 3; s.data.samples = 120; }), 'cpu', 3);
    await p.trainToEnd();
    await p.page.waitForSelector('#evaluation:not([hidden])');
    const ev = await p.page.evaluate(() => (window as any).seqlabPanel.evaluation);
    assert.equal(ev.final, true);
    assert.equal(ev.report.kind, 'classification');
    const k = ev.report.labels.length;
    assert.ok(k >= 5, `tag classes: ${ev.report.labels}`);
    assert.equal(ev.report.confusion.length, k);
    const total = ev.report.confusion.flat().reduce((a: number, b: number) => a + b, 0);
    assert.equal(total, ev.report.n, 'every tagged position counted once');
    assert.equal(await p.page.getAttribute('#confusion-canvas', 'data-drawn'), '1');
    assert.match(await p.page.locator('#evaluation .eval-summary').innerText(), /validation set, end of the run \(step 6\)/);
    // the host gets it for the run's record (evaluation.json) before the run ends
    const posted = await p.posted();
    const at = posted.findIndex((m) => m.type === 'evaluation');
    assert.ok(at >= 0 && at < posted.findIndex((m) => m.type === 'runEnd'), 'evaluation before runEnd');
    assert.deepEqual((posted[at] as unknown as { report: unknown }).report, ev.report);
    // the heatmap leaves the '<pad>' filler out: as many columns as the probe has words
    const { T, words, labels } = await p.page.evaluate(() => {
      const panel = (window as any).seqlabPanel;
      const s = panel.snapshots[panel.snapshots.length - 1];
      return { T: panel.heatmap.geometry.T, words: s.inputTokens.filter((x: string) => x !== '<pad>').length, labels: panel.heatmap.labelBoxes.length };
    });
    assert.equal(T, words);
    assert.ok(labels >= 1);
    // the predictions table: one column per word, no '<pad>' inputs
    const inputRow = (await p.page.locator('#predictions tr').first().innerText()).split('\t').slice(1);
    assert.equal(inputRow.length, words);
    assert.ok(!inputRow.includes('<pad>'), inputRow.join(' '));
    await p.page.close();
  });

  test('a recorded run restored in the panel shows its evaluation.json', async () => {
    const p = await env.open();
    const report = {
      kind: 'classification', split: 'test', examples: 4, loss: 0.3, n: 4, accuracy: 0.75, macroF1: 0.73,
      labels: ['neg', 'pos'], confusion: [[2, 0], [1, 1]],
      classes: [{ label: 'neg', precision: 2 / 3, recall: 1, f1: 0.8, support: 2 }, { label: 'pos', precision: 1, recall: 0.5, f1: 2 / 3, support: 2 }],
    };
    const summary = { id: 'r1', name: 'hello', status: 'completed', backend: 'cpu', startedAt: '2026-01-01T00:00:00Z', step: 40, steps: 40 };
    await p.init(exampleExperiment('hello', (s) => (s.training.steps = 2)), 'cpu', 5, 0, undefined, { summary, metrics: [{ step: 40, loss: 0.3, elapsedMs: 1 }], evaluation: report } as never);
    await p.page.waitForSelector('#evaluation:not([hidden])');
    assert.match(await p.page.locator('#evaluation .eval-summary').innerText(), /test set, end of the run \(step 40\).*accuracy 75\.0%/);
    assert.equal(await p.page.evaluate(() => (window as any).seqlabPanel.confusion.countAt(1, 0)), 1);
    assert.equal(await p.page.getAttribute('#confusion-canvas', 'data-drawn'), '1');
    await p.page.close();
  });

  test('stock forecast: the chart shows the close prices of the input window, then predicted and true, in dollars', async () => {
    const p = await env.open();
    await p.init(exampleExperiment('stock-forecast', (s) => { s.training.steps = 4; s.training.logEvery = 2; s.training.evalEvery = 4; }), 'cpu', 2);
    await p.trainToEnd();
    await p.page.waitForSelector('#forecast .u-legend');
    const fc = await p.page.evaluate(() => {
      const panel = (window as any).seqlabPanel;
      const s = panel.snapshots[panel.snapshots.length - 1];
      return { w: s.forecast, series: panel.forecast.series, range: panel.forecast.yRange, axes: panel.forecast.axisLabels };
    });
    assert.equal(fc.w.target, 'close');
    assert.equal(fc.w.units, 'original');
    assert.equal(fc.w.past.length, 7, 'a window of 7 days');
    assert.deepEqual(fc.w.at, [7], 'the next day, one after the window');
    assert.deepEqual(fc.series.map((x: { label: string; points: number }) => [x.label, x.points]), [['input window', 7], ['predicted', 1], ['true', 1]]);
    // original units: the generated prices are tens of dollars, not min-max scaled values in [0, 1]
    for (const v of [...fc.w.past, ...fc.w.truth]) assert.ok(v > 5, `${v} in dollars`);
    for (const v of [...fc.w.past, ...fc.w.predicted, ...fc.w.truth]) assert.ok(v >= fc.range[0] && v <= fc.range[1], `${v} inside the shared range ${fc.range}`);
    assert.deepEqual(fc.axes, ['time step', 'close']);
    // the end-of-run evaluation: MAE and RMSE in the original units on the test split
    assert.match(await p.page.locator('#evaluation .eval-summary').innerText(), /test set, end of the run.*close: MAE [0-9.]+, RMSE [0-9.]+ \(original units\)/);
    await p.page.close();
  });

  test('adding: predicted and true written out on one axis that holds 0', async () => {
    const p = await env.open();
    await p.init(exampleExperiment('adding-lstm', (s) => { s.training.steps = 2; s.data.samples = 64; }), 'cpu', 2);
    await p.trainToEnd();
    await p.page.waitForSelector('#forecast .u-legend');
    const fc = await p.page.evaluate(() => {
      const panel = (window as any).seqlabPanel;
      return { w: panel.snapshots[panel.snapshots.length - 1].forecast, range: panel.forecast.yRange, readout: panel.forecast.readout.textContent };
    });
    assert.deepEqual(fc.w.past, [], 'the sum is no input column');
    assert.ok(fc.range[0] <= 0 && fc.range[1] >= Math.max(fc.w.predicted[0], fc.w.truth[0]), `range ${fc.range}`);
    assert.equal(fc.readout, `sum: predicted ${fc.w.predicted[0].toPrecision(4)} · true ${fc.w.truth[0].toPrecision(4)} · error ${(fc.w.predicted[0] - fc.w.truth[0]).toPrecision(4)}`);
    await p.page.close();
  });

  test('a long sequence\'s predictions wrap into tables that fit the card, every step once', async () => {
    const p = await env.open();
    await p.init(exampleExperiment('char-gru', (s) => { s.training.steps = 1; }), 'cpu', 1);
    await p.page.waitForSelector('#predictions .pred-table', { timeout: 120_000 });
    await p.page.setViewportSize({ width: 480, height: 1400 });
    await p.page.waitForTimeout(300);
    const r = await p.page.evaluate(() => {
      const body = document.getElementById('predictions')!;
      const tables = [...body.querySelectorAll('table')];
      const panel = (window as any).seqlabPanel;
      return {
        tables: tables.length, card: body.clientWidth, widths: tables.map((t) => t.scrollWidth),
        inputs: tables.flatMap((t) => [...t.rows[0]!.cells].slice(1).map((c) => c.textContent)),
        tokens: panel.snapshots[panel.snapshots.length - 1].inputTokens,
      };
    });
    assert.ok(r.tables >= 2, `${r.tables} tables`);
    for (const w of r.widths) assert.ok(w <= r.card, `a table ${w} px wide in a ${r.card} px card`);
    assert.deepEqual(r.inputs, r.tokens, 'every step once, in order');
    await p.page.close();
  });

  test('dense token labels turn a quarter when that shows more of them, and never overlap', async () => {
    const p = await env.open();
    await p.init(exampleExperiment('tagger-bilstm', (s) => { s.training.steps = 1; s.data.samples = 60; }), 'cpu', 1);
    await p.page.waitForFunction(() => (window as any).seqlabPanel.heatmap.geometry !== undefined, undefined, { timeout: 120_000 });
    // a probe of many long words, typed: the columns are narrow for them
    const probe = await p.page.evaluate(() => {
      const h = (window as any).seqlabPanel.heatmap;
      const words = Array.from({ length: 40 }, (_, i) => `quickly${i}`);
      const T = words.length, units = 8;
      h.set({ values: { rows: T, cols: units, data: new Float32Array(T * units).map((_, i) => Math.sin(i)) }, tokens: words, label: 'h' });
      return { rotated: h.labelsRotated, boxes: h.labelBoxes as [number, number][], T };
    });
    assert.equal(probe.rotated, true);
    assert.ok(probe.boxes.length >= probe.T / 3, `${probe.boxes.length} of ${probe.T} labels`);
    for (let i = 1; i < probe.boxes.length; i++) assert.ok(probe.boxes[i]![0] >= probe.boxes[i - 1]![1], `label ${i} overlaps`);
    // single characters stay horizontal, and the grid uses the card's width (not its own last width)
    const chars = await p.page.evaluate(() => {
      const h = (window as any).seqlabPanel.heatmap;
      const tokens = 'the quick brown fox jumps over the lazy dog again and again'.split('');
      const T = tokens.length;
      h.set({ values: { rows: T, cols: 4, data: new Float32Array(T * 4) }, tokens, label: 'h' });
      return { rotated: h.labelsRotated, n: h.labelBoxes.length, T, cellW: h.geometry.cellW };
    });
    assert.ok(chars.cellW >= 12, `columns ${chars.cellW} px wide in a 1000 px panel`);
    assert.equal(chars.rotated, false);
    assert.ok(chars.n >= chars.T / 2, `${chars.n} of ${chars.T} character labels`);
    await p.page.close();
  });
});

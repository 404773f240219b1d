/**
 * Typed input and the alignment view in the panel's real bundles (dist/webview.js + dist/worker.js)
 * in headless Chromium: the prediction on typed input for a classifier, a tagger, a forecaster and
 * the English-to-Korean translator (free-running, with the beam's alternatives), clear messages for
 * input the model cannot read, and the alignment view's pixels and tooltip on a known grid.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolateViridis } from 'd3-scale-chromatic';
import { exampleExperiment, hoverCanvas, PanelPage, pixel, rgb, useBrowser } from './server';


const env = useBrowser();

/** Type `text` into the probe box (as a person does: choose "type…", type, Enter) and wait for its snapshot. */
async function typeProbe(p: PanelPage, text: string): Promise<any> {
  await p.page.selectOption('#probe-select', 'text');
  await p.page.fill('#probe-text', text);
  await p.page.press('#probe-text', 'Enter');
  try {
    // the snapshot arrived and was drawn (drawing waits for an animation frame)
    await p.page.waitForFunction((x) => (window as any).seqlabPanel.snapshots.at(-1)?.typed?.input === x && document.getElementById('typed-prediction')!.dataset.input === x, text, { timeout: 120_000 });
  } catch (e) {
    const logs = (await p.posted()).filter((m) => m.type === 'log').map((m) => String(m.message));
    throw new Error(`no snapshot of ${JSON.stringify(text)}: ${(e as Error).message}\nlogs: ${logs.join('\n')}`);
  }
  return p.page.evaluate(() => (window as any).seqlabPanel.snapshotRows(-1));
}

async function ready(p: PanelPage): Promise<void> {
  await p.page.waitForFunction(() => document.body.dataset.phase === 'ready' && (window as any).seqlabPanel.snapshots.length > 0, undefined, { timeout: 120_000 });
}

/** The panel of example `name` on cpu, ready with its first snapshot, for `fn`; closed after it. */
async function onExample(name: string, fn: (p: PanelPage) => Promise<void>): Promise<void> {
  const p = await env.open();
  try {
    await p.init(exampleExperiment(name), 'cpu');
    await ready(p);
    await fn(p);
  } finally {
    await p.page.close();
  }
}

/** Type input the model cannot read: the message by the box names the problem, and the page does not crash. */
async function typeBad(p: PanelPage, text: string, why: RegExp): Promise<void> {
  const before = await p.page.evaluate(() => (window as any).seqlabPanel.snapshots.length);
  await p.page.fill('#probe-text', text);
  await p.page.press('#probe-text', 'Enter');
  await p.page.locator('#probe-error').waitFor({ state: 'visible' });
  const msg = (await p.page.textContent('#probe-error')) ?? '';
  assert.match(msg, why);
  assert.ok(msg.includes(JSON.stringify(text)), `${msg} names the input`);
  assert.equal(await p.page.evaluate(() => (window as any).seqlabPanel.snapshots.length), before, 'no snapshot for unreadable input');
  assert.equal(await p.page.evaluate(() => document.body.dataset.phase), 'ready');
}

describe('typed input and the alignment view in headless Chromium', () => {
  test('a classifier, a tagger and a forecaster predict on typed input, with the heatmap over its tokens; bad input is explained', async () => {
    await onExample('names-by-language', async (p) => {
      const snap = await typeProbe(p, 'Takahashi');
      assert.deepEqual(snap.inputTokens, [...'takahashi'], 'lower-cased characters, as in training');
      assert.equal(snap.layers[0].h.length, 9, 'the heatmap has one column per typed character');
      assert.equal(await p.page.evaluate(() => (window as any).seqlabPanel.heatmap.geometry.T), 9);
      const top = snap.typed.top as { label: string; probability: number }[];
      assert.equal(top.length, 5, 'five languages, best first');
      assert.ok(Math.abs(top.reduce((a, c) => a + c.probability, 0) - 1) < 1e-3, 'probabilities of all classes sum to 1');
      const rows = await p.page.$$eval('#typed-classes tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
      assert.deepEqual(rows.slice(1).map((r) => r[0]), top.map((c) => c.label));
      assert.match((await p.page.textContent('#typed-prediction')) ?? '', new RegExp(`predicted: ${top[0]!.label} \\(p=${top[0]!.probability.toFixed(3)}\\)`));
      await typeBad(p, '   ', /the input is empty/);
    });

    await onExample('pos-conll', async (p) => {
      const snap = await typeProbe(p, 'the zorblax sees a bird .');
      assert.equal(snap.inputTokens.length, 6);
      assert.equal(snap.inputTokens[1], '<unk>', 'an unknown word is read as <unk>');
      const rows = await p.page.$$eval('#typed-tags tr', (trs) => trs.map((tr) => [...tr.children].slice(1).map((c) => c.textContent)));
      assert.deepEqual(rows[0], ['the', 'zorblax', 'sees', 'a', 'bird', '.']);
      assert.equal(rows[1]!.length, 6, 'one tag per token');
      assert.deepEqual(rows[1], snap.typed.tags);
      assert.match((await p.page.textContent('#typed-prediction')) ?? '', /not in the vocabulary, read as <unk>: zorblax/);
    });

    await onExample('sine-forecast', async (p) => {
      const window32 = Array.from({ length: 32 }, (_, i) => Math.sin(i / 3).toFixed(3)).join(', ');
      const snap = await typeProbe(p, window32);
      assert.equal(snap.layers[0].h.length, 32, 'the heatmap runs over the 32 typed values');
      const values = Object.values(snap.typed.prediction) as number[];
      assert.equal(values.length, 1);
      assert.ok(Number.isFinite(values[0]));
      assert.match((await p.page.textContent('#typed-prediction')) ?? '', new RegExp(`forecast: \\w+ = ${String(values[0]).replace(/[.-]/g, '\\$&')}`));
      assert.ok(await p.page.evaluate(() => document.getElementById('forecast')!.hidden), 'no predicted-vs-true chart for typed input (there is no truth)');
      await typeBad(p, '0.1, 0.2, 0.3', /expected a window of 32 values .*found 3/);
      await typeBad(p, '0.1, abc', /expected 1 number/);
      // the last good input is still what the panel shows
      assert.equal(await p.page.evaluate(() => (window as any).seqlabPanel.snapshots.at(-1).typed.input), window32);
    });
  });

  test('en-ko-translate: a sentence typed into the panel is translated free-running; the beam shows its alternatives; the decoder axis is the decoded tokens', async () => {
    const p = await env.open();
    try {
      await p.init(exampleExperiment('en-ko-translate', (s) => { s.training.steps = Number(process.env.ENKO_STEPS ?? 400); s.training.logEvery = 100; s.training.evalEvery = 400; }), 'cpu', 100);
      const { end } = await p.trainToEnd(600_000);
      assert.equal(end.status, 'completed');
      const snap = await typeProbe(p, 'we like tea .');
      assert.equal(await p.page.textContent('#decoded-output'), '우리는 차를 좋아한다.', 'the decoded words, joined as text');
      assert.deepEqual(snap.typed.tokens, ['우리는', '차를', '좋아한다', '.']);
      assert.deepEqual(snap.outputTokens, ['우리는', '차를', '좋아한다', '.', '</s>'], 'the decoder is traced on its own output');
      const decoder = snap.layers.find((l: { name?: string }) => l.name === 'decoder');
      assert.equal(decoder.h.length, 5, 'one decoder column per written token (and </s>)');
      // the decoder's heatmap is labelled with the decoded tokens
      const key = await p.page.evaluate(() => [...(document.getElementById('heat-view') as HTMLSelectElement).options].map((o) => o.value).find((v) => v.startsWith('decoder')));
      assert.ok(key, 'a decoder view');
      await p.page.selectOption('#heat-view', key!);
      assert.deepEqual(await p.page.$$eval('#unit-text .tok', (s) => s.map((x) => x.textContent)), ['우리는', '차를', '좋아한다', '.', '</s>']);
      // beam width 3: three alternatives with scores, best first, the best one shown
      await p.page.fill('#beam-width', '3');
      await p.page.press('#beam-width', 'Enter');
      await p.page.waitForFunction(() => (window as any).seqlabPanel.snapshots.at(-1)?.typed?.alternatives?.length === 3 && document.querySelectorAll('#beam-alternatives tr').length === 4, undefined, { timeout: 60_000 });
      const rows = await p.page.$$eval('#beam-alternatives tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
      assert.equal(rows.length, 4);
      const scores = rows.slice(1).map((r) => Number(r[2]));
      assert.ok(scores.every((s, i) => i === 0 || s <= scores[i - 1]!), `scores best first: ${scores}`);
      assert.equal(rows[1]![1], await p.page.textContent('#decoded-output'));
      assert.ok(await p.page.evaluate(() => document.getElementById('alignment')!.hidden), 'no attention in this model: no alignment view');
    } finally {
      await p.page.close();
    }
  });

  test('the alignment view: viridis pixels at known cells of a known attention grid, the tooltip names the token pair and the weight', async () => {
    await onExample('reverse-attention', async (p) => {
      // a live snapshot of an attention model shows the view, labelled with its free-running output
      await p.page.locator('#alignment').waitFor({ state: 'visible' });
      const live = await p.page.evaluate(() => {
        const s = (window as any).seqlabPanel.snapshots.at(-1);
        return { rows: s.attention.rows, cols: s.attention.cols, out: s.outputTokens, src: s.inputTokens, output: s.typed.output, target: s.typed.target };
      });
      assert.equal(live.rows, live.out.length, 'one row per decoded token');
      assert.equal(live.cols, live.src.length, 'one column per source token');
      assert.ok(typeof live.output === 'string' && (await p.page.textContent('#decoded-output')) === live.output, 'the free-running output is shown next to it');
      // source and output are equally long here: the decoder's heatmap is still labelled with the output
      const key = await p.page.evaluate(() => [...(document.getElementById('heat-view') as HTMLSelectElement).options].map((o) => o.value).find((v) => v.startsWith('decoder')));
      await p.page.selectOption('#heat-view', key!);
      assert.deepEqual(await p.page.$$eval('#unit-text .tok', (s) => s.map((x) => x.textContent)), live.out);
      assert.notDeepEqual(live.out, live.src);
      const shown = (await p.page.textContent('#typed-prediction')) ?? '';
      assert.ok(shown.includes(`target: ${live.target}`), shown);
      assert.ok(!shown.includes('stopped at the maximum length'), 'a reversal has no end symbol: nothing was cut short');
      assert.match((await p.page.textContent('#snapshot-label')) ?? '', /mean −log p of the output \d/, 'traced along its own output: the loss is labelled as what it is');
      // a known grid: a_ts = [target][source]
      const A = [[0.9, 0.05, 0.05, 0], [0.1, 0.2, 0.7, 0], [0, 0.25, 0.25, 0.5]];
      await p.page.evaluate((a) => (window as any).seqlabPanel.alignment.set({
        attention: { rows: a.length, cols: a[0]!.length, data: Float32Array.from(a.flat()) }, source: ['a', 'b', 'c', 'd'], target: ['x', 'y', 'z'],
      }), A);
      const geo = await p.page.evaluate(() => (window as any).seqlabPanel.alignment.heatmap.geometry);
      assert.deepEqual([geo.T, geo.units], [4, 3], 'source along x, target down y');
      for (const [tt, s] of [[0, 0], [1, 2], [2, 3], [0, 3], [2, 1]] as const) {
        const px = await pixel(p, 'alignment-canvas', geo.left + s * geo.cellW + Math.floor(geo.cellW / 2), geo.top + tt * geo.cellH + Math.floor(geo.cellH / 2));
        const want = rgb(interpolateViridis(A[tt]![s]!));
        for (let k = 0; k < 3; k++) assert.ok(Math.abs(px[k]! - want[k]!) <= 3, `a[${tt}][${s}] = ${A[tt]![s]}: pixel ${px} expected ${want}`);
      }
      assert.equal(await p.page.getAttribute('#alignment-canvas', 'data-colormap'), 'sequential');
      // hover target 1 ("y") x source 2 ("c"): 0.7
      await hoverCanvas(p, 'alignment-canvas', geo.left + 2.5 * geo.cellW, geo.top + 1.5 * geo.cellH);
      const tip = p.page.locator('#alignment-tooltip');
      await tip.waitFor({ state: 'visible' });
      assert.equal(await tip.textContent(), 'target 1 "y" ← source 2 "c": attention 0.7000');
      // the snapshot slider: an older snapshot's own attention is drawn again
      await p.page.evaluate(() => { const s = document.getElementById('snapshot') as HTMLInputElement; s.value = '0'; s.dispatchEvent(new Event('input')); });
      const back = await p.page.evaluate(() => {
        const panel = (window as any).seqlabPanel;
        const a = panel.snapshots[0].attention;
        return { drawn: panel.alignment.weight(0, 0), first: a.data[0], T: panel.alignment.heatmap.geometry.units };
      });
      assert.equal(back.drawn, back.first);
      assert.equal(back.T, live.rows);
    });
  });
});

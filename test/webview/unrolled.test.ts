/**
 * The unrolled network view (webview/ui/unrolled.ts) in the real panel bundle, headless Chromium:
 * its nodes and edges per kind of model, read from the SVG's data- attributes, and a clicked
 * cell's equations with the numbers of the probe snapshot the worker sent.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleExperiment, PanelPage, useBrowser } from './server';
import type { ExperimentMsg } from '../../src/protocol';
import { visibleSteps } from '../../webview/ui/unrolled';

/** How many steps the view draws for a sequence of T. */
const shown = (T: number) => visibleSteps(T).filter((s) => s !== 'gap').length;

const env = useBrowser();

type Data = Record<string, string>;
interface Drawn {
  structure: string;
  cells: Data[]; inputs: Data[]; outputs: Data[]; merges: Data[]; gaps: number;
  edges: (Data & { opacity?: string })[];
  layerParams: Data[];
}
interface Snap {
  step: number; inputTokens: string[]; gradNorms?: number[];
  layers: { layer: number; direction: string; h: number[][]; c?: number[][]; gates: Record<string, number[][]>; gradNorms?: number[] }[];
  attention?: { rows: number; cols: number; data: Record<string, number> };
}

/** Open the panel on a definition and wait for the first snapshot to be drawn. */
async function open(exp: ExperimentMsg): Promise<{ p: PanelPage; drawn: Drawn; snap: Snap; model: { params: number; headParams?: number; recurrentLayers?: { layer: number; params: number }[] } }> {
  const p = await env.open();
  await p.init(exp, 'cpu');
  await p.page.waitForSelector('#unrolled-svg [data-kind="cell"]', { timeout: 120_000 });
  // a string: tsx would wrap named helpers of a function in __name, which the page lacks
  const drawn = await p.page.evaluate(`(() => {
    const all = (sel) => [...document.querySelectorAll('#unrolled-svg ' + sel)].map((e) => ({ ...e.dataset }));
    return {
      structure: document.getElementById('unrolled-svg').dataset.structure,
      cells: all('[data-kind="cell"]'), inputs: all('text[data-kind="input"]'), outputs: all('text[data-kind="output"]'),
      merges: all('circle[data-kind="merge"]'), gaps: document.querySelectorAll('#unrolled-svg [data-kind="gap"]').length,
      edges: [...document.querySelectorAll('#unrolled-svg .u-edge')].map((e) => ({ ...e.dataset, opacity: e.getAttribute('stroke-opacity') ?? undefined })),
      layerParams: all('.u-layer-params[data-params]'),
    };
  })()`) as Drawn;
  const snap = await p.page.evaluate(() => {
    const s = (window as unknown as { seqlabPanel: { snapshotRows(i: number): unknown; snapshots: { attention?: { rows: number; cols: number; data: Float32Array } }[] } }).seqlabPanel;
    const r = s.snapshotRows(-1) as Snap;
    const a = s.snapshots[s.snapshots.length - 1]!.attention;
    return { ...r, ...(a ? { attention: { rows: a.rows, cols: a.cols, data: Array.from(a.data) as unknown as Record<string, number> } } : {}) };
  }) as Snap;
  if (process.env.SEQLAB_UNROLLED_SHOTS) await p.page.locator('.unrolled-card').screenshot({ path: `${process.env.SEQLAB_UNROLLED_SHOTS}/${exp.name}.png` });
  const model = await p.page.evaluate(() => (window as unknown as { seqlabPanel: { model: unknown } }).seqlabPanel.model) as never;
  return { p, drawn, snap, model };
}

const count = (xs: Data[], pred: (d: Data) => boolean) => xs.filter(pred).length;
const mean = (row: number[]) => row.reduce((a, b) => a + b, 0) / row.length;

describe('the unrolled network view', () => {
  test('many-to-many (hello, LSTM): a cell per step, x_t below, y_t above, h_t to the right; a click shows the equations with the snapshot\'s numbers', async () => {
    const { p, drawn, snap, model } = await open(exampleExperiment('hello', (s) => { s.layers[0]!.cell = 'lstm'; }));
    const T = snap.inputTokens.length;
    assert.equal(drawn.structure, 'many-to-many');
    assert.equal(drawn.cells.length, T);
    assert.deepEqual(drawn.inputs.map((d) => d.token), snap.inputTokens);
    assert.deepEqual(drawn.outputs.map((d) => Number(d.t)), [...Array(T).keys()]);
    const rec = drawn.edges.filter((e) => e.kind === 'recurrent');
    assert.deepEqual(rec.map((e) => `${e.from}>${e.to}`), Array.from({ length: T - 1 }, (_, i) => `${i}>${i + 1}`));
    assert.equal(count(drawn.edges, (e) => e.kind === 'output'), T);
    assert.equal(count(drawn.edges, (e) => e.kind === 'input'), T);
    // parameters of the layer: 4 gates x H x (F + H) + the two biases
    const H = 8, F = 4; // hello: vocabulary h, e, l, o
    assert.equal(Number(drawn.layerParams.find((d) => d.layer === '0')!.params), 4 * H * (F + H) + 2 * 4 * H);
    assert.equal(model.recurrentLayers![0]!.params + model.headParams!, model.params);

    await p.page.click('#unrolled-svg [data-kind="cell"][data-t="2"]');
    await p.page.waitForSelector('#unrolled-detail[data-t="2"]');
    if (process.env.SEQLAB_UNROLLED_SHOTS) await p.page.locator('.unrolled-card').screenshot({ path: `${process.env.SEQLAB_UNROLLED_SHOTS}/hello-detail.png` });
    const rows = await p.page.$$eval('#unrolled-detail tr', (trs) => trs.map((tr) => ({ ...(tr as HTMLElement).dataset, math: tr.querySelector('.u-math')?.textContent ?? '' }) as Data));
    assert.deepEqual(rows.map((r) => r.term), ['i', 'f', 'g', 'o', 'c', 'h', 'grad']);
    assert.match(rows.find((r) => r.term === 'c')!.math, /c_t = f_t ⊙ c_\{t−1\} \+ i_t ⊙ g_t/);
    const l = snap.layers[0]!;
    for (const g of ['i', 'f', 'g', 'o']) assert.ok(Math.abs(Number(rows.find((r) => r.term === g)!.mean) - mean(l.gates[g]![2]!)) < 1e-6, `gate ${g}`);
    assert.ok(Math.abs(Number(rows.find((r) => r.term === 'c')!.mean) - mean(l.c![2]!)) < 1e-6);
    assert.ok(Math.abs(Number(rows.find((r) => r.term === 'h')!.mean) - mean(l.h[2]!)) < 1e-6);
    assert.ok(l.gradNorms && Math.abs(Number(rows.find((r) => r.term === 'grad')!.value) - l.gradNorms[2]!) < 1e-6 * l.gradNorms[2]!);
    // one layer: its ||dL/dh_t|| is the gradient strip's
    assert.deepEqual(l.gradNorms, snap.gradNorms);
    // the mini bars: one rect per unit
    assert.equal(await p.page.$$eval('#unrolled-detail tr[data-term="i"] .u-bar rect', (r) => r.length), H);

    // it follows the snapshot slider: after a step the selection shows the new snapshot's numbers
    await p.page.click('#btn-step');
    await p.page.waitForSelector('#unrolled-detail[data-step="1"]', { timeout: 60_000 });
    const after = await p.page.evaluate(() => (window as unknown as { seqlabPanel: { snapshotRows(i: number): Snap } }).seqlabPanel.snapshotRows(-1));
    const h2 = await p.page.$eval('#unrolled-detail tr[data-term="h"]', (tr) => Number((tr as HTMLElement).dataset.mean));
    assert.ok(Math.abs(h2 - mean(after.layers[0]!.h[2]!)) < 1e-6);
    await p.page.fill('#snapshot', '0');
    await p.page.dispatchEvent('#snapshot', 'input');
    await p.page.waitForSelector('#unrolled-detail[data-step="0"]');
    assert.deepEqual(await p.cspViolations(), []);
    await p.page.close();
  });

  test('many-to-one with a long sequence (adding, T = 50): the middle elided, one output after the last step', async () => {
    const { p, drawn } = await open(exampleExperiment('adding-rnn'));
    assert.equal(drawn.structure, 'many-to-one');
    assert.deepEqual(drawn.cells.map((d) => Number(d.t)), [0, 1, 2, 47, 48, 49]);
    assert.equal(drawn.gaps, 1);
    assert.deepEqual(drawn.outputs.map((d) => d.t), ['49']);
    assert.deepEqual(drawn.edges.filter((e) => e.kind === 'output').map((e) => e.t), ['49']);
    const rec = drawn.edges.filter((e) => e.kind === 'recurrent');
    assert.deepEqual(rec.map((e) => `${e.from}>${e.to}${e.elided ? '…' : ''}`), ['0>1', '1>2', '2>47…', '47>48', '48>49']);
    await p.page.close();
    // bidirectional: the head reads the forward state after x_T and the backward state after x_1 (no merge per step)
    const bi = await open(exampleExperiment('adding-rnn', (s) => { s.layers[0]!.bidirectional = true; }));
    assert.deepEqual(bi.drawn.outputs.map((d) => d.t), ['49']);
    assert.equal(bi.drawn.merges.length, 0);
    const backward = bi.drawn.edges.filter((e) => e.kind === 'recurrent' && e.direction === 'backward');
    assert.deepEqual(backward.map((e) => `${e.from}>${e.to}${e.elided ? '…' : ''}`), ['1>0', '2>1', '47>2…', '48>47', '49>48']);
    assert.equal(count(bi.drawn.edges, (e) => e.kind === 'output'), 2);
    await bi.p.page.close();
  });

  test('one-to-many (spell): one input at the first step, an output at every step', async () => {
    const { p, drawn, snap } = await open(exampleExperiment('spell'));
    const T = snap.layers[0]!.h.length;
    assert.equal(drawn.structure, 'one-to-many');
    assert.deepEqual(drawn.inputs.map((d) => d.t), ['0']);
    assert.equal(count(drawn.edges, (e) => e.kind === 'input'), 1);
    assert.equal(drawn.outputs.length, shown(T));
    assert.ok(drawn.outputs.every((o) => Number(o.t) < T));
    await p.page.close();
  });

  test('encoder-decoder with attention (reverse-attention: bidirectional encoder): encoder then decoder, the context arrows, a fan weighted by attention', async () => {
    const { p, drawn, snap } = await open(exampleExperiment('reverse-attention'));
    assert.equal(drawn.structure, 'encoder-decoder');
    const S = snap.inputTokens.length;
    const enc = drawn.cells.filter((c) => c.stack === 'encoder');
    const dec = drawn.cells.filter((c) => c.stack === 'decoder');
    assert.ok(S <= 8, 'drawn whole');
    assert.equal(count(enc, (c) => c.direction === 'forward'), S);
    assert.equal(count(enc, (c) => c.direction === 'backward'), S);
    assert.equal(drawn.merges.length, S);
    const Tdec = snap.attention!.rows;
    assert.equal(dec.length, shown(Tdec));
    assert.equal(drawn.inputs.filter((i) => i.stack === 'decoder')[0]!.token, '<s>');
    assert.equal(drawn.outputs.length, dec.length);
    // the encoder's final states start the decoder: forward after x_S, backward after x_1
    assert.deepEqual(drawn.edges.filter((e) => e.kind === 'context').map((e) => e.direction ?? 'forward').sort(), ['backward', 'forward']);
    // the fan: a line from every decoder step to every encoder step, as opaque as its weight
    const fan = drawn.edges.filter((e) => e.kind === 'attention');
    assert.equal(fan.length, dec.length * S);
    const { cols, data } = snap.attention!;
    for (const e of fan) {
      const w = data[Number(e.from) * cols + Number(e.to)]!;
      assert.ok(Math.abs(Number(e.weight) - w) < 1e-6);
      assert.ok(Math.abs(Number(e.opacity) - Math.max(0.03, w)) < 1e-6);
    }
    for (let t = 0; t < dec.length; t++) {
      const sum = fan.filter((e) => e.from === String(t)).reduce((a, e) => a + Number(e.weight), 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `decoder step ${t}: weights sum to ${sum}`);
    }
    // the Bahdanau decoder runs step by step: its gates are not traced, and the view says so
    await p.page.click('#unrolled-svg [data-kind="cell"][data-stack="decoder"][data-t="1"]');
    await p.page.waitForSelector('#unrolled-detail[data-t="1"]');
    const terms = await p.page.$$eval('#unrolled-detail tr', (trs) => trs.map((tr) => [(tr as HTMLElement).dataset.term, (tr as HTMLElement).dataset.mean !== undefined]));
    assert.deepEqual(terms, [['r', false], ['z', false], ['n', false], ['h', true], ['grad', false]]);
    // the selected decoder step's fan stands out, the others fade
    const focused = await p.page.$$eval('#unrolled-svg .u-attention:not(.u-dim)', (ls) => ls.map((l) => (l as SVGElement).dataset.from));
    assert.equal(focused.length, S);
    assert.ok(focused.every((f) => f === '1'), JSON.stringify(focused));
    await p.page.close();
  });

  test('stacked bidirectional layers (tagger, 2 x bi-LSTM): two rows per layer, h_t right and left, merged before the layer above', async () => {
    const { p, drawn, snap, model } = await open(exampleExperiment('tagger-bilstm', (s) => {
      s.layers = [{ ...s.layers[0]!, units: 6 }, { ...s.layers[0]!, units: 5 }];
    }));
    const T = snap.inputTokens.length;
    const vis = shown(T);
    assert.equal(drawn.cells.length, 2 * 2 * vis);
    for (const layer of ['0', '1']) {
      const fwd = drawn.edges.filter((e) => e.kind === 'recurrent' && e.layer === layer && e.direction === 'forward');
      const bwd = drawn.edges.filter((e) => e.kind === 'recurrent' && e.layer === layer && e.direction === 'backward');
      assert.ok(fwd.length > 0 && fwd.every((e) => Number(e.from) < Number(e.to)), 'forward: left to right');
      assert.ok(bwd.length === fwd.length && bwd.every((e) => Number(e.from) > Number(e.to)), 'backward: right to left');
      assert.equal(count(drawn.merges, (m) => m.layer === layer), vis);
    }
    // layer 1 reads the merge of layer 0, in both directions
    assert.equal(count(drawn.edges, (e) => e.kind === 'up' && e.layer === '1'), 2 * vis);
    assert.equal(count(drawn.edges, (e) => e.kind === 'output'), vis);
    // parameters: both directions; layer 1 reads layer 0's concatenation (2 x 6)
    const p1 = Number(drawn.layerParams.find((d) => d.layer === '1')!.params);
    assert.equal(p1, 2 * (4 * 5 * (12 + 5) + 2 * 4 * 5));
    assert.equal(model.recurrentLayers!.find((l) => l.layer === 1)!.params, p1);
    // a backward cell's equations read h_{t+1}, with its own ||dL/dh_t||
    await p.page.click('#unrolled-svg [data-kind="cell"][data-layer="0"][data-direction="backward"][data-t="1"]');
    await p.page.waitForSelector('#unrolled-detail[data-direction="backward"]');
    const math = await p.page.$eval('#unrolled-detail tr[data-term="i"] .u-math', (e) => e.textContent);
    assert.match(math!, /h_\{t\+1\}/);
    const g = await p.page.$eval('#unrolled-detail tr[data-term="grad"]', (e) => Number((e as HTMLElement).dataset.value));
    const bw = snap.layers.find((l) => l.layer === 0 && l.direction === 'backward')!;
    assert.ok(Math.abs(g - bw.gradNorms![1]!) <= 1e-6 * bw.gradNorms![1]!);
    await p.page.close();
  });
});

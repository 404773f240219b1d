// Training panel benchmark (not a test): run with `node --import tsx bench/panel.bench.mjs`.
// Real bundles in headless Chromium (see test/webview/server.ts). Prints:
//  - frame time (p50/p95) of the panel's UI thread while a 128-unit LSTM trains on 64-step
//    sequences in the worker with a heatmap snapshot every step (target p95 <= 16.7 ms = 60 fps);
//  - heatmap redraw time for 128 units x 64 steps;
//  - loss-chart update time with 100k points (full redraw and append-one-row).
import { parseDefinition } from '../src/core/dsl/index.ts';
import { serve, launch, PanelPage, ROOT } from '../test/webview/server.ts';
import { join } from 'node:path';

const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const backend = process.argv[2] ?? 'cpu';

const text = JSON.stringify({
  name: 'bench-parity', data: { task: 'parity', length: 64, samples: 256 },
  layers: [{ cell: 'lstm', units: 128 }], structure: 'many-to-many',
  training: { optimizer: 'adam', learningRate: 0.01, batchSize: 8, steps: 100000 },
});
const file = join(ROOT, 'bench', 'bench.seqlab.json');
const parsed = parseDefinition(text, { file, workspaceRoot: ROOT });
if (!parsed.spec) throw new Error(JSON.stringify(parsed.diagnostics));
const experiment = { key: 'bench', name: 'bench', definitionFile: file, relPath: 'bench/bench.seqlab.json', workspaceRoot: ROOT, definitionText: text, files: [], fileErrors: [], spec: parsed.spec, problems: [] };

const served = await serve();
const browser = await launch();
try {
  const p = await PanelPage.open(browser, served.origin);
  await p.init(experiment, backend, 1);
  const be = await p.waitFor((m) => m.type === 'backend');
  await p.page.waitForFunction(() => document.body.dataset.phase === 'ready', undefined, { timeout: 300_000 });
  await p.page.click('#btn-start');
  await p.page.waitForFunction(() => window.seqlabPanel.snapshots.length > 2, undefined, { timeout: 300_000 });
  const frames = await p.page.evaluate(() => new Promise((resolve) => {
    const out = []; let last = performance.now(); const end = last + 8000;
    const tick = (t) => { out.push(t - last); last = t; if (t < end) requestAnimationFrame(tick); else resolve(out); };
    requestAnimationFrame(tick);
  }));
  const snaps = await p.page.evaluate(() => window.seqlabPanel.snapshots.length);
  const steps = (await p.posted()).filter((m) => m.type === 'metrics').length;
  await p.page.click('#btn-stop');
  console.log(`backend ${be.info.name}; heatmap ${parsed.spec.layers[0].units} units x ${parsed.spec.data.length} steps, a snapshot every training step`);
  console.log(`frame time while training: p50 ${q(frames, 0.5).toFixed(1)} ms, p95 ${q(frames, 0.95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms over ${frames.length} frames (${steps} steps, ${snaps} snapshots received; target p95 <= 16.7 ms)`);

  const heat = await p.page.evaluate(() => {
    const h = window.seqlabPanel.heatmap;
    const values = Array.from({ length: 64 }, (_, t) => Array.from({ length: 128 }, (_, u) => Math.sin(t * 0.3 + u * 0.1)));
    const tokens = Array.from({ length: 64 }, (_, t) => String(t % 10));
    const times = [];
    for (let i = 0; i < 50; i++) { values[0][0] = i / 50; h.set({ values, tokens, label: 'h', gradNorms: tokens.map((_, t) => 10 ** (-t / 10)) }); times.push(h.lastDrawMs); }
    return times;
  });
  console.log(`heatmap redraw 128 units x 64 steps: median ${q(heat, 0.5).toFixed(2)} ms, p95 ${q(heat, 0.95).toFixed(2)} ms`);

  const chart = await p.page.evaluate(async () => {
    const settle = () => new Promise((r) => setTimeout(r, 0)); // uPlot commits its redraw in a microtask
    const c = window.seqlabPanel.chart;
    const rows = Array.from({ length: 100000 }, (_, i) => ({ step: i + 1, loss: 2 * Math.exp(-i / 20000) + 0.05 * Math.sin(i), elapsedMs: i, ...(i % 100 === 0 ? { validLoss: 2 * Math.exp(-i / 20000) } : {}) }));
    let t0 = performance.now(); c.reset(rows); c.flush(); await settle(); const full = performance.now() - t0;
    const app = [];
    for (let i = 0; i < 30; i++) { c.append([{ step: 100001 + i, loss: 0.1, elapsedMs: 0 }]); t0 = performance.now(); c.flush(); await settle(); app.push(performance.now() - t0); }
    const sm = []; for (let i = 0; i < 5; i++) { t0 = performance.now(); c.setSmoothing(0.5 + i / 10); c.flush(); await settle(); sm.push(performance.now() - t0); }
    return { full, app, sm, points: c.points };
  });
  console.log(`loss chart at ${chart.points} points: first draw ${chart.full.toFixed(1)} ms, append + redraw median ${q(chart.app, 0.5).toFixed(1)} ms p95 ${q(chart.app, 0.95).toFixed(1)} ms, smoothing change ${q(chart.sm, 0.5).toFixed(1)} ms`);
} finally {
  await browser.close();
  await served.close();
}

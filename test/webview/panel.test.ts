/**
 * The training panel's real bundles (dist/webview.js + dist/worker.js) in headless Debian
 * Chromium, under the panel's own CSP. Only the VS Code host is faked (see server.ts).
 * WebGPU runs on SwiftShader here (~1.2 ms per dispatched op), so the runs are short.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '../../src/protocol';
import { interpolateRdBu, interpolateViridis } from 'd3-scale-chromatic';
import { exampleExperiment, helloExperiment, hoverCanvas, PanelPage, launch, rgb, useBrowser } from './server';


const STEPS = 30;
const env = useBrowser();

function assertFalls(metrics: { step: number; loss: number }[]): void {
  assert.ok(metrics.length >= 3, `expected several metric rows, got ${metrics.length}`);
  const first = metrics[0]!.loss, last = metrics[metrics.length - 1]!.loss;
  assert.ok(Number.isFinite(last), `final loss ${last}`);
  assert.ok(last < first * 0.5, `loss should fall: first ${first}, last ${last}`);
}

describe('training panel in headless Chromium', () => {
  test('trains the hello example on WebGPU; the loss falls; weights and metrics reach the host', async () => {
    const p = await env.open();
    // WebGPU by setting: this browser's adapter is SwiftShader, which "auto" does not use (below)
    await p.init(helloExperiment((s) => (s.training.steps = STEPS)), 'webgpu');
    const be = await p.waitFor((m) => m.type === 'backend');
    const info = be.info as { name: string; adapter?: { vendor: string; architecture: string; fallback?: boolean } };
    assert.equal(info.name, 'webgpu');
    assert.ok(info.adapter && info.adapter.vendor.length > 0, 'adapter vendor shown');
    assert.match(await p.page.textContent('#backend-name') ?? '', /WEBGPU/);
    const { metrics, end } = await p.trainToEnd();
    assertFalls(metrics);
    assert.equal(end.status, 'completed');
    assert.equal(end.step, STEPS);
    assert.ok(end.weights && 'rnn.weight_hh_l0' in (end.weights as object), 'final weights sent to the host');
    // metrics every N (=5) steps, not every step
    assert.deepEqual(metrics.map((m) => m.step), [5, 10, 15, 20, 25, 30]);
    assert.deepEqual(await p.cspViolations(), [], 'no CSP violations');
    await p.page.close();
  });

  test('without WebGPU it falls back, says why, and trains', async () => {
    const b = await launch({ webgpu: false });
    try {
      const p = await PanelPage.open(b, env.origin);
      await p.init(helloExperiment((s) => (s.training.steps = STEPS)), 'auto');
      const be = await p.waitFor((m) => m.type === 'backend');
      const info = be.info as { name: string; skipped: { name: string; reason: string }[] };
      assert.notEqual(info.name, 'webgpu');
      assert.equal(info.skipped[0]?.name, 'webgpu');
      assert.match(info.skipped[0]!.reason, /navigator\.gpu missing|no adapter/);
      assert.match(await p.page.textContent('#backend-why') ?? '', /webgpu: /);
      // "auto" then measures the model: the software WebGL adapter is left out while wasm/cpu run,
      // and the faster of those two is kept, with the other's figures as the reason
      const probed = await p.waitFor((m) => m.type === 'backend' && /measured slower on this model: [0-9.]+ steps\/s vs (wasm|cpu) [0-9.]+/.test(JSON.stringify(m.info)));
      const pi = probed.info as { name: string; skipped: { name: string; reason: string }[] };
      assert.ok(['wasm', 'cpu'].includes(pi.name), pi.name);
      assert.deepEqual(pi.skipped.slice(0, info.skipped.length), info.skipped, 'the start-up reasons stay');
      if (info.name === 'webgl') assert.ok(pi.skipped.some((x) => x.name === 'webgl' && /software adapter/.test(x.reason)), JSON.stringify(pi.skipped));
      assert.match(await p.page.textContent('#backend-why') ?? '', /measured slower/);
      const { metrics, end } = await p.trainToEnd();
      assertFalls(metrics);
      assert.equal(end.status, 'completed');
      assert.deepEqual(await p.cspViolations(), []);
    } finally {
      await b.close();
    }
  });

  test('the wasm backend (forced by the setting) loads its binaries under the CSP and trains', async () => {
    const p = await env.open();
    await p.init(helloExperiment((s) => (s.training.steps = STEPS)), 'wasm');
    const be = await p.waitFor((m) => m.type === 'backend');
    const info = be.info as { name: string; preferred: string; skipped: unknown[] };
    assert.deepEqual([info.name, info.preferred, info.skipped], ['wasm', 'wasm', []]);
    // the recurrence runs in our fused WebAssembly SIMD kernels (src/wasm), loaded from dist/
    await p.waitFor((m) => m.type === 'log' && /recurrent layers run in: wasm-simd-fused \(wasm\)/.test(String(m.message)));
    const { metrics, end } = await p.trainToEnd();
    assertFalls(metrics);
    assert.equal(end.status, 'completed');
    assert.deepEqual(await p.cspViolations(), []);
    await p.page.close();
  });

  test('WebGPU loss, hidden-state gradients and trained weights equal the CPU backend (cast/transpose bug guard)', async () => {
    const results: Record<string, { probeLoss: number; gradNorms: number[]; h: number[][]; losses: number[]; weights: Record<string, { data: number[] }> }> = {};
    for (const backend of ['webgpu', 'cpu']) {
      const p = await env.open();
      await p.init(helloExperiment((s) => { s.training.steps = 8; delete s.training.logEvery; }), backend, 1); // the setting applies: the definition gives no logEvery
      const be = await p.waitFor((m) => m.type === 'backend');
      assert.equal((be.info as { name: string }).name, backend);
      await p.page.waitForFunction(() => (window as any).seqlabPanel.snapshots.length > 0, undefined, { timeout: 120_000 });
      const snap = await p.page.evaluate(() => (window as any).seqlabPanel.snapshotRows(0));
      const { metrics, end } = await p.trainToEnd();
      results[backend] = { probeLoss: snap.loss, gradNorms: snap.gradNorms, h: snap.layers[0].h, losses: metrics.map((m) => m.loss), weights: end.weights as never };
      await p.page.close();
    }
    const g = results.webgpu!, c = results.cpu!;
    const close = (a: number, b: number, what: string, tol = 2e-5) =>
      assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: webgpu ${a} vs cpu ${b}`);
    close(g.probeLoss, c.probeLoss, 'initial loss');
    assert.equal(g.gradNorms.length, c.gradNorms.length);
    g.gradNorms.forEach((v, t) => close(v, c.gradNorms[t]!, `||dL/dh_${t}||`));
    g.h.forEach((row, t) => row.forEach((v, u) => close(v, c.h[t]![u]!, `h[${t}][${u}]`)));
    assert.equal(g.losses.length, 8);
    g.losses.forEach((v, i) => close(v, c.losses[i]!, `loss at step ${i + 1}`, 1e-4));
    for (const name of Object.keys(c.weights)) {
      g.weights[name]!.data.forEach((v, i) => close(v, c.weights[name]!.data[i]!, `${name}[${i}] after 8 steps`, 1e-4));
    }
  });

  test('trains your own data: a classify folder (one file per class), a CoNLL tagger and Korean sentence pairs (file bytes transferred, decoded in the worker)', async () => {
    for (const name of ['names-by-language', 'pos-conll', 'en-ko-translate']) {
      const p = await env.open();
      try {
        await p.init(exampleExperiment(name, (s) => { s.training.steps = 4; s.training.logEvery = 2; }), 'cpu');
        const { metrics, end } = await p.trainToEnd();
        assert.equal(end.status, 'completed', `${name}: ${JSON.stringify(end).slice(0, 300)}`);
        assert.deepEqual(metrics.map((m) => m.step), [2, 4]);
        assert.ok(metrics.every((m) => Number.isFinite(m.loss)));
        // the run's data record (data.json) reaches the host with runStart: its vocabulary, read from the bytes
        const start = (await p.posted()).find((m) => m.type === 'runStart') as { data?: { format: string; input: { kind: string; vocab?: string[] } } };
        assert.equal(start.data?.format, 'seqlab-data/1', name);
        if (name === 'en-ko-translate') assert.ok(start.data!.input.vocab!.includes('tea'), 'the English side of the pairs');
      } finally {
        await p.page.close();
      }
    }
  });

  test('the heatmap is really drawn (pixel colours at known cells) and the tooltip shows the right value', async () => {
    const p = await env.open();
    await p.init(helloExperiment((s) => (s.training.steps = 10)), 'cpu');
    await p.trainToEnd();
    await p.page.waitForFunction(() => (window as any).seqlabPanel.heatmap.geometry !== undefined);
    const { snap, geo, scale } = await p.page.evaluate(() => {
      const panel = (window as any).seqlabPanel;
      return { snap: panel.snapshotRows(-1), geo: panel.heatmap.geometry, scale: Number(panel.heatmap.canvas.dataset.scale) };
    });
    const h: number[][] = snap.layers[0].h;
    assert.equal(geo.T, h.length);
    assert.equal(geo.units, h[0]!.length);
    // the colormap: ColorBrewer RdBu from d3-scale-chromatic, blue < 0 < red, value / max|value|
    const expected = (v: number) => rgb(interpolateRdBu((1 - Math.max(-1, Math.min(1, v / scale))) / 2));
    const cells: [number, number][] = [];
    let maxAt: [number, number] = [0, 0], minAt: [number, number] = [0, 0];
    h.forEach((row, t) => row.forEach((v, u) => {
      if (v > h[maxAt[0]]![maxAt[1]]!) maxAt = [t, u];
      if (v < h[minAt[0]]![minAt[1]]!) minAt = [t, u];
      if ((t + u) % 3 === 0) cells.push([t, u]);
    }));
    cells.push(maxAt, minAt);
    for (const [t, u] of cells) {
      const x = geo.left + t * geo.cellW + Math.floor(geo.cellW / 2);
      const y = geo.top + u * geo.cellH + Math.floor(geo.cellH / 2);
      const px = await p.page.evaluate(([x, y]) => Array.from((document.getElementById('heatmap-canvas') as HTMLCanvasElement).getContext('2d')!.getImageData(x, y, 1, 1).data), [x, y]);
      const want = expected(h[t]![u]!);
      for (let k = 0; k < 3; k++) assert.ok(Math.abs(px[k]! - want[k]!) <= 2, `cell t=${t} unit=${u} value ${h[t]![u]}: pixel ${px} expected ${want.map(Math.round)}`);
    }
    // the largest |value| is saturated: pure red or pure blue end of the map
    const ext = Math.abs(h[maxAt[0]]![maxAt[1]]!) >= Math.abs(h[minAt[0]]![minAt[1]]!) ? maxAt : minAt;
    const extPx = expected(h[ext[0]]![ext[1]]!).map(Math.round);
    assert.ok(extPx.join() === '103,0,31' || extPx.join() === '5,48,97', extPx.join());

    // hover: the tooltip names t, token, unit and the value
    const [t, u] = [2, 5];
    await hoverCanvas(p, 'heatmap-canvas', geo.left + t * geo.cellW + geo.cellW / 2, geo.top + u * geo.cellH + geo.cellH / 2);
    const tip = p.page.locator('#heatmap-tooltip');
    await tip.waitFor({ state: 'visible' });
    const text = (await tip.textContent()) ?? '';
    assert.ok(text.includes(`t=${t} ${JSON.stringify(snap.inputTokens[t])}`), text);
    assert.ok(text.includes(`unit ${u}`), text);
    assert.ok(text.includes(h[t]![u]!.toFixed(4)), `${text} should show ${h[t]![u]!.toFixed(4)}`);
    // the gradient strip is drawn under the grid (not background)
    const strip = await p.page.evaluate(([x, y]) => Array.from((document.getElementById('heatmap-canvas') as HTMLCanvasElement).getContext('2d')!.getImageData(x, y, 1, 1).data), [geo.left + 1, geo.stripTop + 2]);
    assert.equal(strip[3], 255, 'gradient strip pixel is opaque');
    await p.page.close();
  });

  test('pause, step once, resume and stop drive the worker; stop saves the run as stopped', async () => {
    const p = await env.open();
    await p.init(helloExperiment((s) => { s.training.steps = 100000; delete s.training.logEvery; }), 'cpu', 1);
    await p.page.waitForFunction(() => document.body.dataset.phase === 'ready', undefined, { timeout: 60_000 });
    await p.page.click('#btn-step');
    const start = await p.waitFor((m) => m.type === 'runStart');
    await p.send({ type: 'runCreated', clientRunId: start.clientRunId, runId: 'r1' });
    await p.waitFor((m) => m.type === 'metrics' && (m.rows as { step: number }[])[0]!.step === 1);
    assert.equal(await p.page.evaluate(() => document.body.dataset.phase), 'paused');
    await p.page.click('#btn-resume');
    await p.page.waitForFunction(() => document.body.dataset.phase === 'running');
    await p.waitFor((m) => m.type === 'metrics' && (m.rows as { step: number }[])[0]!.step >= 5);
    // the UI thread stays responsive while training: a click is handled promptly
    const t0 = Date.now();
    await p.page.click('#btn-pause');
    await p.page.waitForFunction(() => document.body.dataset.phase === 'paused');
    assert.ok(Date.now() - t0 < 5000, 'pause took effect');
    await p.send({ type: 'control', action: 'stop' });
    const end = await p.waitFor((m) => m.type === 'runEnd');
    assert.equal(end.status, 'stopped');
    assert.ok(end.weights, 'a stopped run still saves its weights');
    await p.page.close();
  });

  test('Resume in the panel: a stopped run continues from its checkpoint with the losses of an uninterrupted run', async () => {
    const exp = helloExperiment((s) => { s.training.steps = 12; delete s.training.logEvery; s.training.evalEvery = 4; s.training.batchSize = 1; });
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ elapsedMs: _e, ...r }) => r);
    const a = await env.open();
    await a.init(exp, 'cpu', 1);
    const full = (await a.trainToEnd()).metrics as unknown as Record<string, unknown>[];
    await a.page.close();

    // five single steps, then Stop: stopping checkpoints the run
    const b = await env.open();
    await b.init(exp, 'cpu', 1);
    await b.page.waitForFunction(() => document.body.dataset.phase === 'ready', undefined, { timeout: 60_000 });
    for (let i = 1; i <= 5; i++) {
      await b.page.click('#btn-step');
      if (i === 1) {
        const start = await b.waitFor((m) => m.type === 'runStart');
        await b.send({ type: 'runCreated', clientRunId: start.clientRunId, runId: 'r1' });
      }
      await b.waitFor((m) => m.type === 'metrics' && (m.rows as { step: number }[]).some((r) => r.step === i));
      await b.page.waitForFunction(() => document.body.dataset.phase === 'paused');
    }
    await b.send({ type: 'control', action: 'stop' });
    await b.waitFor((m) => m.type === 'runEnd');
    const posted = await b.posted();
    const cp = posted.filter((m) => m.type === 'checkpoint').pop()!;
    assert.equal(cp.step, 5);
    assert.ok(cp.resume, 'the checkpoint carries what resuming needs');
    const before = posted.filter((m) => m.type === 'metrics').flatMap((m) => m.rows as Record<string, unknown>[]);
    await b.page.close();

    // the panel reopened on that run: Resume asks the host, which answers with the checkpoint
    const c = await env.open();
    await c.init(exp, 'cpu', 1, 0, undefined, {
      summary: { id: 'r1', name: 'hello', status: 'stopped', backend: 'cpu', startedAt: new Date().toISOString(), step: 5, steps: 12, checkpointStep: 5 },
      metrics: before as never,
    });
    await c.page.waitForFunction(() => document.body.dataset.phase === 'ready', undefined, { timeout: 60_000 });
    assert.match(await c.page.textContent('#btn-resume-run') ?? '', /Resume run r1 from step 5/);
    await c.page.click('#btn-resume-run');
    const req = await c.waitFor((m) => m.type === 'resumeRequest');
    assert.equal(req.runId, 'r1');
    await c.send({ type: 'resume', runId: 'r1', step: cp.step, weights: cp.weights, state: cp.resume });
    const start = await c.waitFor((m) => m.type === 'runStart');
    assert.equal(start.resumeOf, 'r1');
    await c.send({ type: 'runCreated', clientRunId: start.clientRunId, runId: 'r1' });
    const end = await c.waitFor((m) => m.type === 'runEnd');
    assert.equal(end.status, 'completed');
    const resumed = (await c.posted()).filter((m) => m.type === 'metrics').flatMap((m) => m.rows as Record<string, unknown>[]);
    assert.deepEqual(strip(resumed), strip(full.filter((r) => (r.step as number) > 5)));
    assert.ok(await c.page.evaluate(() => (document.getElementById('btn-resume-run') as HTMLButtonElement).hidden), 'no second resume');
    await c.page.close();
  });

  test('while training, the weights reach the host every checkpointSeconds, so closing the panel keeps them', async () => {
    const p = await env.open();
    await p.init(helloExperiment((s) => { s.training.steps = 100000; delete s.training.logEvery; }), 'cpu', 1, 1);
    await p.page.waitForFunction(() => document.body.dataset.phase === 'ready', undefined, { timeout: 60_000 });
    await p.page.click('#btn-start');
    const start = await p.waitFor((m) => m.type === 'runStart');
    await p.send({ type: 'runCreated', clientRunId: start.clientRunId, runId: 'r1' });
    const first = await p.waitFor((m) => m.type === 'checkpoint', 60_000);
    const second = await p.waitFor((m) => m.type === 'checkpoint' && (m.step as number) > (first.step as number), 60_000);
    assert.equal(first.clientRunId, start.clientRunId);
    assert.ok((first.step as number) > 0, `checkpoint step ${first.step}`);
    const names = Object.keys(second.weights as Record<string, unknown>);
    assert.ok(names.includes('rnn.weight_ih_l0') && names.includes('head.weight'), names.join(', '));
    const posted = await p.posted();
    assert.ok(!posted.some((m) => m.type === 'runEnd'), 'checkpoints come while the run trains');
    // metrics up to the checkpoint reach the host before it
    const at = posted.indexOf(posted.find((m) => m.type === 'checkpoint')!);
    assert.ok(posted.slice(0, at).some((m) => m.type === 'metrics'), 'metrics flushed before the checkpoint');
    await p.send({ type: 'control', action: 'stop' });
    await p.waitFor((m) => m.type === 'runEnd');
    await p.page.close();
  });

  test('malformed and out-of-order host messages are dropped, not acted on', async () => {
    const p = await env.open();
    // before init: a control message is out of order
    await p.send({ type: 'control', action: 'start' });
    await p.waitFor((m) => m.type === 'log' && /before 'init'/.test(String(m.message)));
    await p.init(helloExperiment((s) => (s.training.steps = 5)), 'cpu');
    await p.page.waitForFunction(() => document.body.dataset.phase === 'ready', undefined, { timeout: 60_000 });
    await p.send({ v: PROTOCOL_VERSION, seq: 1, type: 'control', action: 'start' }, true); // replayed seq
    await p.send({ type: 'control', action: 'explode' });
    await p.send({ v: 99, seq: 1000, type: 'control', action: 'start' }, true);
    await p.send({ type: 'runCreated', clientRunId: 'nobody', runId: 'x' });
    await new Promise((r) => setTimeout(r, 500));
    const logs = (await p.posted()).filter((m) => m.type === 'log').map((m) => String(m.message));
    assert.ok(logs.some((l) => /out-of-order message dropped.*seq 1/.test(l)), logs.join('\n'));
    assert.ok(logs.some((l) => /malformed message dropped.*action/.test(l)), logs.join('\n'));
    assert.ok(logs.some((l) => /protocol version 99/.test(l)), logs.join('\n'));
    assert.ok(logs.some((l) => /runCreated for unknown run/.test(l)), logs.join('\n'));
    assert.equal(await p.page.evaluate(() => document.body.dataset.phase), 'ready', 'nothing started');
    assert.ok(!(await p.posted()).some((m) => m.type === 'runStart'));
    await p.page.close();
  });

  test('snapshots never come faster than the page draws them: without frames the worker skips periodic probes', async () => {
    const p = await env.open();
    await p.init(helloExperiment((s) => { s.training.steps = 20; delete s.training.logEvery; }), 'cpu', 1);
    await p.page.waitForFunction(() => (window as any).seqlabPanel.snapshots.length > 0 && document.body.dataset.phase === 'ready', undefined, { timeout: 60_000 });
    await p.page.waitForTimeout(300); // the initial snapshot is drawn and acknowledged
    const before = await p.page.evaluate(() => (window as any).seqlabPanel.snapshots.length);
    // A page that cannot draw (hidden tab, busy UI): no animation frames, so no acknowledgements.
    await p.page.evaluate(() => { window.requestAnimationFrame = () => 0; });
    const { end } = await p.trainToEnd();
    assert.equal(end.status, 'completed');
    const snaps = await p.page.evaluate(() => (window as any).seqlabPanel.snapshots.map((s: { step: number }) => s.step));
    // one periodic snapshot (then it waits for the page) + the final one, though a row comes every step
    assert.deepEqual(snaps.slice(before), [1, 20], `snapshots received: ${snaps}`);
    const logs = (await p.posted()).filter((m) => m.type === 'log').map((m) => String(m.message));
    assert.ok(logs.some((l) => /\d+ periodic snapshot\(s\) skipped/.test(l)), logs.join('\n'));
    await p.page.close();
  });

  test('the chart draws at most about two points per pixel at 100k points, keeping spikes and sparse validation points', async () => {
    const p = await env.open();
    const r = await p.page.evaluate(() => {
      const c = (window as any).seqlabPanel.chart;
      const rows = Array.from({ length: 100000 }, (_, i) => ({ step: i + 1, loss: i === 54321 ? 50 : 1 + Math.sin(i / 100) * 0.1, elapsedMs: 0, ...(i % 1000 === 999 ? { validLoss: 0.5 } : {}) }));
      c.reset(rows);
      c.flush();
      const u = c.u;
      return { drawn: c.drawnPoints, width: u.bbox.width / devicePixelRatio, max: Math.max(...u.data[1].filter((v: number | null) => v !== null)), valid: u.data[3].filter((v: number | null) => v !== null).length, points: c.points };
    });
    assert.equal(r.points, 100000);
    assert.ok(r.drawn <= 2.2 * r.width + 200, `${r.drawn} points drawn for a ${r.width}px wide plot`);
    assert.equal(r.max, 50, 'a one-step spike survives decimation');
    assert.equal(r.valid, 100, 'every (sparse) validation point is drawn');
    await p.page.close();
  });
  test('"Overlay runs…" asks the host for runs of any experiment; the runs it sends are drawn with their labels', async () => {
    const p = await env.open();
    await p.init(helloExperiment(), 'cpu', 1);
    await p.page.waitForFunction(() => document.body.dataset.phase === 'ready', undefined, { timeout: 60_000 });
    await p.page.click('#btn-overlays');
    await p.waitFor((m) => m.type === 'pickOverlays');
    await p.send({ type: 'overlays', runs: [{ id: 'r9', label: 'adding-sweep / r9', status: 'completed', steps: [10, 20], loss: [0.5, 0.25] }] });
    const labels = await p.page.waitForFunction(() => {
      const c = (window as any).seqlabPanel.chart;
      c.flush();
      const l = c.u.series.map((s: { label?: string }) => s.label);
      return l.includes('adding-sweep / r9') ? l : undefined;
    });
    assert.ok((await labels.jsonValue() as string[]).includes('adding-sweep / r9'));
    await p.page.close();
  });
  test('sigmoid gates use a sequential scale over [0, 1]; a regression shows predicted vs true on one axis; the tooltip stays on screen', async () => {
    const p = await env.open();
    await p.init(exampleExperiment('adding-lstm', (s) => { s.training.steps = 4; s.data.samples = 64; }), 'cpu', 2);
    await p.trainToEnd();
    await p.page.waitForFunction(() => (window as any).seqlabPanel.heatmap.geometry !== undefined);
    // h: diverging; the forget gate: sequential (viridis), value v at the colour of v itself
    assert.equal(await p.page.getAttribute('#heatmap-canvas', 'data-colormap'), 'diverging');
    const key = await p.page.evaluate(() => [...(document.getElementById('heat-view') as HTMLSelectElement).options].map((o) => o.value).find((v) => v.endsWith('|f')));
    assert.ok(key, 'an LSTM shows its forget gate');
    await p.page.selectOption('#heat-view', key!);
    assert.equal(await p.page.getAttribute('#heatmap-canvas', 'data-colormap'), 'sequential');
    const { f, geo } = await p.page.evaluate(() => {
      const panel = (window as any).seqlabPanel;
      return { f: panel.snapshotRows(-1).layers[0].gates.f as number[][], geo: panel.heatmap.geometry };
    });
    for (const [t, u] of [[0, 0], [10, 3], [49, 31]] as const) {
      const px = await p.page.evaluate(([x, y]) => Array.from((document.getElementById('heatmap-canvas') as HTMLCanvasElement).getContext('2d')!.getImageData(x, y, 1, 1).data),
        [geo.left + t * geo.cellW + Math.floor(geo.cellW / 2), geo.top + u * geo.cellH + Math.floor(geo.cellH / 2)]);
      const want = rgb(interpolateViridis(f[t]![u]!));
      for (let k = 0; k < 3; k++) assert.ok(Math.abs(px[k]! - want[k]!) <= 3, `f[${t}][${u}] = ${f[t]![u]}: pixel ${px} expected ${want}`);
    }
    // predictions: a uPlot chart with both series on one y range that holds both values, labelled axes
    await p.page.waitForSelector('#forecast .u-legend');
    const fc = await p.page.evaluate(() => {
      const panel = (window as any).seqlabPanel;
      const pr = panel.snapshotRows(-1).prediction;
      return { range: panel.forecast.yRange, pred: pr.predicted[0][0], truth: pr.target[0][0], axes: [...document.querySelectorAll('#forecast .u-label')].map((e) => e.textContent) };
    });
    for (const v of [fc.pred, fc.truth]) assert.ok(v >= fc.range[0] && v <= fc.range[1], `${v} in the shared range ${fc.range}`);
    assert.ok(fc.axes.length >= 2, `axis labels: ${fc.axes}`);
    // hover at the right edge of the heatmap: the tooltip flips to stay inside the viewport
    await p.page.setViewportSize({ width: 420, height: 900 });
    await p.page.waitForTimeout(300); // the heatmap redraws for the new width
    const g2 = await p.page.evaluate(() => (window as any).seqlabPanel.heatmap.geometry);
    // the last timestep's cell, at the right edge of the grid
    const { x: cx } = await hoverCanvas(p, 'heatmap-canvas', g2.left + (g2.T - 0.5) * g2.cellW, g2.top + g2.cellH / 2);
    assert.ok(cx > 420 - 200, `the last column (${cx}) is near the viewport's right edge`);
    const tip = p.page.locator('#heatmap-tooltip');
    await tip.waitFor({ state: 'visible' });
    const tb = (await tip.boundingBox())!;
    assert.ok(tb.x >= 0 && tb.x + tb.width <= 420 + 1, `tooltip ${JSON.stringify(tb)} inside the 420 px viewport`);
    await p.page.close();
  });

  test('a theme switch re-colours the loss chart; high-contrast themes get contrast borders', async () => {
    const p = await env.open();
    await p.init(helloExperiment((s) => (s.training.steps = 6)), 'cpu', 2);
    await p.trainToEnd();
    const before = await p.page.evaluate(() => (window as any).seqlabPanel.chart.strokes()['train (smoothed)']);
    await p.page.evaluate(() => {
      document.documentElement.style.setProperty('--vscode-charts-blue', 'rgb(1, 2, 3)');
      document.documentElement.style.setProperty('--vscode-contrastBorder', 'rgb(4, 5, 6)');
      document.body.classList.add('vscode-high-contrast');
    });
    await p.page.waitForFunction(() => (window as any).seqlabPanel.chart.strokes()['train (smoothed)'] === 'rgb(1, 2, 3)', undefined, { timeout: 5000 });
    assert.notEqual(before, 'rgb(1, 2, 3)');
    const borders = await p.page.evaluate(() => ['.card', '#btn-start', '#heat-view'].map((q) => getComputedStyle(document.querySelector(q)!).borderTopColor));
    assert.deepEqual(borders, ['rgb(4, 5, 6)', 'rgb(4, 5, 6)', 'rgb(4, 5, 6)']);
    await p.page.close();
  });
  test('in Korean (the host\'s bundle), every text of the panel is Korean and <html lang> is "ko"', async () => {
    const p = await env.open();
    await p.init(exampleExperiment('adding-lstm', (s) => { s.training.steps = 4; s.data.samples = 64; }), 'cpu', 2, 0, 'ko');
    await p.trainToEnd();
    await p.page.waitForSelector('#forecast .u-legend');
    await p.page.waitForFunction(() => (window as any).seqlabPanel.heatmap.geometry !== undefined);
    assert.equal(await p.page.evaluate(() => document.documentElement.lang), 'ko');
    const texts: string[] = await p.page.evaluate(() => {
      const out: string[] = [];
      const walker = document.createTreeWalker(document.getElementById('app')!, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.textContent!.trim()) out.push(n.textContent!.trim());
      for (const e of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
        for (const a of ['placeholder', 'title', 'aria-label']) if (e.getAttribute(a)) out.push(e.getAttribute(a)!);
      }
      return out;
    });
    // what is not language: names of the model, the task, cells, structures, backends, variables
    const names = /adding-lstm|adding|\bsum\b|MAE|RMSE|many-to-one|LSTM|CPU|cpu|webgpu|webgl|wasm|WEBGPU|WEBGL|WASM|h_t|c_t|dL\/dh_t|test-run|Sequence Lab|Hochreiter|Schmidhuber|navigator\.gpu|requestAdapter|OffscreenCanvas|WebGPU|WebGL|WebAssembly|tanh/g;
    const english = texts.filter((x) => /[A-Za-z]{3,}/.test(x.replace(names, '')));
    assert.deepEqual(english, [], 'texts still in English');
    assert.ok(texts.some((x) => /손실/.test(x)) && texts.some((x) => /은닉 상태/.test(x)), texts.join(' | '));
    await p.page.close();
  });
  test('dense token labels are thinned and never overlap; padding is left out of the probe labels', async () => {
    const p = await env.open();
    await p.init(exampleExperiment('sentiment', (s) => { s.training.steps = 2; s.data.samples = 40; }), 'cpu', 1);
    await p.trainToEnd();
    await p.page.waitForFunction(() => (window as any).seqlabPanel.heatmap.geometry !== undefined);
    const probes = await p.page.locator('#probe-select option').allTextContents();
    assert.ok(probes.length > 0);
    for (const o of probes) assert.doesNotMatch(o, /<pad>/, o);
    // a narrow panel: many timesteps per label width
    await p.page.setViewportSize({ width: 360, height: 1400 });
    await p.page.waitForTimeout(300);
    const { boxes, T } = await p.page.evaluate(() => { const h = (window as any).seqlabPanel.heatmap; return { boxes: h.labelBoxes as [number, number][], T: h.geometry.T as number }; });
    assert.ok(boxes.length >= 2, `labels drawn (${boxes.length} of ${T})`);
    for (let i = 1; i < boxes.length; i++) assert.ok(boxes[i]![0] >= boxes[i - 1]![1], `label ${i} ${boxes[i]} overlaps ${boxes[i - 1]}`);
    await p.page.close();
  });
});

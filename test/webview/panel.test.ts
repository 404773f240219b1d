/**
 * The training panel's real bundles (dist/webview.js + dist/worker.js) in headless Debian
 * Chromium, under the panel's own CSP. Only the VS Code host is faked (see server.ts).
 * WebGPU runs on SwiftShader here (~1.2 ms per dispatched op), so the runs are short.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { PROTOCOL_VERSION } from '../../src/protocol';
import { helloExperiment, launch, PanelPage, serve, type Served } from './server';

const STEPS = 30;
let served: Served;
let browser: Browser;

before(async () => {
  served = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await served?.close();
});

function assertFalls(metrics: { step: number; loss: number }[]): void {
  assert.ok(metrics.length >= 3, `expected several metric rows, got ${metrics.length}`);
  const first = metrics[0]!.loss, last = metrics[metrics.length - 1]!.loss;
  assert.ok(Number.isFinite(last), `final loss ${last}`);
  assert.ok(last < first * 0.5, `loss should fall: first ${first}, last ${last}`);
}

describe('training panel in headless Chromium', () => {
  test('trains the hello example on WebGPU; the loss falls; weights and metrics reach the host', async () => {
    const p = await PanelPage.open(browser, served.origin);
    await p.init(helloExperiment((s) => (s.training.steps = STEPS)), 'auto');
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
      const p = await PanelPage.open(b, served.origin);
      await p.init(helloExperiment((s) => (s.training.steps = STEPS)), 'auto');
      const be = await p.waitFor((m) => m.type === 'backend');
      const info = be.info as { name: string; skipped: { name: string; reason: string }[] };
      assert.notEqual(info.name, 'webgpu');
      assert.equal(info.skipped[0]?.name, 'webgpu');
      assert.match(info.skipped[0]!.reason, /navigator\.gpu missing|no adapter/);
      assert.match(await p.page.textContent('#backend-why') ?? '', /webgpu: /);
      const { metrics, end } = await p.trainToEnd();
      assertFalls(metrics);
      assert.equal(end.status, 'completed');
      assert.deepEqual(await p.cspViolations(), []);
    } finally {
      await b.close();
    }
  });

  test('the wasm backend (forced by the setting) loads its binaries under the CSP and trains', async () => {
    const p = await PanelPage.open(browser, served.origin);
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
      const p = await PanelPage.open(browser, served.origin);
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

  test('the heatmap is really drawn (pixel colours at known cells) and the tooltip shows the right value', async () => {
    const p = await PanelPage.open(browser, served.origin);
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
    // independent colormap: RdBu end points through a light neutral, value / max|value|
    const expected = (v: number) => {
      const x = Math.max(-1, Math.min(1, v / scale));
      const [a, b, t] = x < 0 ? [[247, 247, 247], [33, 102, 172], -x] : [[247, 247, 247], [178, 24, 43], x];
      return a.map((k, i) => k + (b[i]! - k) * t);
    };
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
    assert.ok(extPx.join() === '178,24,43' || extPx.join() === '33,102,172');

    // hover: the tooltip names t, token, unit and the value
    const [t, u] = [2, 5];
    const box = (await p.page.locator('#heatmap-canvas').boundingBox())!;
    const cw = await p.page.evaluate(() => { const c = document.getElementById('heatmap-canvas') as HTMLCanvasElement; return [c.width, c.height]; });
    await p.page.mouse.move(
      box.x + ((geo.left + t * geo.cellW + geo.cellW / 2) * box.width) / cw[0]!,
      box.y + ((geo.top + u * geo.cellH + geo.cellH / 2) * box.height) / cw[1]!,
    );
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
    const p = await PanelPage.open(browser, served.origin);
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

  test('while training, the weights reach the host every checkpointSeconds, so closing the panel keeps them', async () => {
    const p = await PanelPage.open(browser, served.origin);
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
    const p = await PanelPage.open(browser, served.origin);
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
    const p = await PanelPage.open(browser, served.origin);
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
    const p = await PanelPage.open(browser, served.origin);
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
});

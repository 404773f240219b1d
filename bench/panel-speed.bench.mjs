// Panel vs CLI training speed (not a test): run with `node --import tsx bench/panel-speed.bench.mjs`.
// In the same run, for hello, char-gru and adding-lstm on wasm and cpu:
//  - the CLI's steps/s: the CLI's own path (src/node/trainRun.ts trainFile: the core session in
//    Node, with its run record written to a temporary folder);
//  - the panel's steps/s: the real bundles in headless Chromium (test/webview/server.ts), the
//    worker training with the panel's default settings (package.json: metrics interval, snapshot
//    share of the time, checkpoint interval), Start clicked as a user would;
//  - their ratio (target >= 0.8), the panel's time from Start to the first loss point (target
//    <= 2 s) and, for hello, the time from Start to the end of its 200 steps (target < 2 s).
// Speed is steps between the first and the last metric row over the time between them, by the
// rows' own clock (elapsedMs, stamped by the trainer where it trains: startup, the first chunk's
// warm-up and the end-of-run evaluation are left out alike on both sides). The first point is
// the time from the click on Start to the chart's first drawing with a point in it.
// Runs alternate CLI, panel, CLI, panel so that a change in the machine's load falls on both;
// the figure of each side is the median of its rounds.
// Graphics: by default Chromium as it runs on a machine without a GPU (canvas, rasterization and
// compositing in software, WebGL on SwiftShader as a software fallback); `--graphics swiftshader`
// makes SwiftShader its GPU instead (the WebGPU tests' setting), which moves the page's canvas,
// rasterization and compositing into SwiftShader's threads: about half a core more on a 2-core
// machine while the panel trains, taken from the worker. The header prints chrome://gpu's lines.
// Usage: node --import tsx bench/panel-speed.bench.mjs [--rounds N] [--scale X] [--models a,b] [--backends wasm,cpu] [--probe-share PERCENT] [--graphics software|swiftshader] [--json]
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, PanelPage, ROOT, exampleExperiment } from '../test/webview/server.ts';
import { trainFile } from '../src/node/trainRun.ts';

const argv = process.argv.slice(2);
const flag = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const rounds = Number(flag('rounds', 2));
const scale = Number(flag('scale', 1));
const models = flag('models', 'hello,char-gru,adding-lstm').split(',');
const backends = flag('backends', 'wasm,cpu').split(',');
const json = argv.includes('--json');
const graphics = flag('graphics', 'software');
if (!['software', 'swiftshader'].includes(graphics)) throw new Error(`--graphics: expected software or swiftshader, found ${graphics}`);
// the panel's settings as a new user has them: package.json's defaults (--probe-share overrides one)
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const props = Object.assign({}, ...[pkg.contributes.configuration].flat().map((c) => c.properties));
const defaults = {
  metricsInterval: props['seqlab.metricsInterval'].default,
  probeTimeShare: Number(flag('probe-share', props['seqlab.probeTimeShare'].default)),
  checkpointSeconds: props['seqlab.checkpointSeconds'].default,
};
// steps per measurement: a few seconds of training on a 2-core machine
const STEPS = { hello: 3000, 'char-gru': 80, 'adding-lstm': 200 };
const stepsOf = (m) => Math.max(20, Math.round((STEPS[m] ?? 100) * scale));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };
/** Steps/s between the first and the last metric row (their elapsedMs). */
const rate = (rows) => {
  if (rows.length < 2) return NaN;
  const a = rows[0], b = rows[rows.length - 1];
  return ((b.step - a.step) * 1000) / (b.elapsedMs - a.elapsedMs);
};
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

// CPU time of one thread (Linux /proc; 10 ms ticks): the training thread's own work, which the
// machine's load does not change, as a second, steadier comparison next to the wall-clock one.
const TICK_MS = 10;
const threadCpuMs = (pid, tid) => {
  try {
    const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * TICK_MS; // utime, stime
  } catch {
    return NaN;
  }
};
/** The panel's training thread: the DedicatedWorker thread of a renderer started by this process. */
function workerThread() {
  const ppid = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8');
      ppid.set(Number(d), Number(f.slice(f.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const ours = (pid) => { for (let p = pid; p > 1; p = ppid.get(p) ?? 0) if (p === process.pid) return true; return false; };
  for (const pid of ppid.keys()) {
    if (!ours(pid)) continue;
    let tasks = [];
    try { tasks = readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const tid of tasks) {
      try { if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() === 'DedicatedWorker') return { pid, tid: Number(tid) }; } catch { /* gone */ }
    }
  }
  return undefined;
}

async function cliRun(model, backend, steps) {
  const runsDir = mkdtempSync(join(tmpdir(), 'seqlab-bench-runs-'));
  const rows = [];
  let cpu0 = NaN, step0 = 0, cpu1 = NaN, step1 = 0;
  try {
    await trainFile(join(ROOT, 'examples', `${model}.seqlab.json`), {
      workspaceRoot: ROOT, runsDir, steps, backend, source: 'bench',
      onStart: (_w, t) => { cpu0 = threadCpuMs(process.pid, process.pid); step0 = t.step; },
      onMetrics: (r) => rows.push(r),
    });
    cpu1 = threadCpuMs(process.pid, process.pid);
    step1 = rows.at(-1)?.step ?? step0;
  } finally {
    rmSync(runsDir, { recursive: true, force: true });
  }
  return { stepsPerSecond: rate(rows), stepsPerCpuSecond: ((step1 - step0) * 1000) / (cpu1 - cpu0) };
}

async function panelRun(browser, origin, model, backend, steps) {
  const p = await PanelPage.open(browser, origin);
  try {
    const exp = exampleExperiment(model, steps === undefined ? undefined : (s) => { s.training.steps = steps; s.training.epochs = undefined; });
    // the host's init (as PanelPage.init sends it, with the default settings: the worker's session
    // takes them from init; a later 'settings' applies from the next session)
    await p.send({
      type: 'init', experiment: exp, settings: { preferredBackend: backend, ...defaults },
      assets: { workerUrl: `${origin}/dist/worker.js`, wasmBase: `${origin}/dist/` }, overlays: [],
    });
    await p.page.waitForFunction(() => document.body.dataset.phase === 'ready', undefined, { timeout: 300_000 });
    const chosen = (await p.posted()).filter((m) => m.type === 'backend').pop()?.info?.name;
    const thread = workerThread();
    const cpu0 = thread ? threadCpuMs(thread.pid, thread.tid) : NaN;
    // stamp each message the page posts to the host with its arrival time
    await p.page.evaluate(() => {
      const posted = window.__posted;
      const push = posted.push.bind(posted);
      posted.push = (m) => {
        if (m.type === 'runEnd') window.__ended = true;
        return push({ ...m, t: performance.now() });
      };
      // the first drawing of the chart with a point in it
      const chart = window.seqlabPanel.chart;
      const draws0 = chart.draws;
      const watch = () => {
        if (chart.points > 0 && chart.draws > draws0) window.__firstDrawn = performance.now();
        else requestAnimationFrame(watch);
      };
      window.__t0 = performance.now();
      document.querySelector('#btn-start').click();
      requestAnimationFrame(watch);
    });
    const start = await p.waitFor((m) => m.type === 'runStart');
    await p.send({ type: 'runCreated', clientRunId: start.clientRunId, runId: 'bench-run' });
    // (not PanelPage.waitFor: it copies every posted message out of the page ten times a second,
    // which on a 2-core machine takes the worker's time while it trains)
    await p.page.waitForFunction(() => window.__ended === true, undefined, { timeout: 600_000, polling: 500 });
    const cpu1 = thread ? threadCpuMs(thread.pid, thread.tid) : NaN;
    const { t0, firstDrawn } = await p.page.evaluate(() => ({ t0: window.__t0, firstDrawn: window.__firstDrawn }));
    const all = await p.posted();
    const rows = all.filter((m) => m.type === 'metrics' && m.t !== undefined).flatMap((m) => m.rows);
    const end = all.find((m) => m.type === 'runEnd');
    return {
      backend: chosen, stepsPerSecond: rate(rows), stepsPerCpuSecond: ((rows.at(-1)?.step ?? 0) * 1000) / (cpu1 - cpu0),
      firstPointMs: firstDrawn !== undefined ? firstDrawn - t0 : NaN,
      totalMs: end.t - t0,
    };
  } finally {
    await p.page.close();
  }
}

const served = await serve();
const browser = await launch({ webgpu: false, swiftshaderGpu: graphics === 'swiftshader' });

/** chrome://gpu's Canvas, Compositing and WebGL lines: how this browser draws. */
async function graphicsStatus() {
  const page = await browser.newPage();
  try {
    await page.goto('chrome://gpu');
    await page.waitForTimeout(1000);
    const text = await page.evaluate(() => (document.querySelector('info-view')?.shadowRoot ?? document).textContent ?? '');
    return ['Canvas', 'Compositing', 'WebGL'].map((k) => `${k}: ${(text.match(new RegExp(`\\*\\s*${k}:\\s*([^*]*)`)) ?? [])[1]?.replace(/\s+/g, ' ').trim() ?? '?'}`).join('; ');
  } catch (e) {
    return `chrome://gpu unreadable: ${e.message}`;
  } finally {
    await page.close();
  }
}
const results = [];
const print = (o) => { results.push(o); if (json) console.log(JSON.stringify(o)); };
try {
  if (!json) console.log(`machine: load ${load()} (1/5/15 min); panel settings ${JSON.stringify(defaults)}\ngraphics: ${graphics} (${await graphicsStatus()})`);
  for (const model of models) {
    for (const backend of backends) {
      const steps = stepsOf(model);
      const cli = [], panel = [], cliCpu = [], panelCpu = [], first = [];
      for (let r = 0; r < rounds; r++) {
        const cr = await cliRun(model, backend, steps);
        cli.push(cr.stepsPerSecond);
        cliCpu.push(cr.stepsPerCpuSecond);
        const pr = await panelRun(browser, served.origin, model, backend, steps);
        panel.push(pr.stepsPerSecond);
        panelCpu.push(pr.stepsPerCpuSecond);
        first.push(pr.firstPointMs);
      }
      const o = {
        model, backend, steps, cli_steps_per_s: median(cli), panel_steps_per_s: median(panel), ratio: median(panel) / median(cli),
        cli_steps_per_cpu_s: median(cliCpu), panel_steps_per_cpu_s: median(panelCpu), cpu_ratio: median(panelCpu) / median(cliCpu),
        first_point_ms: median(first), load: load(), graphics,
      };
      print(o);
      const f = (x) => x.toFixed(1).padStart(7);
      if (!json) {
        console.log(`${model.padEnd(12)} ${backend.padEnd(5)} wall: CLI ${f(o.cli_steps_per_s)} steps/s  panel ${f(o.panel_steps_per_s)}  ratio ${o.ratio.toFixed(2)} | per CPU s of the training thread: CLI ${f(o.cli_steps_per_cpu_s)}  panel ${f(o.panel_steps_per_cpu_s)}  ratio ${o.cpu_ratio.toFixed(2)} | first point ${o.first_point_ms.toFixed(0)} ms`);
        console.log(`${''.padEnd(18)} rounds: CLI ${cli.map((x) => x.toFixed(0)).join('/')}, panel ${panel.map((x) => x.toFixed(0)).join('/')}; load ${o.load}`);
      }
    }
  }
  // hello as a new user runs it: its own 200 steps, the panel's "auto" (it measures the backends first)
  if (models.includes('hello')) {
    const runs = [];
    for (let r = 0; r < rounds; r++) runs.push(await panelRun(browser, served.origin, 'hello', 'auto', undefined));
    const o = { model: 'hello', backend: `auto->${runs.map((x) => x.backend).join('/')}`, steps: 200, first_point_ms: median(runs.map((x) => x.firstPointMs)), total_ms: median(runs.map((x) => x.totalMs)), load: load(), graphics };
    print(o);
    if (!json) console.log(`hello 200 steps in the panel (auto chose ${runs.map((x) => x.backend).join('/')}): Start -> first point ${o.first_point_ms.toFixed(0)} ms, Start -> end ${o.total_ms.toFixed(0)} ms (target < 2000 ms; load ${o.load})`);
  }
} finally {
  await browser.close();
  await served.close();
}

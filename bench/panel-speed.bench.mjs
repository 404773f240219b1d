// Panel vs CLI training speed (not a test): run with `node --import tsx bench/panel-speed.bench.mjs`.
// In the same run, for hello, char-gru and adding-lstm on wasm and cpu:
//  - the CLI's steps/s: the CLI's own path (src/node/trainRun.ts trainFile: the core session in
//    Node, with its run record written to a temporary folder);
//  - the panel's steps/s: the real bundles in headless Chromium (test/webview/server.ts), the
//    worker training with the panel's default settings (metrics interval 10, snapshots 20% of the
//    time, checkpoints every 30 s), Start clicked as a user would;
//  - their ratio (target >= 0.8), the panel's time from Start to the first loss point (target
//    <= 2 s) and, for hello, the time from Start to the end of its 200 steps (target < 2 s).
// Speed is steps between the first and the last metric row over the time between them (startup,
// the first chunk's warm-up and the end-of-run evaluation are left out alike on both sides).
// Runs alternate CLI, panel, CLI, panel so that a change in the machine's load falls on both;
// the figure of each side is the median of its rounds.
// Usage: node --import tsx bench/panel-speed.bench.mjs [--rounds N] [--scale X] [--models a,b] [--backends wasm,cpu] [--json]
import { mkdtempSync, rmSync } from 'node:fs';
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
// steps per measurement: a few seconds of training on a 2-core machine
const STEPS = { hello: 3000, 'char-gru': 80, 'adding-lstm': 200 };
const stepsOf = (m) => Math.max(20, Math.round((STEPS[m] ?? 100) * scale));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };
/** Steps/s between the first and the last row: [{ step, t (ms) }]. */
const rate = (rows) => {
  if (rows.length < 2) return NaN;
  const a = rows[0], b = rows[rows.length - 1];
  return ((b.step - a.step) * 1000) / (b.t - a.t);
};
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

async function cliRun(model, backend, steps) {
  const runsDir = mkdtempSync(join(tmpdir(), 'seqlab-bench-runs-'));
  const rows = [];
  try {
    await trainFile(join(ROOT, 'examples', `${model}.seqlab.json`), {
      workspaceRoot: ROOT, runsDir, steps, backend, source: 'bench',
      onMetrics: (r) => rows.push({ step: r.step, t: performance.now() }),
    });
  } finally {
    rmSync(runsDir, { recursive: true, force: true });
  }
  return { stepsPerSecond: rate(rows) };
}

async function panelRun(browser, origin, model, backend, steps) {
  const p = await PanelPage.open(browser, origin);
  try {
    const exp = exampleExperiment(model, steps === undefined ? undefined : (s) => { s.training.steps = steps; s.training.epochs = undefined; });
    // the panel's default settings (package.json): metrics every 10 steps, checkpoints every 30 s; PanelPage sends 20% for snapshots
    await p.init(exp, backend, 10, 30);
    await p.page.waitForFunction(() => document.body.dataset.phase === 'ready', undefined, { timeout: 300_000 });
    const chosen = (await p.posted()).filter((m) => m.type === 'backend').pop()?.info?.name;
    // stamp each message the page posts to the host with its arrival time
    await p.page.evaluate(() => {
      const posted = window.__posted;
      const push = posted.push.bind(posted);
      posted.push = (m) => push({ ...m, t: performance.now() });
      window.__t0 = performance.now();
      document.querySelector('#btn-start').click();
    });
    const start = await p.waitFor((m) => m.type === 'runStart');
    await p.send({ type: 'runCreated', clientRunId: start.clientRunId, runId: 'bench-run' });
    await p.waitFor((m) => m.type === 'runEnd', 600_000);
    const t0 = await p.page.evaluate(() => window.__t0);
    const all = await p.posted();
    const rows = all.filter((m) => m.type === 'metrics' && m.t !== undefined).flatMap((m) => m.rows.map((r) => ({ step: r.step, t: m.t })));
    const end = all.find((m) => m.type === 'runEnd');
    return {
      backend: chosen, stepsPerSecond: rate(rows),
      firstPointMs: rows.length ? rows[0].t - t0 : NaN,
      totalMs: end.t - t0,
    };
  } finally {
    await p.page.close();
  }
}

const served = await serve();
const browser = await launch({ webgpu: false });
const results = [];
const print = (o) => { results.push(o); if (json) console.log(JSON.stringify(o)); };
try {
  if (!json) console.log(`machine: load ${load()} (1/5/15 min)`);
  for (const model of models) {
    for (const backend of backends) {
      const steps = stepsOf(model);
      const cli = [], panel = [], first = [];
      for (let r = 0; r < rounds; r++) {
        cli.push((await cliRun(model, backend, steps)).stepsPerSecond);
        const pr = await panelRun(browser, served.origin, model, backend, steps);
        panel.push(pr.stepsPerSecond);
        first.push(pr.firstPointMs);
      }
      const o = { model, backend, steps, cli_steps_per_s: median(cli), panel_steps_per_s: median(panel), ratio: median(panel) / median(cli), first_point_ms: median(first), load: load() };
      print(o);
      if (!json) console.log(`${model.padEnd(12)} ${backend.padEnd(5)} CLI ${o.cli_steps_per_s.toFixed(1).padStart(7)} steps/s  panel ${o.panel_steps_per_s.toFixed(1).padStart(7)} steps/s  ratio ${o.ratio.toFixed(2)}  first point ${o.first_point_ms.toFixed(0)} ms  (rounds: CLI ${cli.map((x) => x.toFixed(0)).join('/')}, panel ${panel.map((x) => x.toFixed(0)).join('/')}; load ${o.load})`);
    }
  }
  // hello as a new user runs it: its own 200 steps, the panel's "auto" (it measures the backends first)
  if (models.includes('hello')) {
    const runs = [];
    for (let r = 0; r < rounds; r++) runs.push(await panelRun(browser, served.origin, 'hello', 'auto', undefined));
    const o = { model: 'hello', backend: `auto->${runs.map((x) => x.backend).join('/')}`, steps: 200, first_point_ms: median(runs.map((x) => x.firstPointMs)), total_ms: median(runs.map((x) => x.totalMs)), load: load() };
    print(o);
    if (!json) console.log(`hello 200 steps in the panel (auto chose ${runs.map((x) => x.backend).join('/')}): Start -> first point ${o.first_point_ms.toFixed(0)} ms, Start -> end ${o.total_ms.toFixed(0)} ms (target < 2000 ms; load ${o.load})`);
  }
} finally {
  await browser.close();
  await served.close();
}

/**
 * One definition through the three front ends, same backend (cpu) and seed: the CLI (a process),
 * the background trainer (trainFile in this Node process, as the extension host runs it) and the
 * panel's worker (real bundles in headless Chromium). The training session is the same code in
 * all three (src/core/session.ts), so the metric rows must be the same: epochs, validation every
 * evalEvery, early stopping with its best step, and the kept weights.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainFile } from '../../src/node/trainRun';
import { RunStore } from '../../src/node/runStore';
import type { MetricRow } from '../../src/core/train';
import { experimentOf, useBrowser } from './server';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

// epochs (the total comes from the data), validation every 4 steps, early stopping that triggers
// (minDelta larger than any gain): ends at step 12 keeping step 4's weights
const DEF = {
  name: 'frontends',
  data: { task: 'parity', samples: 48, length: 5, validation: 0.25 },
  layers: [{ cell: 'gru', units: 5 }],
  training: { optimizer: 'adam', learningRate: 0.02, batchSize: 6, epochs: 3, logEvery: 2, evalEvery: 4, earlyStopping: { patience: 2, minDelta: 10 } },
};

const env = useBrowser({ webgpu: false });

const strip = (rows: MetricRow[]) => rows.map(({ elapsedMs: _e, ...r }) => r);

test('CLI, background trainer and panel give the same metric rows, validation and early stopping', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'seqlab-frontends-'));
  mkdirSync(join(ws, '.vscode'));
  const file = join(ws, 'f.seqlab.json');
  const text = JSON.stringify(DEF, null, 2);
  writeFileSync(file, text);

  // 1. the CLI
  const cli = spawnSync(process.execPath, [CLI, 'train', 'f.seqlab.json', '--json', '--backend', 'cpu'], { cwd: ws, encoding: 'utf8', timeout: 120_000 });
  assert.equal(cli.status, 0, cli.stderr);
  const lines = cli.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const cliRows = lines.filter((l) => !l.event) as MetricRow[];
  const cliEnd = lines[lines.length - 1];

  // 2. the background trainer (what the extension host runs; its settings only as defaults)
  const bg = await trainFile(file, { workspaceRoot: ws, backend: 'cpu', source: 'host', defaults: { logEvery: 7, evalEvery: 9 } });
  const bgRows = new RunStore(ws).readMetrics(bg.id);

  // 3. the panel's worker in Chromium (its metricsInterval setting 7 is a default the definition overrides)
  const p = await env.open();
  await p.init(experimentOf(file, text), 'cpu', 7);
  const { end } = await p.trainToEnd();
  const posted = await p.posted();
  const panelRows = posted.filter((m) => m.type === 'metrics').flatMap((m) => m.rows as MetricRow[]);
  const best = posted.filter((m) => m.type === 'best').map((m) => m.step);
  const shown = await p.page.textContent('#loss-now');
  const status = await p.page.textContent('#status');
  await p.page.close();

  assert.equal(cliEnd.steps, 18, 'epochs: ceil(3 * 36 / 6)');
  assert.deepEqual(cliRows.map((r) => r.step), [2, 4, 6, 8, 10, 12]);
  assert.deepEqual(cliRows.filter((r) => r.validLoss !== undefined).map((r) => r.step), [4, 8, 12]);
  assert.deepEqual(strip(bgRows), strip(cliRows), 'background = CLI');
  assert.deepEqual(strip(panelRows), strip(cliRows), 'panel = CLI');

  assert.deepEqual([cliEnd.status, cliEnd.step, cliEnd.bestStep, cliEnd.earlyStoppedAt], ['completed', 12, 4, 12]);
  assert.deepEqual([bg.status, bg.step, bg.bestStep, bg.earlyStoppedAt], ['completed', 12, 4, 12]);
  assert.deepEqual([end.status, end.step, end.bestStep, end.earlyStoppedAt], ['completed', 12, 4, 12]);
  assert.deepEqual(best, [4]);
  assert.match(cliEnd.message, /Stopped early at step 12.*weights of step 4/);
  assert.equal(end.message, cliEnd.message);
  // the kept (best) weights are the same everywhere
  const cliWeights = JSON.parse(readFileSync(join(ws, '.seqlab', 'runs', cliEnd.id, 'weights.json'), 'utf8')).state_dict;
  assert.deepEqual(new RunStore(ws).readWeights(bg.id), cliWeights);
  assert.deepEqual(end.weights, cliWeights);
  // and the panel says so: validation, best step, learning rate, early stopping
  assert.match(shown ?? '', /step 12 · loss [\d.]+ · validation [\d.]+ .*best step 4 .*lr 0\.02/);
  assert.match(status ?? '', /stopped early at step 12: no improvement for 2 validations, kept step 4/);
});

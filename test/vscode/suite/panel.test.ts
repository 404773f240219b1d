// The training panel in a real VS Code (code-server): the panel's webview trains in its worker on
// whatever backend the browser offers (the harness's headless Chromium runs without
// --enable-unsafe-webgpu, so WebGPU is skipped with a reason and a fallback is named), the run is
// recorded through the host, shows in the tree, and Stop / closing the panel / restoring behave.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TrainingPanels } from '../../../src/host/panel';
import { readExperiment } from '../../../src/host/panel/experiment';
import type { PanelRunSummary } from '../../../src/host/panel/store';
import { BACKENDS } from '../../../src/protocol';
import { api, closeEditors, remove, sleep, waitFor, writeText, wsUri, helloRunNode } from './host-helpers';

const VIEW_TYPE = 'seqlab.trainingPanel';

async function panels(): Promise<TrainingPanels> {
  const a = await api();
  assert.ok(a.panels, 'the training panel registered at activation');
  return a.panels as unknown as TrainingPanels;
}

/** The next run of `def` that a panel ends (its record is on disk when this resolves). */
function nextEnd(p: TrainingPanels, def: vscode.Uri, timeoutMs: number): Promise<PanelRunSummary> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`no panel run of ${def.path} ended within ${timeoutMs / 1000} s`)); }, timeoutMs);
    const sub = p.onDidEndRun((e) => {
      if (e.definition.toString() !== def.toString()) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e.summary);
    });
  });
}

function panelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(VIEW_TYPE));
}

async function closePanelTabs(): Promise<void> {
  const tabs = panelTabs();
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}

function readRun(id: string): { summary: Record<string, unknown>; metrics: { step: number; loss: number }[]; dir: string } {
  const dir = join(wsUri().fsPath, '.seqlab', 'runs', id);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
  const metrics = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss: number });
  return { summary, metrics, dir };
}

/** A copy of the hello example that trains for a long time (for stop / close mid-run). */
async function longHello(name: string): Promise<vscode.Uri> {
  const text = readFileSync(wsUri('hello.seqlab.json').fsPath, 'utf8').replace('"steps": 200', '"steps": 5000000').replace('"name": "hello"', `"name": "${name}"`);
  assert.match(text, /"steps": 5000000/);
  const uri = wsUri(`${name}.seqlab.json`);
  await writeText(uri, text);
  return uri;
}

suite('panel: the training panel in VS Code', () => {
  const made: vscode.Uri[] = [];
  suiteTeardown(async () => {
    await closePanelTabs();
    for (const u of made) await remove(u);
    await closeEditors();
  });

  test('Open Training Panel, then Train: the run completes in the panel on a named backend, shows in the tree, and is on disk', async function () {
    this.timeout(300_000);
    const a = await api();
    const p = await panels();
    const def = wsUri('hello.seqlab.json');
    await vscode.commands.executeCommand('seqlab.openPanel', def);
    assert.ok(p.has(def), 'the panel opened');
    await waitFor('a webview tab of the training panel', () => panelTabs().length >= 1);
    const backend = await waitFor('the panel to report its backend', () => p.info(def)?.backend, 120_000);
    assert.ok((BACKENDS as readonly string[]).includes(backend.name), `backend named: ${backend.name}`);
    if (backend.name !== 'webgpu') {
      const gpu = backend.skipped.find((s) => s.name === 'webgpu');
      assert.ok(gpu && gpu.reason.length > 5, `why WebGPU was not used is said: ${JSON.stringify(backend.skipped)}`);
    }
    await waitFor('the model to be ready in the panel', () => p.info(def)?.phase === 'ready', 120_000);
    // "auto" reports the first backend that starts, then the one its timed probe of the model chose
    const chosen = p.info(def)!.backend!;
    assert.ok((BACKENDS as readonly string[]).includes(chosen.name), `backend named: ${chosen.name}`);
    console.log(`    panel backend in code-server: ${chosen.name}; not used: ${chosen.skipped.map((s) => `${s.name} (${s.reason})`).join('; ') || 'none'}`);

    const ended = nextEnd(p, def, 240_000);
    assert.equal(vscode.workspace.getConfiguration('seqlab').get('trainIn'), 'panel', 'the default trains in the panel');
    await vscode.commands.executeCommand('seqlab.train', def);
    const summary = await ended;
    assert.equal(summary.status, 'completed', `run ended ${summary.status}: ${summary.message ?? ''}`);
    assert.equal(summary.step, 200);
    assert.equal(summary.backend, chosen.name, 'the record names the backend the panel trained on');
    assert.ok(typeof summary.finalLoss === 'number' && Number.isFinite(summary.finalLoss), `final loss ${summary.finalLoss}`);
    assert.equal(a.trainingStatus.isActive(def), false, 'the status entry ended with the run');

    // The record on disk: summary, metrics (every N steps, falling), weights, the definition.
    const run = readRun(summary.id);
    assert.equal(run.summary.status, 'completed');
    assert.equal(run.summary.source, 'panel');
    assert.equal(run.summary.experiment, 'hello.seqlab.json');
    assert.ok(run.metrics.length >= 10, `${run.metrics.length} metric rows`);
    assert.equal(run.metrics.at(-1)!.step, 200);
    assert.ok(run.metrics.at(-1)!.loss < run.metrics[0]!.loss * 0.5, `the loss fell: ${run.metrics[0]!.loss} -> ${run.metrics.at(-1)!.loss}`);
    assert.equal(run.summary.finalLoss, run.metrics.at(-1)!.loss);
    assert.ok(existsSync(join(run.dir, 'weights.json')), 'weights.json saved');
    const weights = JSON.parse(readFileSync(join(run.dir, 'weights.json'), 'utf8')) as { state_dict: Record<string, { shape: number[]; data: number[] }> };
    assert.deepEqual(weights.state_dict['rnn.weight_hh_l0']?.shape, [8, 8]);
    assert.ok(existsSync(join(run.dir, 'definition.seqlab.json')));

    // The tree lists the run under hello with its final loss.
    const node = await helloRunNode(a, summary.id, undefined, 15_000);
    const item = a.tree.getTreeItem(node);
    const loss = summary.finalLoss!;
    assert.match(String(item.description), new RegExp(`loss ${(Math.abs(loss) >= 0.001 ? loss.toFixed(4) : loss.toExponential(2)).replace('.', '\\.')}`));
  });

  test('Stop from the command (as the CodeLens does) stops the panel run; it is saved as stopped with weights', async function () {
    this.timeout(300_000);
    const a = await api();
    const p = await panels();
    const def = await longHello('panel-stop');
    made.push(def);
    await vscode.commands.executeCommand('seqlab.openPanel', def);
    await waitFor('the model to be ready in the panel', () => p.info(def)?.phase === 'ready', 120_000);
    const ended = nextEnd(p, def, 240_000);
    await vscode.commands.executeCommand('seqlab.train', def);
    await waitFor('the panel run to be registered with the training status', () => a.trainingStatus.isActive(def), 60_000);
    assert.equal(a.trainingStatus.notifies(def), false, 'a panel run raises no progress notification (the panel shows its progress)');
    await waitFor('metrics to reach the host', () => (p.info(def)?.run?.step ?? 0) >= 10, 120_000);
    // The CodeLens of the definition now offers Stop for this run (status keyed by the definition's Uri).
    await vscode.workspace.openTextDocument(def);
    const lenses = await waitFor('the Stop lens', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', def);
      return l.find((x) => x.command?.command === 'seqlab.stop') ? l : undefined;
    });
    const stopLens = lenses.find((x) => x.command?.command === 'seqlab.stop')!;
    // A second Train while it trains is refused (a warning offering Stop, left open), not a second run.
    void vscode.commands.executeCommand('seqlab.train', def);
    await sleep(1000);
    assert.equal(a.runs.all().filter((r) => r.entry.summary?.experiment === 'panel-stop.seqlab.json' && r.entry.summary.status === 'running').length, 1);
    assert.equal(await vscode.commands.executeCommand(stopLens.command!.command, ...(stopLens.command!.arguments ?? [])), true);
    const summary = await ended;
    assert.equal(summary.status, 'stopped');
    assert.ok(summary.step >= 10 && summary.step < 5000000, `stopped at step ${summary.step}`);
    const run = readRun(summary.id);
    assert.equal(run.summary.status, 'stopped');
    assert.ok(existsSync(join(run.dir, 'weights.json')), 'a stopped run keeps its weights');
    assert.equal(a.trainingStatus.isActive(def), false);
  });

  test('the panel refuses to train while the experiment trains in the background, and says why', async function () {
    this.timeout(300_000);
    const a = await api();
    const p = await panels();
    const def = await longHello('panel-busy');
    made.push(def);
    await vscode.commands.executeCommand('seqlab.openPanel', def);
    await waitFor('the model to be ready in the panel', () => p.info(def)?.phase === 'ready', 120_000);
    const background = vscode.commands.executeCommand<{ status: string } | undefined>('seqlab.trainInBackground', def, { quiet: true });
    await waitFor('the background training to start', () => a.trainingStatus.isActive(def), 60_000);
    try {
      await p.train(def); // the panel's own Start
      const why = await waitFor('the panel to be refused', () => p.info(def)?.refused, 60_000);
      assert.match(why, /already training/);
      await waitFor('the panel to stop its refused run', () => p.info(def)?.phase === 'done', 60_000);
      assert.equal(p.info(def)?.run, undefined, 'no panel run is recorded');
    } finally {
      await vscode.commands.executeCommand('seqlab.stop', def);
    }
    assert.equal((await background)?.status, 'stopped');
    const runs = a.runs.all().filter((r) => r.entry.summary?.experiment === 'panel-busy.seqlab.json');
    assert.equal(runs.length, 1, 'only the background run was recorded');
  });

  test('closing the panel mid-run saves the run as stopped', async function () {
    this.timeout(300_000);
    const a = await api();
    const p = await panels();
    await closePanelTabs();
    const def = await longHello('panel-close');
    made.push(def);
    await vscode.commands.executeCommand('seqlab.openPanel', def);
    await waitFor('the model to be ready in the panel', () => p.info(def)?.phase === 'ready', 120_000);
    const ended = nextEnd(p, def, 60_000);
    await vscode.commands.executeCommand('seqlab.train', def);
    await waitFor('metrics to reach the host', () => (p.info(def)?.run?.step ?? 0) >= 10, 120_000);
    const tabs = panelTabs();
    assert.equal(tabs.length, 1);
    await vscode.window.tabGroups.close(tabs[0]!);
    const summary = await ended;
    assert.equal(summary.status, 'stopped');
    assert.match(summary.message ?? '', /panel was closed/);
    assert.equal(p.has(def), false);
    const run = readRun(summary.id);
    assert.equal(run.summary.status, 'stopped');
    assert.ok(run.metrics.length >= 1 && run.metrics.at(-1)!.step === summary.step, 'its metrics are kept');
    assert.equal(a.trainingStatus.isActive(def), false);
  });

  test('the serializer restores a panel from its saved state (and closes one without a definition)', async function () {
    this.timeout(180_000);
    const p = await panels();
    await closePanelTabs();
    const def = wsUri('hello.seqlab.json');
    assert.equal(p.has(def), false);
    // What VS Code does after a window reload: a bare panel of our view type plus the state the webview saved.
    const restored = vscode.window.createWebviewPanel(VIEW_TYPE, 'restoring', vscode.ViewColumn.Beside, {});
    await p.deserialize(restored, { definition: def.toString() });
    assert.ok(p.has(def));
    assert.equal(restored.title, 'Train: hello');
    assert.equal(restored.webview.options.enableScripts, true);
    // The webview really came up (ready -> init with the last run -> worker started its backend).
    await waitFor('the restored panel to report its backend', () => p.info(def)?.backend, 120_000);
    await waitFor('the restored panel to be ready', () => p.info(def)?.phase === 'ready', 120_000);

    const orphan = vscode.window.createWebviewPanel(VIEW_TYPE, 'no state', vscode.ViewColumn.Beside, {});
    await sleep(500); // let the workbench show it before it is closed
    let disposed = false;
    orphan.onDidDispose(() => { disposed = true; });
    await p.deserialize(orphan, undefined);
    assert.equal(disposed, true, 'a panel without a definition in its state is closed');
    await closePanelTabs();
    assert.equal(p.has(def), false);
  });

  test('the panel gets the definition as edited (unsaved) and the data files it references, never files outside the workspace', async function () {
    this.timeout(120_000);
    const def = wsUri('char-gru.seqlab.json');
    const exp = await readExperiment(def);
    assert.equal(exp.problems.length, 0, exp.problems.join('\n'));
    assert.ok(exp.spec, 'the host parsed the definition');
    assert.equal(exp.files.length, 1);
    assert.ok(exp.files[0]!.path.endsWith('/data/tiny.txt'), exp.files[0]!.path);
    assert.ok(exp.files[0]!.bytes instanceof ArrayBuffer, 'the file travels as bytes, not a JSON string');
    assert.deepEqual(new Uint8Array(exp.files[0]!.bytes), new Uint8Array(readFileSync(wsUri('data', 'tiny.txt').fsPath)));
    assert.equal(exp.relPath, 'char-gru.seqlab.json');

    // An open, unsaved edit is what the panel trains.
    const doc = await vscode.workspace.openTextDocument(def);
    const editor = await vscode.window.showTextDocument(doc);
    const at = doc.getText().indexOf('"file"');
    await editor.edit((e) => e.insert(doc.positionAt(at), '"description": "edited, not saved",\n    '));
    try {
      const edited = await readExperiment(def);
      assert.ok(edited.definitionText.includes('edited, not saved'));
      assert.ok(doc.isDirty);
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }

    // A data path that leaves the workspace is refused with the reason, and the panel does not train it.
    const outside = wsUri('panel-outside.seqlab.json');
    made.push(outside);
    await writeText(outside, readFileSync(def.fsPath, 'utf8').replace('"data/tiny.txt"', '"../../../../etc/hostname"'));
    const bad = await readExperiment(outside);
    assert.equal(bad.files.length, 0);
    assert.match(bad.fileErrors.join('\n'), /outside the workspace/);
    const p = await panels();
    await vscode.commands.executeCommand('seqlab.openPanel', outside);
    await waitFor('the panel to refuse the definition (phase error)', () => p.info(outside)?.phase === 'error', 120_000);
    assert.equal(p.info(outside)?.run, undefined);
    await closePanelTabs();
  });

  test('changing seqlab.preferredBackend restarts the panel on that backend', async function () {
    this.timeout(180_000);
    const p = await panels();
    await closePanelTabs();
    const def = wsUri('hello.seqlab.json');
    await vscode.commands.executeCommand('seqlab.openPanel', def);
    const first = await waitFor('the panel backend', () => p.info(def)?.backend, 120_000);
    assert.equal(first.preferred, 'auto');
    const cfg = vscode.workspace.getConfiguration('seqlab');
    await cfg.update('preferredBackend', 'cpu', vscode.ConfigurationTarget.Global);
    try {
      const forced = await waitFor('the panel to restart on the cpu backend', () => {
        const b = p.info(def)?.backend;
        return b?.preferred === 'cpu' ? b : undefined;
      }, 120_000);
      assert.equal(forced.name, 'cpu');
      assert.deepEqual(forced.skipped, [], 'nothing faster was tried: the setting forces the backend');
    } finally {
      await cfg.update('preferredBackend', undefined, vscode.ConfigurationTarget.Global);
    }
    await closePanelTabs();
  });
  test('the alignment view: reverse-attention trained a few steps in the panel draws target x source attention', async function () {
    this.timeout(300_000);
    const p = await panels();
    const text = readFileSync(wsUri('reverse-attention.seqlab.json').fsPath, 'utf8').replace('"steps": 300', '"steps": 5').replace('"name": "reverse-attention"', '"name": "reverse-attention-short"');
    assert.match(text, /"steps": 5/);
    const def = wsUri('reverse-attention-short.seqlab.json');
    await writeText(def, text);
    made.push(def);
    await vscode.commands.executeCommand('seqlab.openPanel', def);
    await waitFor('the model to be ready in the panel', () => p.info(def)?.phase === 'ready', 120_000);
    const ended = nextEnd(p, def, 240_000);
    await vscode.commands.executeCommand('seqlab.train', def);
    const summary = await ended;
    assert.equal(summary.status, 'completed', `run ended ${summary.status}: ${summary.message ?? ''}`);
    // the last snapshot (step 5) is drawn with its alignment: 8 decoded tokens x 8 source tokens
    const a = await waitFor('the alignment view of the trained model', () => (p.info(def)?.alignment?.step === 5 ? p.info(def)!.alignment : undefined), 60_000);
    assert.deepEqual([a.targets, a.sources], [8, 8]);
  });
});

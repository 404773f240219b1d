// A restricted (untrusted) workspace: the launcher's "untrusted" pass starts VS Code with workspace
// trust enabled and opens a folder nobody trusted. Validation works; nothing trains or writes.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, sleep, workspaceFolder, wsUri } from './host-helpers';

const runsDir = () => join(workspaceFolder().uri.fsPath, '.seqlab', 'runs');
const runCount = () => (existsSync(runsDir()) ? readdirSync(runsDir()).length : 0);

suite('host: restricted workspace', () => {
  test('the workspace is untrusted in this pass @untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the untrusted pass must open a restricted workspace');
  });

  test('Open Training Panel (command, CodeLens, status bar) opens no panel @untrusted', async () => {
    const a = await api();
    const def = wsUri('hello.seqlab.json');
    assert.equal(await vscode.commands.executeCommand('seqlab.openPanel', def), undefined);
    assert.ok(!a.panels?.has(def), 'no panel for hello');
    // the panel module itself refuses too (a path that reaches it without the command)
    await assert.rejects(async () => a.panels!.open(def), /restricted workspace/);
    assert.ok(!a.panels?.has(def));
    // the CodeLens says why instead of offering it
    await vscode.workspace.openTextDocument(def);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', def);
    const open = lenses.find((l) => l.command?.command === 'seqlab.openPanel');
    assert.ok(open);
    assert.match(String(open.command!.tooltip), /disabled in a restricted workspace/);
    // the manifest disables the command where trust is missing (palette, status bar)
    const pkg = vscode.extensions.getExtension('seqlab.seqlab')!.packageJSON as { contributes: { commands: { command: string; enablement?: string }[] } };
    for (const id of ['seqlab.openPanel', 'seqlab.train', 'seqlab.trainInBackground', 'seqlab.runSweep', 'seqlab.importWeights', 'seqlab.markRunInterrupted']) {
      assert.equal(pkg.contributes.commands.find((c) => c.command === id)?.enablement, 'isWorkspaceTrusted', id);
    }
  });

  test('Train, Train in Background, Run Sweep and Import write no run record @untrusted', async () => {
    const def = wsUri('hello.seqlab.json');
    const before = runCount();
    assert.equal(await vscode.commands.executeCommand('seqlab.train', def), undefined);
    assert.equal(await vscode.commands.executeCommand('seqlab.trainInBackground', def), undefined);
    assert.equal(await vscode.commands.executeCommand('seqlab.importWeights', def, wsUri('hello.seqlab.json')), undefined);
    // a sweep neither: the shipped example has one
    assert.equal(await vscode.commands.executeCommand('seqlab.runSweep', { uri: wsUri('adding-sweep.seqlab.json'), quiet: true }), undefined);
    await sleep(500);
    assert.equal(runCount(), before, 'no run was recorded');
    // validation still works
    const v = await vscode.commands.executeCommand<{ ok: boolean }>('seqlab.validate', def);
    assert.equal(v.ok, true);
  });

  test('run records are not changed: no recovery writes, no delete, no unlock @untrusted', async () => {
    const a = await api();
    const dir = join(runsDir(), '20260101-000000-stale');
    mkdirSync(dir, { recursive: true });
    const summary = {
      format: 'seqlab-run/1', id: '20260101-000000-stale', experiment: 'hello.seqlab.json', name: 'hello', status: 'running',
      backend: 'wasm', startedAt: '2026-01-01T00:00:00.000Z', step: 3, steps: 10, pid: 999999, host: 'elsewhere',
    };
    const file = join(dir, 'summary.json');
    writeFileSync(file, JSON.stringify(summary));
    writeFileSync(join(dir, 'definition.seqlab.json'), readFileSync(wsUri('hello.seqlab.json').fsPath, 'utf8'));
    await vscode.commands.executeCommand('seqlab.refresh');
    a.runs.recoverInterrupted();
    const ref = { runId: summary.id, definition: wsUri('hello.seqlab.json') };
    assert.equal(await vscode.commands.executeCommand('seqlab.markRunInterrupted', { ...ref, confirm: false }), undefined);
    assert.deepEqual(await vscode.commands.executeCommand('seqlab.deleteRun', { ...ref, confirm: false }), []);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).status, 'running', 'summary.json untouched');
    assert.ok(existsSync(dir), 'the run is not deleted');
  });
});

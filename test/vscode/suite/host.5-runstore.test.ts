// The run store as the tree sees it: corrupt or hand-edited runs show as broken (never break the
// tree), and a run whose process died is marked interrupted with its data kept.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GroupNode, RunNode } from '../../../src/host/tree';
import { api, waitFor, wsUri } from './host-helpers';

const runsDir = () => join(wsUri().fsPath, '.seqlab', 'runs');

function makeRun(id: string, files: Record<string, string>): string {
  const dir = join(runsDir(), id);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

/** A pid that is not running on this machine. */
function deadPid(): number {
  for (let pid = 4000000; ; pid--) {
    try { process.kill(pid, 0); } catch (e) { if ((e as NodeJS.ErrnoException).code === 'ESRCH') return pid; }
  }
}

suite('host: run store in the tree', () => {
  const made: string[] = [];
  suiteTeardown(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

  test('a corrupt and a hand-edited run show as broken with the reason', async () => {
    const a = await api();
    made.push(makeRun('zz-corrupt', { 'summary.json': '{ "id": "zz-corrupt", "status": ' }));
    made.push(makeRun('zz-edited', { 'summary.json': JSON.stringify({ id: 'zz-edited', experiment: 'hello.seqlab.json', name: 'hello', status: 'finished', backend: 'wasm', startedAt: new Date().toISOString(), step: 1, steps: 2 }) }));
    await vscode.commands.executeCommand('seqlab.refresh');
    const group = await waitFor('the unreadable runs group', async () =>
      (await a.tree.getChildren()).find((n): n is GroupNode => n.kind === 'group' && n.id === 'seqlab.broken' && n.runs.length >= 2));
    const corrupt = group.runs.find((r) => r.entry.id === 'zz-corrupt')!;
    const edited = group.runs.find((r) => r.entry.id === 'zz-edited')!;
    assert.match(corrupt.entry.broken!, /not valid JSON/);
    assert.match(edited.entry.broken!, /'status' must be one of/);
    const item = a.tree.getTreeItem(corrupt);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'bracket-error');
    assert.match(String(item.description), /not valid JSON/);
    assert.equal(item.contextValue, 'run broken');
    // The rest of the tree is intact.
    const hello = (await a.tree.experiments()).find((e) => e.key === 'hello.seqlab.json');
    assert.ok(hello && !hello.error);
    // Opening a broken run shows its reason instead of failing.
    assert.ok(await vscode.commands.executeCommand('seqlab.openRun', corrupt));
  });

  test('a run cut off by a dead process is marked interrupted and keeps its data', async () => {
    const a = await api();
    const startedAt = new Date(Date.now() - 60000).toISOString();
    const metrics = [1, 2, 3].map((s) => JSON.stringify({ step: s * 5, loss: 1 / s, elapsedMs: s * 100 })).join('\n') + '\n';
    const dir = makeRun('zz-interrupted', {
      'summary.json': JSON.stringify({ format: 'seqlab-run/1', id: 'zz-interrupted', experiment: 'hello.seqlab.json', name: 'hello', status: 'running', backend: 'wasm', startedAt, updatedAt: startedAt, step: 15, steps: 200, lastLoss: 0.33, pid: deadPid(), host: hostname(), source: 'cli' }),
      'metrics.jsonl': metrics + '{"step": 20, "lo',  // torn last line of a killed writer
    });
    made.push(dir);
    const recovered = a.runs.recoverInterrupted();
    assert.deepEqual(recovered, ['zz-interrupted']);
    const onDisk = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { status: string; step: number; lastLoss: number };
    assert.equal(onDisk.status, 'interrupted');
    assert.equal(onDisk.step, 15);
    assert.equal(onDisk.lastLoss, 0.33);
    assert.ok(existsSync(join(dir, 'metrics.jsonl')));
    assert.equal(a.runs.storeFor(vscode.workspace.workspaceFolders![0])!.readMetrics('zz-interrupted').length, 3);
    const run = await waitFor('the interrupted run under hello', async () =>
      (await a.tree.experiments()).find((e) => e.key === 'hello.seqlab.json')?.runs.find((r: RunNode) => r.entry.id === 'zz-interrupted' && r.entry.summary?.status === 'interrupted'));
    const item = a.tree.getTreeItem(run);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'warning');
    assert.match(String(item.description), /0\.3300/);
    // Show Log opens the run's raw metrics (the torn line of the killed writer included).
    const log = await vscode.commands.executeCommand<vscode.Uri>('seqlab.showLog', run);
    assert.equal(log.fsPath, join(dir, 'metrics.jsonl'));
    assert.match(vscode.window.activeTextEditor!.document.getText(), /"step":15/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Recovering again changes nothing.
    assert.deepEqual(a.runs.recoverInterrupted(), []);
  });

  test('a stale lock (a run left running on another machine) is cleared by Mark Run as Interrupted', async () => {
    const a = await api();
    const startedAt = new Date(Date.now() - 60000).toISOString();
    const dir = makeRun('zz-stale-lock', {
      'summary.json': JSON.stringify({ format: 'seqlab-run/1', id: 'zz-stale-lock', experiment: 'hello.seqlab.json', name: 'hello', status: 'running', backend: 'wasm', startedAt, updatedAt: startedAt, step: 4, steps: 200, pid: 12345, host: 'another-machine', source: 'cli' }),
    });
    made.push(dir);
    await vscode.commands.executeCommand('seqlab.refresh');
    const run = await waitFor('the locked run under hello', async () =>
      (await a.tree.experiments()).find((e) => e.key === 'hello.seqlab.json')?.runs.find((r: RunNode) => r.entry.id === 'zz-stale-lock' && r.entry.summary?.status === 'running'));
    assert.match(String(a.tree.getTreeItem(run).contextValue), /\brunning\b/, 'the tree offers the command on it');
    const s = await vscode.commands.executeCommand<{ status: string }>('seqlab.markRunInterrupted', { runId: 'zz-stale-lock', definition: wsUri('hello.seqlab.json'), confirm: false });
    assert.equal(s.status, 'interrupted');
    const onDisk = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { status: string; step: number; pid?: number };
    assert.equal(onDisk.status, 'interrupted');
    assert.equal(onDisk.step, 4);
    assert.equal(onDisk.pid, undefined);
  });
});

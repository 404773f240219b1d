// Resume Training (a stopped run continues from its checkpoint, same run) and Train from These
// Weights (a new run starting from a run's weights), from the experiment tree's run nodes.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../src/node/runStore';
import { api, cli, closeEditors, remove, waitFor, writeText, wsUri, helloRunNode } from './host-helpers';

suite('host: resume and warm start', () => {
  suiteTeardown(async () => { await closeEditors(); });

  test('a stopped run is resumable in the tree; Resume Training continues the same run from its checkpoint', async () => {
    const a = await api();
    const def = wsUri('hello.seqlab.json');
    const first = vscode.commands.executeCommand<RunSummary>('seqlab.trainInBackground', def, { quiet: true, steps: 100000 });
    await waitFor('the training to start', () => a.trainingStatus.isActive(def));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await vscode.commands.executeCommand('seqlab.stop', def), true);
    const stopped = await first;
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.checkpointStep, stopped.step, 'stopping checkpoints at the step it stopped');
    const node = await helloRunNode(a, stopped.id, 'stopped');
    assert.match(String(a.tree.getTreeItem(node).contextValue), /\bresumable\b/);

    const resumed = vscode.commands.executeCommand<RunSummary>('seqlab.resumeRun', node);
    await waitFor('the resumed training to pass its checkpoint', () => {
      const s = JSON.parse(readFileSync(join(wsUri().fsPath, '.seqlab', 'runs', stopped.id, 'summary.json'), 'utf8')) as RunSummary;
      return s.status === 'running' && s.step > stopped.step;
    }, 30000);
    assert.equal(await vscode.commands.executeCommand('seqlab.stop', def), true);
    const again = await resumed;
    assert.equal(again.id, stopped.id, 'the same run continues');
    assert.equal(again.status, 'stopped');
    assert.ok(again.step > stopped.step);
    assert.deepEqual(again.resumedAt, [stopped.step]);
    const steps = readFileSync(join(wsUri().fsPath, '.seqlab', 'runs', stopped.id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step as number);
    assert.deepEqual(steps, [...steps].sort((x, y) => x - y), 'one metrics file, in step order');
    assert.equal(new Set(steps).size, steps.length, 'no step logged twice');
  });

  test('Train from These Weights starts a new run from a run\'s weights; a completed run is not resumable', async () => {
    const a = await api();
    const def = wsUri('hello.seqlab.json');
    const base = await vscode.commands.executeCommand<RunSummary>('seqlab.trainInBackground', def, { quiet: true, steps: 150 });
    assert.equal(base.status, 'completed');
    const node = await helloRunNode(a, base.id, 'completed');
    assert.doesNotMatch(String(a.tree.getTreeItem(node).contextValue), /\bresumable\b/);
    assert.match(String(a.tree.getTreeItem(node).contextValue), /\bweights\b/);
    const warm = await vscode.commands.executeCommand<RunSummary>('seqlab.trainFromWeights', { runId: base.id, definition: def, quiet: true, steps: 5 });
    assert.ok(warm, 'the command returns the new run');
    assert.notEqual(warm.id, base.id);
    assert.equal(warm.status, 'completed');
    assert.equal(warm.initFrom, `run ${base.id}`);
    const rows = readFileSync(join(wsUri().fsPath, '.seqlab', 'runs', warm.id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { loss: number });
    assert.ok(rows[0]!.loss < 0.1, `the new run starts from trained weights (first loss ${rows[0]!.loss})`);
    // a completed run cannot be resumed: nothing happens, no run is written
    const before = (await a.tree.experiments()).find((e) => e.key === 'hello.seqlab.json')!.runs.length;
    assert.equal(await vscode.commands.executeCommand('seqlab.resumeRun', { runId: base.id, definition: def, quiet: true }), undefined);
    assert.equal((await a.tree.experiments()).find((e) => e.key === 'hello.seqlab.json')!.runs.length, before);
  });

  test('epochs, validation and early stopping: Train in Background gives the CLI\'s metric rows', async () => {
    const def = wsUri('es.seqlab.json');
    await writeText(def, JSON.stringify({
      name: 'es', data: { task: 'parity', samples: 48, length: 5, validation: 0.25 }, layers: [{ cell: 'gru', units: 5 }],
      training: { batchSize: 6, epochs: 3, logEvery: 2, evalEvery: 4, earlyStopping: { patience: 2, minDelta: 10 } },
    }));
    // the same backend in both (the setting's default 'auto' measures, and may pick cpu)
    const cfg = vscode.workspace.getConfiguration('seqlab');
    await cfg.update('preferredBackend', 'wasm', vscode.ConfigurationTarget.Workspace);
    try {
      const lines = cli(['train', 'es.seqlab.json', '--json', '--backend', 'wasm']).trim().split('\n').map((l) => JSON.parse(l));
      const cliEnd = lines[lines.length - 1] as RunSummary;
      const strip = (rows: { step: number; elapsedMs?: number }[]) => rows.map(({ elapsedMs: _e, ...r }) => r);
      const bg = await vscode.commands.executeCommand<RunSummary>('seqlab.trainInBackground', def, { quiet: true });
      assert.ok(bg);
      const rows = (id: string) => readFileSync(join(wsUri().fsPath, '.seqlab', 'runs', id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; validLoss?: number; elapsedMs?: number });
      assert.deepEqual(rows(bg.id).map((r) => r.step), [2, 4, 6, 8, 10, 12]);
      assert.deepEqual(rows(bg.id).filter((r) => r.validLoss !== undefined).map((r) => r.step), [4, 8, 12]);
      assert.deepEqual(strip(rows(bg.id)), strip(rows(cliEnd.id)));
      assert.deepEqual([bg.status, bg.steps, bg.bestStep, bg.earlyStoppedAt], ['completed', 18, 4, 12]);
      assert.deepEqual([cliEnd.bestStep, cliEnd.earlyStoppedAt], [4, 12]);
    } finally {
      await cfg.update('preferredBackend', undefined, vscode.ConfigurationTarget.Workspace);
      await remove(def);
    }
  });
});

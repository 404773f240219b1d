// The training status service the panel and background training share: one run per experiment,
// Stop reaches whoever trains, and the CodeLens follows it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, waitFor, wsUri } from './host-helpers';

suite('host: training status', () => {
  test('begin/report/end, one run per experiment, Stop calls cancel', async () => {
    const a = await api();
    const def = wsUri('parity.seqlab.json');
    let cancelled = 0;
    const h = a.trainingStatus.begin({ experiment: def.toString(), backend: 'webgpu', cancel: () => { cancelled++; }, steps: 100, notify: false });
    try {
      assert.equal(a.trainingStatus.isActive(def), true);
      assert.throws(() => a.trainingStatus.begin({ experiment: def, backend: 'wasm', cancel: () => undefined }), /already training/);
      h.report(10, 0.5);
      await vscode.workspace.openTextDocument(def);
      const lenses = await waitFor('the Stop lens', async () => {
        const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', def);
        return l[0]?.command?.command === 'seqlab.stop' ? l : undefined;
      });
      assert.equal((lenses[0].command!.arguments![0] as vscode.Uri).toString(), def.toString());
      assert.equal(await vscode.commands.executeCommand('seqlab.stop', def), true);
      assert.equal(cancelled, 1);
      assert.equal(h.stopRequested, true);
      // A second stop request does not cancel twice.
      await vscode.commands.executeCommand('seqlab.stop', def);
      assert.equal(cancelled, 1);
    } finally {
      h.end();
    }
    assert.equal(a.trainingStatus.isActive(def), false);
    h.end(); // idempotent
    assert.equal(await vscode.commands.executeCommand('seqlab.stop', def), false, 'nothing to stop any more');
  });

  test('Train Experiment runs in the background when seqlab.trainIn is "background"', async () => {
    const a = await api();
    const cfg = vscode.workspace.getConfiguration('seqlab');
    await cfg.update('trainIn', 'background', vscode.ConfigurationTarget.Workspace);
    try {
      const def = wsUri('char-gru.seqlab.json');
      const before = a.runs.all().length;
      const pending = vscode.commands.executeCommand<{ status: string } | undefined>('seqlab.train', def);
      await waitFor('the background training to start', () => a.trainingStatus.isActive(def));
      assert.equal(a.trainingStatus.notifies(def), true, 'background training shows a cancellable progress notification');
      await vscode.commands.executeCommand('seqlab.stop');  // no argument: the only active run
      const s = await pending;
      assert.equal(s?.status, 'stopped');
      assert.equal(a.runs.all().length, before + 1);
    } finally {
      await cfg.update('trainIn', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('keeps only seqlab.runsKeptPerExperiment finished runs of an experiment', async () => {
    const a = await api();
    const cfg = vscode.workspace.getConfiguration('seqlab');
    await cfg.update('runsKeptPerExperiment', 2, vscode.ConfigurationTarget.Workspace);
    try {
      const def = wsUri('spell.seqlab.json');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const s = await vscode.commands.executeCommand<{ id: string; status: string }>('seqlab.trainInBackground', def, { quiet: true, steps: 2 });
        assert.equal(s.status, 'completed');
        ids.push(s.id);
      }
      const left = a.runs.all().filter((r) => r.entry.summary?.experiment === 'spell.seqlab.json').map((r) => r.entry.id).sort();
      assert.deepEqual(left, ids.slice(1).sort(), 'the oldest run was deleted, the two newest kept');
    } finally {
      await cfg.update('runsKeptPerExperiment', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('Open an Example copies the example into the workspace once and opens it', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('seqlab.openExample', { example: 'hello' });
    assert.equal(uri.toString(), wsUri('hello.seqlab.json').toString(), 'the existing copy is reused, not overwritten');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

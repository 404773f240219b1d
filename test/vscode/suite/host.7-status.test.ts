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
      await vscode.commands.executeCommand('seqlab.stop');  // no argument: the only active run
      const s = await pending;
      assert.equal(s?.status, 'stopped');
      assert.equal(a.runs.all().length, before + 1);
    } finally {
      await cfg.update('trainIn', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});

// Sweeps in VS Code: Run Sweep trains the trials in the background, the tree shows the sweep with its
// trials, Show Sweep Results ranks them; the CodeLens offers Run Sweep above the sweep section.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SweepOutcome } from '../../../src/node/sweepRun';
import type { SweepNode } from '../../../src/host/tree';
import { api, closeEditors, remove, waitFor, writeText, wsUri } from './host-helpers';

const TINY = `{
  "name": "tiny-sweep",
  "data": { "task": "adding", "length": 8, "samples": 96, "seed": 1 },
  "layers": [ { "cell": "rnn", "units": 4 } ],
  "training": { "steps": 6, "batchSize": 16, "evalEvery": 3 },
  "sweep": {
    "parameters": {
      "layers[0].cell": ["rnn", "gru"]
    }
  }
}
`;

suite('host: sweeps', () => {
  const def = wsUri('tiny-sweep.seqlab.json');
  suiteTeardown(async () => { await closeEditors(); await remove(def); });

  test('Run Sweep trains every trial, the tree shows the sweep with its trials, and the results are ranked', async () => {
    const a = await api();
    await writeText(def, TINY);
    // the CodeLens above "sweep"
    const doc = await vscode.workspace.openTextDocument(def);
    const lenses = await waitFor('the Run Sweep lens', async () =>
      (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', def))?.find((l) => l.command?.command === 'seqlab.runSweep'));
    assert.equal(lenses.range.start.line, doc.getText().split('\n').findIndex((l) => l.includes('"sweep"')));

    const outcome = await vscode.commands.executeCommand<SweepOutcome>('seqlab.runSweep', { uri: def, quiet: true });
    assert.ok(outcome, 'the command returns the outcome');
    assert.deepEqual(outcome.results.map((r) => [r.trial, r.status]), [[1, 'completed'], [2, 'completed']]);
    assert.deepEqual(outcome.results.map((r) => r.overrides[0].value), ['rnn', 'gru']);

    const sweep = await waitFor('the sweep in the tree with its two trials', async () => {
      const e = (await a.tree.experiments()).find((x) => x.key === 'tiny-sweep.seqlab.json');
      return e?.sweeps.find((g) => g.id === outcome.id && g.runs.length === 2);
    }) as SweepNode;
    const exp = sweep.experiment;
    assert.equal(exp.runs.length, 0, 'trials are under their sweep, not loose under the experiment');
    assert.deepEqual((a.tree.getChildren(exp) as unknown[])[0], sweep);
    const item = a.tree.getTreeItem(sweep);
    assert.match(String(item.contextValue), /\bsweep\b/);
    assert.match(String(item.description), /2\/2/);
    const trials = a.tree.getChildren(sweep) as { kind: string }[];
    assert.deepEqual(trials.map((t) => a.tree.getTreeItem(t as never).label), ['#1 layers[0].cell = "rnn"', '#2 layers[0].cell = "gru"']);
    assert.equal(a.tree.getParent(trials[0] as never), sweep);

    const md = await vscode.commands.executeCommand<string>('seqlab.showSweep', sweep);
    assert.ok(md);
    assert.match(md, /^# (Sweep of|.*스윕)/);
    assert.match(md, /\| # \| [^|]+ \| `layers\[0\]\.cell` \|/);
    const rows = md.split('\n').filter((l) => /^\| [12] \| [12] \| (rnn|gru) \|/.test(l));
    assert.equal(rows.length, 2, md);
    const losses = rows.map((r) => Number(r.split('|')[4]));
    assert.ok(losses[0] <= losses[1], `ranked by validation loss: ${losses}`);
    assert.match(md, /data:image\/svg\+xml;base64,/, 'the trials\' curves are overlaid');
  });

  test('Overlay Runs of Any Experiment: runs of another experiment go to the panel, labelled experiment / run', async () => {
    const a = await api();
    const sweep = (await a.tree.sweeps()).find((g) => g.experiment.key === 'tiny-sweep.seqlab.json');
    assert.ok(sweep, 'the sweep of the first test');
    const ids = sweep.runs.map((r) => r.entry.id);
    const hello = wsUri('hello.seqlab.json');
    const labels = await vscode.commands.executeCommand<string[]>('seqlab.overlayRuns', { uri: hello, runIds: ids });
    assert.deepEqual(labels, ids.map((id) => `tiny-sweep / ${id}`));
    assert.ok(a.panels?.has(hello), 'the panel of hello is open');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Run Sweep on a definition without a sweep trains nothing', async () => {
    const res = await vscode.commands.executeCommand('seqlab.runSweep', { uri: wsUri('hello.seqlab.json'), quiet: true });
    assert.equal(res, undefined);
  });
});

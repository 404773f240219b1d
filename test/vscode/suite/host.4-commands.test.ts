// Commands: New Experiment, background training, export/import of PyTorch weights, compare, delete.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../src/node/runStore';
import { api, cli, closeEditors, readText, remove, waitFor, writeText, wsUri } from './host-helpers';

type StateDict = Record<string, { shape: number[]; data: number[] }>;

suite('host: commands', () => {
  let trained: RunSummary | undefined;

  suiteTeardown(async () => { await closeEditors(); });

  test('New Experiment writes a valid definition from a template and opens it', async () => {
    const a = await api();
    const uri = await vscode.commands.executeCommand<vscode.Uri>('seqlab.newExperiment', { template: 'hello', name: 'my-first-rnn' });
    try {
      assert.ok(uri, 'the command returns the new file');
      assert.equal(uri.toString(), wsUri('my-first-rnn.seqlab.json').toString());
      const text = await readText(uri);
      assert.match(text, /"name": "my-first-rnn"/);
      assert.match(text, /^\/\/ The classic first RNN/, 'comments of the template are kept');
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString(), 'the new file is open');
      const res = await vscode.commands.executeCommand<{ ok: boolean }>('seqlab.validate', uri);
      assert.equal(res.ok, true);
      await waitFor('no problems for the new file', () => vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length === 0);
      await waitFor('the new experiment in the tree', async () => (await a.tree.experiments()).find((e) => e.key === 'my-first-rnn.seqlab.json'));
      // A second one with the same name is refused rather than overwritten.
      const again = await vscode.commands.executeCommand('seqlab.newExperiment', { template: 'hello', name: 'my-first-rnn' });
      assert.equal(again, undefined);
    } finally {
      await closeEditors();
      if (uri) await remove(uri);
    }
  });

  test('New Experiment from the text template copies its data file', async () => {
    await remove(wsUri('sub'));
    const uri = await vscode.commands.executeCommand<vscode.Uri>('seqlab.newExperiment', { template: 'char-gru', name: 'shakespeare' });
    try {
      const text = await readText(uri);
      const file = /"file":\s*"([^"]+)"/.exec(text)?.[1];
      assert.ok(file, 'the text template names a data file');
      assert.ok(existsSync(join(vscode.Uri.joinPath(uri, '..').fsPath, file)), `${file} exists next to the new definition`);
      const res = await vscode.commands.executeCommand<{ ok: boolean; dataError?: string }>('seqlab.validate', uri);
      assert.equal(res.ok, true, res.dataError);
    } finally {
      await closeEditors();
      await remove(uri);
    }
  });

  test('Train in Background trains hello to completion and records the run', async () => {
    const a = await api();
    const def = wsUri('hello.seqlab.json');
    const seen: number[] = [];
    const sub = a.trainingStatus.onDidChange((u) => { if (u.toString() === def.toString()) seen.push(a.trainingStatus.isActive(def) ? 1 : 0); });
    try {
      trained = await vscode.commands.executeCommand<RunSummary>('seqlab.trainInBackground', def, { quiet: true });
    } finally { sub.dispose(); }
    assert.ok(trained, 'the command returns the run summary');
    assert.equal(trained.status, 'completed');
    assert.equal(trained.experiment, 'hello.seqlab.json');
    assert.equal(trained.step, 200);
    assert.ok(trained.finalLoss !== undefined && trained.finalLoss < 0.1, `hello learns (final loss ${trained.finalLoss})`);
    assert.deepEqual(seen, [1, 0], 'the training status began and ended');
    assert.equal(a.trainingStatus.isActive(def), false);
    const dir = join(wsUri().fsPath, '.seqlab', 'runs', trained.id);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
    assert.equal(summary.status, 'completed');
    assert.equal(summary.source, 'host');
    assert.ok(existsSync(join(dir, 'weights.json')));
    assert.ok(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').length >= 10);
    await waitFor('the run in the tree', async () =>
      (await a.tree.experiments()).find((e) => e.key === 'hello.seqlab.json')?.runs.some((r) => r.entry.id === trained!.id));
  });

  test('Stop Training stops a background run, which is kept as stopped', async () => {
    const a = await api();
    const def = wsUri('hello.seqlab.json');
    const pending = vscode.commands.executeCommand<RunSummary>('seqlab.trainInBackground', def, { quiet: true, steps: 100000 });
    await waitFor('the training to start', () => a.trainingStatus.isActive(def));
    // Only one active run per experiment.
    assert.equal(await vscode.commands.executeCommand('seqlab.trainInBackground', def, { quiet: true }), undefined);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await vscode.commands.executeCommand('seqlab.stop', def), true);
    const s = await pending;
    assert.equal(s.status, 'stopped');
    assert.ok(s.step > 0 && s.step < 100000);
    assert.equal(a.trainingStatus.isActive(def), false);
  });

  test('Export Weights writes the PyTorch state_dict and Import loads it back as a new run', async () => {
    assert.ok(trained, 'needs the background run');
    const a = await api();
    const out = wsUri('exported.state_dict.json');
    try {
      const written = await vscode.commands.executeCommand<vscode.Uri>('seqlab.exportWeights', { runId: trained.id, quiet: true }, out);
      assert.equal(written.toString(), out.toString());
      const sd = JSON.parse(await readText(out)) as StateDict;
      assert.deepEqual(Object.keys(sd).sort(), ['head.bias', 'head.weight', 'rnn.bias_hh_l0', 'rnn.bias_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l0']);
      assert.deepEqual(sd['rnn.weight_hh_l0'].shape, [8, 8]);
      assert.deepEqual(sd['rnn.weight_ih_l0'].shape, [8, 4]);

      const imported = await vscode.commands.executeCommand<RunSummary>('seqlab.importWeights', { uri: wsUri('hello.seqlab.json'), quiet: true }, out);
      assert.ok(imported, 'the import returns the new run');
      assert.equal(imported.status, 'completed');
      assert.match(imported.message ?? '', /^Imported from .*exported\.state_dict\.json\.$/);
      assert.equal(imported.source, 'import');
      assert.ok(imported.finalLoss !== undefined && Math.abs(imported.finalLoss - trained.finalLoss!) < 0.05,
        `the imported weights evaluate like the trained ones (${imported.finalLoss} vs ${trained.finalLoss})`);
      const store = a.runs.storeFor(vscode.workspace.workspaceFolders![0])!;
      const back = store.readWeights(imported.id)!;
      for (const [k, v] of Object.entries(sd)) {
        assert.deepEqual(back[k].shape, v.shape);
        assert.ok(back[k].data.every((x, i) => Math.abs(x - v.data[i]) < 1e-6), `${k} round-trips`);
      }
      await waitFor('the imported run in the tree', async () =>
        (await a.tree.experiments()).find((e) => e.key === 'hello.seqlab.json')?.runs.some((r) => r.entry.id === imported.id));

      // Weights of another model are refused with a clear error, and no run is recorded.
      const before = store.list().length;
      const bad = { ...sd, 'rnn.weight_hh_l0': { shape: [4, 4], data: new Array(16).fill(0) } };
      await writeText(out, JSON.stringify(bad));
      assert.equal(await vscode.commands.executeCommand('seqlab.importWeights', { uri: wsUri('hello.seqlab.json'), quiet: true }, out), undefined);
      assert.equal(store.list().length, before);
    } finally {
      await remove(out);
    }
  });

  test('Export as PyTorch Project writes a project from a run (its weights) and from a definition (its seed\'s weights)', async () => {
    assert.ok(trained, 'needs the background run');
    const a = await api();
    const fromRun = wsUri('hello-run-pytorch');
    const fromDef = wsUri('hello-pytorch');
    try {
      const written = await vscode.commands.executeCommand<vscode.Uri>('seqlab.exportPytorch', { runId: trained.id, quiet: true }, fromRun);
      assert.equal(written.toString(), fromRun.toString());
      const store = a.runs.storeFor(vscode.workspace.workspaceFolders![0])!;
      const start = JSON.parse(await readText(vscode.Uri.joinPath(fromRun, 'initial_weights.json'))).state_dict;
      assert.deepEqual(start, store.readWeights(trained.id));
      assert.match(await readText(vscode.Uri.joinPath(fromRun, 'model.py')), /def build_model\(\):/);
      assert.match(await readText(vscode.Uri.joinPath(fromRun, 'README.md')), new RegExp(`weights of run ${trained.id}`));

      await vscode.commands.executeCommand('seqlab.exportPytorch', { uri: wsUri('hello.seqlab.json'), quiet: true }, fromDef);
      assert.match(await readText(vscode.Uri.joinPath(fromDef, 'README.md')), /initial weights Sequence Lab draws for training\.seed 42/);
      const data = JSON.parse(await readText(vscode.Uri.joinPath(fromDef, 'data.json')));
      assert.deepEqual(data.input.vocab, ['h', 'e', 'l', 'o']);
    } finally {
      await remove(fromRun);
      await remove(fromDef);
    }
  });

  test('Compare Runs tabulates losses and the definition differences', async () => {
    const a = await api();
    // A second experiment that differs from hello in two settings, trained briefly by the CLI.
    const other = wsUri('compare-b.seqlab.json');
    const hello = await readText(wsUri('hello.seqlab.json'));
    await writeText(other, hello.replace('"name": "hello"', '"name": "compare-b"').replace('"units": 8', '"units": 16').replace('"learningRate": 0.05', '"learningRate": 0.01'));
    try {
      cli(['train', 'compare-b.seqlab.json', '--steps', '5']);
      const b = await waitFor('the compare-b run in the tree', async () => (await a.tree.experiments()).find((e) => e.key === 'compare-b.seqlab.json' && e.runs.length));
      const h = (await a.tree.experiments()).find((e) => e.key === 'hello.seqlab.json')!;
      const runs = [h.runs[0], b.runs[0]];
      const md = await vscode.commands.executeCommand<string>('seqlab.compareRuns', runs[0], runs);
      assert.ok(md, 'the comparison is returned');
      // runs of two experiments: each is named 'experiment / run'
      for (const r of runs) assert.ok(md.includes(`| ${r.entry.summary!.experiment.replace('.seqlab.json', '')} / ${r.entry.id} |`), `${r.entry.id} is a row`);
      assert.match(md, /!\[[^\]]+\]\(data:image\/svg\+xml;base64,/, 'the curves are overlaid');
      assert.match(md, /\| (Final loss|최종 손실) \|/);
      assert.match(md, /\| `layers\[0\]\.units` \| 8 \| 16 \|/);
      assert.match(md, /\| `training\.learningRate` \| 0\.05 \| 0\.01 \|/);
      assert.doesNotMatch(md, /`data\.task`/, 'settings that agree are not listed');
    } finally {
      await closeEditors();
      await remove(other);
    }
  });

  test('Delete Run removes a run from disk and from the tree', async () => {
    const a = await api();
    const hello = (await a.tree.experiments()).find((e) => e.key === 'hello.seqlab.json')!;
    const victim = hello.runs.find((r) => r.entry.summary?.status === 'stopped');
    assert.ok(victim, 'the stopped run from the earlier test');
    const ids = await vscode.commands.executeCommand<string[]>('seqlab.deleteRun', { runId: victim.entry.id, confirm: false });
    assert.deepEqual(ids, [victim.entry.id]);
    assert.equal(existsSync(victim.entry.dir), false);
    await waitFor('the run to leave the tree', async () =>
      !(await a.tree.experiments()).find((e) => e.key === 'hello.seqlab.json')!.runs.some((r) => r.entry.id === victim.entry.id));
  });
});

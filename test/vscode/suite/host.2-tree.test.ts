// The Experiments tree: lists the workspace's definitions and their runs, and follows the file system.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExperimentNode, RunNode } from '../../../src/host/tree';
import { api, cli, readText, remove, waitFor, workspaceFolder, writeText, wsUri } from './host-helpers';

const keysOf = (nodes: ExperimentNode[]) => nodes.map((n) => n.key).sort();

suite('host: experiment tree', () => {
  test('shows every example definition in the workspace', async () => {
    const a = await api();
    const files = await vscode.workspace.findFiles('**/*.seqlab.json', '**/{node_modules,.seqlab}/**');
    assert.ok(files.length >= 5, `the test workspace has the examples (found ${files.length})`);
    const expected = files.map((f) => vscode.workspace.asRelativePath(f, false)).sort();
    const exps = await waitFor('the tree to list the examples', async () => {
      const e = await a.tree.experiments();
      return e.length === expected.length ? e : undefined;
    });
    assert.deepEqual(keysOf(exps), expected);
    const hello = exps.find((e) => e.key === 'hello.seqlab.json')!;
    assert.equal(hello.name, 'hello');
    assert.equal(hello.error, undefined, 'hello is valid');
    const item = a.tree.getTreeItem(hello);
    assert.equal(item.label, 'hello');
    assert.match(String(item.contextValue), /\bexperiment\b/);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'beaker');
  });

  test('follows a definition being created, broken, and deleted', async () => {
    const a = await api();
    const uri = wsUri('nested', 'tree-new.seqlab.json');
    const hello = await readText(wsUri('hello.seqlab.json'));
    await writeText(uri, hello.replace('"name": "hello"', '"name": "tree-new"'));
    try {
      const created = await waitFor('the new definition in the tree', async () =>
        (await a.tree.experiments()).find((e) => e.key === 'nested/tree-new.seqlab.json'));
      assert.equal(created.name, 'tree-new');
      assert.equal(created.error, undefined);

      // Break it: the node shows an error icon and the reason (with line:column) in its tooltip.
      await writeText(uri, '{\n  "name": "tree-new",\n  "data": { "task": "hello" },\n  "layers": [ { "cell": "lstm" } ]\n}\n');
      const broken = await waitFor('the definition to show as broken', async () =>
        (await a.tree.experiments()).find((e) => e.key === 'nested/tree-new.seqlab.json' && e.error));
      assert.match(broken.error!, /^4:\d+ .*units/);
      const item = a.tree.getTreeItem(broken);
      assert.equal((item.iconPath as vscode.ThemeIcon).id, 'error');
      assert.match(String(item.contextValue), /\binvalid\b/);
      assert.match((item.tooltip as vscode.MarkdownString).value, /units/);
    } finally {
      await remove(uri);
    }
    await waitFor('the deleted definition to leave the tree', async () =>
      !(await a.tree.experiments()).some((e) => e.key === 'nested/tree-new.seqlab.json'));
    await remove(wsUri('nested'));
  });

  test('runs made by the CLI appear under their experiment with status, loss and time', async () => {
    const a = await api();
    const before = (await a.tree.experiments()).find((e) => e.key === 'hello.seqlab.json')!.runs.length;
    const out = cli(['train', 'hello.seqlab.json', '--steps', '20', '--json']);
    const lines = out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { step?: number; loss?: number });
    assert.ok(lines.some((l) => typeof l.step === 'number' && typeof l.loss === 'number'), `the CLI trained: ${out.slice(0, 300)}`);
    const start = lines.find((l) => (l as { event?: string }).event === 'start') as { run?: string; dir?: string } | undefined;
    let hello: ExperimentNode;
    try {
      hello = await waitFor('the CLI run in the tree', async () => {
        const e = (await a.tree.experiments()).find((x) => x.key === 'hello.seqlab.json');
        return e && e.runs.length > before ? e : undefined;
      }, 30000);
    } catch (e) {
      // say where the run went and what the tree holds, so a failure can be understood
      const exps = (await a.tree.experiments()).map((x) => `${x.key}: ${x.runs.map((r) => (r as RunNode).entry.id).join(', ')}`);
      throw new Error(`${(e as Error).message}\nCLI run ${start?.run} in ${start?.dir}\nworkspace ${workspaceFolder().uri.fsPath}\ntree: ${exps.join(' | ')}`);
    }
    const run = hello.runs[0] as RunNode;
    assert.equal(run.entry.summary?.status, 'completed');
    assert.equal(run.entry.summary?.step, 20);
    const item = a.tree.getTreeItem(run);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass');
    assert.match(String(item.description), /loss \d/);
    assert.match(String(item.contextValue), /\brun\b.*\bcompleted\b.*\bweights\b/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /hello\.seqlab\.json/);
    assert.equal(a.tree.getParent(run), hello);
  });
});

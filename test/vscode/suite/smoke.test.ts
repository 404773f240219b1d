// Smoke test, run inside a real VS Code extension host: the extension activates by itself in a
// workspace with *.seqlab.json files, and every command its manifest contributes is registered.
// The manifest is read from disk at test time, so the test follows package.json.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

interface Manifest {
  publisher: string;
  name: string;
  contributes?: { commands?: { command: string }[] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

suite('smoke: activation and commands', () => {
  let manifest: Manifest;
  let ext: vscode.Extension<unknown>;

  suiteSetup(() => {
    // The extension under test is the repository (extensionDevelopmentPath): find it by id.
    const found = vscode.extensions.all.find((e) => {
      const p = e.packageJSON as Partial<Manifest>;
      return p.name === 'seqlab' && p.publisher === 'seqlab';
    });
    assert.ok(found, 'extension seqlab.seqlab is not loaded in the extension host');
    ext = found;
    manifest = JSON.parse(readFileSync(join(ext.extensionPath, 'package.json'), 'utf8')) as Manifest;
  });

  test('the workspace contains *.seqlab.json files (activation precondition)', async () => {
    const files = await vscode.workspace.findFiles('**/*.seqlab.json', '**/node_modules/**');
    assert.ok(files.length > 0, `no *.seqlab.json in the test workspace ${vscode.workspace.workspaceFolders?.[0]?.uri.fsPath}`);
  });

  test('activates on its own (workspaceContains:**/*.seqlab.json) without errors', async () => {
    const deadline = Date.now() + 30000;
    while (!ext.isActive && Date.now() < deadline) await sleep(100);
    if (!ext.isActive) {
      let why: string;
      try {
        await ext.activate();
        why = 'activating it explicitly works, so the activation event did not fire';
      } catch (e) {
        why = `activate() fails: ${e instanceof Error ? e.message : String(e)}`;
      }
      assert.fail(`the extension did not activate by itself within 30 s of opening a workspace with *.seqlab.json (${why})`);
    }
  });

  test('every command in contributes.commands is registered', async () => {
    const declared = (manifest.contributes?.commands ?? []).map((c) => c.command);
    assert.ok(declared.length > 0, 'package.json contributes no commands');
    await ext.activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `declared in package.json but not registered: ${missing.join(', ')}`);
  });
});

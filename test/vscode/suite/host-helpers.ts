// Shared helpers of the host's extension tests (bundled into each *.test.ts by test/vscode/build.mjs).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SeqlabApi } from '../../../src/host/extension';

export const EXTENSION_ID = 'seqlab.seqlab';

export function extension(): vscode.Extension<SeqlabApi> {
  const ext = vscode.extensions.getExtension<SeqlabApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext;
}

export async function api(): Promise<SeqlabApi> {
  return extension().activate();
}

export function workspaceFolder(): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the tests need a workspace folder');
  return f;
}

export function wsUri(...parts: string[]): vscode.Uri {
  return vscode.Uri.joinPath(workspaceFolder().uri, ...parts);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 15000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await sleep(100);
  }
  assert.fail(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** The tree's node of run `id` of hello.seqlab.json, once the tree lists it (with `status`, when given). */
export function helloRunNode(a: SeqlabApi, id: string, status?: string, timeoutMs?: number) {
  return waitFor(`run ${id} of hello in the tree${status ? ` (${status})` : ''}`, async () =>
    (await a.tree.experiments()).find((e) => e.key === 'hello.seqlab.json')?.runs.find((r) => r.entry.id === id && (status === undefined || r.entry.summary?.status === status)), timeoutMs);
}

export async function writeText(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
}

export async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

export async function remove(uri: vscode.Uri): Promise<void> {
  try { await vscode.workspace.fs.delete(uri, { recursive: true }); } catch { /* already gone */ }
}

/**
 * Runs the bundled CLI (dist/cli.js) in the extension host's Node, as a user would from a terminal.
 * The .vsix does not ship the CLI: an unpacked package (SEQLAB_TEST_EXTENSION_DIR) uses the repository's.
 */
export function cli(args: string[]): string {
  const shipped = join(extension().extensionPath, 'dist', 'cli.js');
  // this file runs as out/test/vscode/suite/*.js
  const cliJs = existsSync(shipped) ? shipped : join(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');
  return execFileSync(process.execPath, [cliJs, ...args], {
    cwd: workspaceFolder().uri.fsPath, encoding: 'utf8', timeout: 120000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
}

/** Closes every editor (so that files read from disk are not shadowed by open documents). */
export async function closeEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Running the built CLI (dist/cli.js, `npm run build`) in a scratch workspace, for test/cli. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

export function seqlab(args: string[], cwd = ROOT, input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000, input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A fresh workspace (it has .vscode, so it is its own root) holding a copy of examples/. */
export function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'seqlab-cli-'));
  mkdirSync(join(ws, '.vscode'));
  cpSync(join(ROOT, 'examples'), join(ws, 'examples'), { recursive: true });
  return ws;
}

/**
 * How Node front ends (CLI, extension host, background trainer) let the core read a definition's
 * data: one TaskContext with the confined file reader of ./workspaceFile (realpath, inside the
 * workspace after resolution, regular files, size checked before reading) and a folder listing
 * confined the same way (classify from a folder with one file per class).
 */
import { readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { isInside } from '../core/paths';
import type { TaskContext } from '../core/tasks';
import { inspectWorkspaceFile, workspaceFileAccess } from './workspaceFile';

/**
 * Names of the regular files directly in the folder `abs` of the workspace at `root`, sorted; the
 * folder's real path must lie inside the real workspace root, and every file listed passes the
 * reader's checks (a link leading out of the workspace is not listed: reading it would be refused).
 */
export function listWorkspaceFolder(abs: string, root: string): string[] {
  let real: string;
  try {
    real = realpathSync.native(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' || code === 'ENOTDIR' ? `not found (looked for ${abs})` : `cannot read ${abs} (${(e as Error).message})`);
  }
  let realRoot = root;
  try {
    realRoot = realpathSync.native(root);
  } catch {
    // a virtual root (tests): compare as given
  }
  if (!isInside(realRoot, real)) throw new Error(`${abs} resolves through a symbolic link to ${real}, outside the workspace root ${realRoot}`);
  return readdirSync(real)
    .filter((n) => {
      const p = inspectWorkspaceFile(join(real, n), root);
      return !p || p.kind === 'too-large'; // too large: listed, so that reading it says so
    })
    .sort();
}

export function workspaceTaskContext(definitionFile: string, workspaceRoot: string, opts: Pick<TaskContext, 'onProgress' | 'memoryBudgetMB'> = {}): TaskContext {
  return {
    definitionFile,
    workspaceRoot,
    readFile: workspaceFileAccess(workspaceRoot).readFile,
    listFolder: (abs) => listWorkspaceFolder(abs, workspaceRoot),
    ...opts,
  };
}

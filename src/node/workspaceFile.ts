/**
 * The one way Node code (CLI, extension host) reads a workspace data file. The core's
 * `resolveDataPath` checks the path as a string; here the path is resolved with `realpath` (the
 * file and every folder above it), confined to the real workspace root AFTER resolution, required
 * to be a regular file, and refused by size (fstat of the opened file) before a byte is read.
 *
 * `workspaceFileAccess(root)` gives the pair the core takes injected: `inspectFile` for the
 * definition checker (validate, editor) and `readFile` for the task generators (train), so both
 * refuse the same files with the same words.
 */
import { closeSync, fstatSync, openSync, readFileSync, realpathSync, statSync, constants } from 'node:fs';
import { decodeText } from '../core/bom';
import { FileRefusedError, MAX_DATA_FILE_BYTES, formatBytes, isInside, type FileProblem } from '../core/paths';

/** The real path of `p`, or the path itself when it does not exist (a workspace root may be virtual in tests). */
function real(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return p;
  }
}

/** What stops `abs` from being read as a data file of the workspace at `root`; undefined when nothing. */
export function inspectWorkspaceFile(abs: string, root: string, limit = MAX_DATA_FILE_BYTES): FileProblem | undefined {
  return resolveWorkspaceFile(abs, root, limit).problem;
}

function resolveWorkspaceFile(abs: string, root: string, limit: number): { path: string; problem?: FileProblem } {
  let resolved: string;
  try {
    resolved = realpathSync.native(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path: abs, problem: { kind: 'not-found', message: `not found (looked for ${abs})` } };
    if (code === 'ELOOP') return { path: abs, problem: { kind: 'unreadable', message: `${abs} is a loop of symbolic links` } };
    return { path: abs, problem: { kind: 'unreadable', message: `cannot read ${abs} (${(e as Error).message})` } };
  }
  const realRoot = real(root);
  if (!isInside(realRoot, resolved)) {
    return {
      path: resolved,
      problem: { kind: 'outside', message: `${abs} resolves through a symbolic link to ${resolved}, outside the workspace root ${realRoot}` },
    };
  }
  let st;
  try {
    st = statSync(resolved);
  } catch (e) {
    return { path: resolved, problem: { kind: 'unreadable', message: `cannot read ${abs} (${(e as Error).message})` } };
  }
  if (!st.isFile()) return { path: resolved, problem: { kind: 'not-a-file', message: `${abs} is not a regular file (${st.isDirectory() ? 'a folder' : 'a device, pipe or socket'})` } };
  if (st.size > limit) return { path: resolved, problem: tooLarge(abs, st.size, limit) };
  return { path: resolved };
}

function tooLarge(abs: string, size: number, limit: number): FileProblem {
  return { kind: 'too-large', size, limit, message: `${abs} is ${formatBytes(size)}, over the ${formatBytes(limit)} limit` };
}

/**
 * Read a data file of the workspace as UTF-8 text without a BOM (decodeText). Throws FileRefusedError (with the
 * problem) for a file outside the workspace once links are resolved, not a regular file, or too large.
 */
export function readWorkspaceFile(abs: string, root: string, limit = MAX_DATA_FILE_BYTES): string {
  return decodeText(readWorkspaceFileBytes(abs, root, limit));
}

/**
 * The bytes of a data file of the workspace, confined and refused as readWorkspaceFile says, in an
 * ArrayBuffer of their own (the panel transfers it to its worker, which decodes it).
 */
export function readWorkspaceFileBytes(abs: string, root: string, limit = MAX_DATA_FILE_BYTES): ArrayBuffer {
  const r = resolveWorkspaceFile(abs, root, limit);
  if (r.problem) throw new FileRefusedError(r.problem);
  // Open the resolved path without following a link swapped in since, and check what was opened.
  const fd = openSync(r.path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileRefusedError({ kind: 'not-a-file', message: `${abs} is not a regular file` });
    if (st.size > limit) throw new FileRefusedError(tooLarge(abs, st.size, limit));
    const b = readFileSync(fd);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  } finally {
    closeSync(fd);
  }
}

/** The file access the core takes injected, confined to the workspace at `root`. */
export function workspaceFileAccess(root: string): { inspectFile(abs: string): FileProblem | undefined; readFile(abs: string): string } {
  return {
    inspectFile: (abs) => inspectWorkspaceFile(abs, root),
    readFile: (abs) => readWorkspaceFile(abs, root),
  };
}

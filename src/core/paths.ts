/**
 * Path arithmetic without `node:path`, so that the core stays platform-neutral. Paths from the DSL
 * are resolved against the definition's folder and must stay inside the workspace root.
 */

/** Normalise separators to '/', resolve '.' and '..'. Keeps a leading '/' or a drive letter. */
export function normalizePath(p: string): string {
  const s = p.replace(/\\/g, '/');
  const m = /^([a-zA-Z]:)?(\/)?/.exec(s)!;
  const prefix = (m[1] ?? '') + (m[2] ?? '');
  const parts: string[] = [];
  for (const part of s.slice(m[0].length).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else if (!prefix) parts.push('..');
      // '..' above the root of an absolute path stays at the root
    } else parts.push(part);
  }
  return prefix + parts.join('/');
}

export function isAbsolutePath(p: string): boolean {
  return /^([a-zA-Z]:)?[\\/]/.test(p);
}

export function dirnameOf(p: string): string {
  const n = normalizePath(p);
  const i = n.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  if (/^[a-zA-Z]:$/.test(n.slice(0, i))) return n.slice(0, i + 1);
  return n.slice(0, i);
}

export function joinPath(base: string, rel: string): string {
  return isAbsolutePath(rel) ? normalizePath(rel) : normalizePath(base + '/' + rel);
}

/** True when `child` is `root` or lies below it (compared after normalisation). */
export function isInside(root: string, child: string): boolean {
  const r = normalizePath(root).replace(/\/$/, '');
  const c = normalizePath(child);
  const win = /^[a-zA-Z]:/.test(r);
  const [rr, cc] = win ? [r.toLowerCase(), c.toLowerCase()] : [r, c];
  return cc === rr || cc.startsWith(rr + '/');
}

/**
 * Resolve a DSL data path (relative to the definition file) and check it stays inside the
 * workspace. Returns the absolute path, or an error message saying why it was refused.
 */
export function resolveDataPath(
  definitionFile: string,
  rel: string,
  workspaceRoot: string,
): { path: string } | { error: string; outside: string } {
  const abs = joinPath(dirnameOf(definitionFile), rel);
  if (!isInside(workspaceRoot, abs)) {
    return { error: `'${rel}' resolves to ${abs}, outside the workspace root ${normalizePath(workspaceRoot)}`, outside: abs };
  }
  return { path: abs };
}

/**
 * Why a workspace file cannot be used, as the platform's file reader found it after resolving
 * symbolic links (the string-level check above cannot see them): missing, outside the workspace
 * once resolved, not a regular file, or larger than the limit.
 */
export type FileProblemKind = 'not-found' | 'outside' | 'not-a-file' | 'too-large' | 'unreadable';

export interface FileProblem {
  kind: FileProblemKind;
  /** What is wrong, naming the path (and for 'too-large' the size and the limit). */
  message: string;
  /** For 'too-large': the file's size and the limit, in bytes. */
  size?: number;
  limit?: number;
}

/** Thrown by injected file readers: the core turns it into a located error with a remedy. */
export class FileRefusedError extends Error {
  constructor(readonly problem: FileProblem) {
    super(problem.message);
    this.name = 'FileRefusedError';
  }
}

/** Largest data file (bytes) a task reads: checked from the file's size before it is read. */
export const MAX_DATA_FILE_BYTES = 8 * 1024 * 1024;

/** 8.0 MB, 512 KB, 12 bytes. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${n} bytes`;
}

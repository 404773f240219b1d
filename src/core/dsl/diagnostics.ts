/** Diagnostics reported by the DSL parser, with positions both as offsets and as line/column. */
import type { FileProblem } from '../paths';
import { formatPath } from './messages';

export type Severity = 'error' | 'warning' | 'info';
export type JsonPath = (string | number)[];

export interface Fix {
  /** What the fix does, e.g. `Change to 'units'`. */
  title: string;
  /** Replaces the text [offset, offset + length) of the diagnostic. */
  newText: string;
}

export interface Diagnostic {
  severity: Severity;
  message: string;
  /** 0-based offset of the offending text in the source (UTF-16 code units). */
  offset: number;
  /** Length of the offending text (may be 0 at the end of the file). */
  length: number;
  /** 1-based line of `offset`. */
  line: number;
  /** 1-based column of `offset` (UTF-16 code units, a tab counts as one). */
  column: number;
  /** JSON path of the offending value, e.g. ['layers', 0, 'units']; [] for the whole document. */
  path: JsonPath;
  /**
   * Stable identifier: 'syntax', 'schema', 'unknown-key', 'bidirectional-generator', ... (see docs/dsl.md).
   * The message is the catalogue entry of this code (src/core/dsl/messages.ts), in `ParseOptions.locale`.
   */
  code: string;
  fix?: Fix;
}

/** A diagnostic before its line and column are computed. */
export type RawDiagnostic = Omit<Diagnostic, 'line' | 'column'>;

/** Where each line of a text starts (offsets), for locating many diagnostics in one pass. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // a lone \r ends a line; in \r\n the \n does
    if (c === 10 /* \n */ || (c === 13 /* \r */ && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

/** 1-based line and column of a 0-based offset, by binary search in `lineStarts(text)`. Offsets outside the text are clamped. */
export function locate(text: string, starts: readonly number[], offset: number): { line: number; column: number } {
  const end = clampOffset(text, offset);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= end) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: end - starts[lo] + 1 };
}

/** 1-based line and column of a 0-based offset. Offsets outside the text are clamped. */
export function offsetToLineColumn(text: string, offset: number): { line: number; column: number } {
  return locate(text, lineStarts(text), offset);
}

/** An offset moved into [0, text.length]. */
export function clampOffset(text: string, offset: number): number {
  return Math.max(0, Math.min(Number.isFinite(offset) ? Math.floor(offset) : 0, text.length));
}

/** `file:line:col: severity: message`, the way compilers print it (clickable in terminals). */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

/** Order of diagnostics in a report: by position, errors before warnings at the same place. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return a.offset - b.offset || rank[a.severity] - rank[b.severity] || a.message.localeCompare(b.message);
}

/** 'layers[0].units', 'data.task'; the empty path reads 'the definition'. */
export function pathToString(path: JsonPath): string {
  return formatPath(path, 'the definition');
}

export interface ParseOptions {
  /** Absolute path of the definition file: data paths are resolved against its folder. */
  file?: string;
  /** Absolute path of the workspace root: data paths must stay inside it. */
  workspaceRoot?: string;
  /** Checks that a resolved data file exists (the core does no I/O itself). */
  fileExists?: (abs: string) => boolean;
  /**
   * Checks a resolved data file the way training will read it (symbolic links resolved and confined
   * to the workspace, regular file, size limit): undefined when it can be read. Preferred over fileExists.
   */
  inspectFile?: (abs: string) => FileProblem | undefined;
  /** Memory budget for training, in MB (default DEFAULT_MEMORY_BUDGET_MB in src/core/cost.ts). */
  memoryBudgetMB?: number;
  /**
   * Display language of the messages and quick fix titles (a BCP 47 tag such as `vscode.env.language`):
   * 'ko...' gives Korean, anything else English (src/core/dsl/messages.ts).
   */
  locale?: string;
}

/**
 * Readers for the data file formats (CSV, TSV, JSONL, CoNLL). Every problem in a file is a
 * DataFileError located at `file:line:column` and saying what was expected and what was found,
 * e.g. `data/pairs.tsv:3:12: expected 2 tab-separated fields, found 1`.
 *
 * One record a line: blank lines are skipped (CoNLL: they end a sentence), quoted CSV fields may
 * not span lines. Lines are numbered from 1, columns in characters (UTF-16 code units) from 1.
 */
import { csvParseRows } from 'd3-dsv';
import type { DataFormat, ModelSpec } from '../spec';
import { DataError, type DataText, type TaskContext } from './common';
import { messagesFor } from '../dsl/messages';

/** A located problem in a data file. `path` is the definition field that names the file. */
export class DataFileError extends DataError {
  constructor(
    /** The file as the definition names it (relative path). */
    readonly file: string,
    readonly line: number,
    readonly column: number,
    /** What was expected and what was found (a catalogue entry: English here, Korean in a Korean VS Code). */
    what: DataText,
    path: (string | number)[],
    /** Absolute path of the file, when known. */
    readonly abs?: string,
  ) {
    super((m) => `${file}:${line}:${column}: ${what(m)}`, path);
    this.what = what(messagesFor('en'));
    this.name = 'DataFileError';
  }

  /** What was expected and what was found, in English. */
  readonly what: string;
}

export interface SourceFile {
  /** As the definition names it. */
  name: string;
  abs?: string;
  text: string;
  /** The definition field naming it, for diagnostics. */
  where: (string | number)[];
}

export interface Line {
  /** 1-based line number. */
  n: number;
  text: string;
}

/** Progress is reported every this many lines. */
const PROGRESS_EVERY = 10_000;

/** Lines of a text (\n, \r\n or \r), numbered from 1; reports progress through `ctx.onProgress`. */
export function linesOf(src: SourceFile, ctx?: TaskContext): Line[] {
  const parts = src.text.split(/\r\n|\n|\r/);
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  const out: Line[] = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    out[i] = { n: i + 1, text: parts[i] };
    if (ctx?.onProgress && (i + 1) % PROGRESS_EVERY === 0) ctx.onProgress(src.name, i + 1, parts.length);
  }
  if (ctx?.onProgress && parts.length >= PROGRESS_EVERY) ctx.onProgress(src.name, parts.length, parts.length);
  return out;
}

/** A number as written in CSV files: optional sign, digits, optional fraction and exponent. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number in a CSV cell (surrounding spaces allowed), or undefined. */
export function parseCsvNumber(s: string): number | undefined {
  const t = s.trim();
  return NUMBER.test(t) ? Number(t) : undefined;
}

export function fail(src: SourceFile, line: number, column: number, what: DataText): never {
  throw new DataFileError(src.name, line, column, what, src.where, src.abs);
}

/** `"abc"` shortened for messages. */
export function shown(s: string, max = 40): string {
  return JSON.stringify(s.length > max ? s.slice(0, max) + '…' : s);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export interface Row {
  line: number;
  cells: string[];
  /** 1-based column where each cell starts. */
  starts: number[];
}

/** 1-based start columns of the fields of one delimited line (quotes honoured for CSV). */
function fieldStarts(text: string, delim: string, quotes: boolean): number[] {
  const starts = [1];
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quotes && c === '"') inQuote = !inQuote;
    else if (!inQuote && c === delim) starts.push(i + 2);
  }
  return starts;
}

/**
 * Rows of a CSV (quoted fields as in RFC 4180, parsed by d3-dsv) or TSV file (fields split at
 * every tab, no quoting). Blank lines are skipped.
 */
export function delimitedRows(src: SourceFile, kind: 'csv' | 'tsv', ctx?: TaskContext): Row[] {
  const rows: Row[] = [];
  for (const l of linesOf(src, ctx)) {
    if (l.text.trim() === '') continue;
    if (kind === 'tsv') {
      rows.push({ line: l.n, cells: l.text.split('\t'), starts: fieldStarts(l.text, '\t', false) });
    } else {
      const quotes = (l.text.match(/"/g) ?? []).length;
      if (quotes % 2) fail(src, l.n, l.text.lastIndexOf('"') + 1, (m) => m.text('data-file/unclosed-quote', undefined));
      rows.push({ line: l.n, cells: csvParseRows(l.text)[0] ?? [''], starts: fieldStarts(l.text, ',', true) });
    }
  }
  return rows;
}

/** Check a row has exactly `n` fields; the error points where the next field should start or at the first extra one. */
export function expectFields(src: SourceFile, r: Row, n: number, kind: 'csv' | 'tsv', lineText?: string): void {
  if (r.cells.length === n) return;
  const column = r.cells.length < n ? (lineText !== undefined ? lineText.length + 1 : r.starts[r.starts.length - 1] + r.cells[r.cells.length - 1].length) : r.starts[n];
  fail(src, r.line, column, (m) => m.text('data-file/fields', { n, kind, found: r.cells.length }));
}

/** One header row naming the fields, then data rows with as many fields. */
export function tableOf(src: SourceFile, kind: 'csv' | 'tsv', ctx?: TaskContext): { header: string[]; rows: Row[] } {
  const rows = delimitedRows(src, kind, ctx);
  if (!rows.length) fail(src, 1, 1, (m) => m.text('data-file/no-header', { kind }));
  const header = rows[0].cells.map((c) => c.trim());
  const data = rows.slice(1);
  if (!data.length) fail(src, rows[0].line + 1, 1, (m) => m.text('data-file/no-data', undefined));
  for (const r of data) expectFields(src, r, header.length, kind);
  return { header, rows: data };
}

/**
 * The index of a field named in the definition (`data[key]`): by header name, or a 0-based index.
 * Unknown names are errors at the definition's field, listing the header.
 */
export function fieldIndex(src: SourceFile, header: string[], field: string | number, key: string, at?: number): number {
  const name = `data.${key}${at !== undefined ? `[${at}]` : ''}`;
  const path = at !== undefined ? ['data', key, at] : ['data', key];
  if (typeof field === 'number') {
    if (Number.isInteger(field) && field >= 0 && field < header.length) return field;
    throw new DataError((m) => m.text('data/field-range', { field: name, index: field, file: src.name, count: header.length }), path);
  }
  const i = header.indexOf(field.trim());
  if (i >= 0) return i;
  throw new DataError((m) => m.text('data/field-unknown', { field: name, name: shown(field), file: src.name, header: header.map((h) => shown(h)).join(', ') }), path);
}

export interface JsonRecord {
  line: number;
  value: Record<string, unknown>;
  /** The line's text, to locate a field in it. */
  text: string;
}

/** One JSON object a line (JSON Lines). Blank lines are skipped. */
export function jsonLines(src: SourceFile, ctx?: TaskContext): JsonRecord[] {
  const out: JsonRecord[] = [];
  for (const l of linesOf(src, ctx)) {
    if (l.text.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(l.text);
    } catch (e) {
      const m = /position (\d+)/.exec((e as Error).message);
      const col = m ? Number(m[1]) + 1 : 1;
      const found = m ? (Number(m[1]) >= l.text.length ? 'the end of the line' : shown(l.text.slice(Number(m[1]), Number(m[1]) + 12))) : shown(l.text.slice(0, 20));
      fail(src, l.n, col, (c) => c.text('data-file/json-line', { found }));
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      const found = Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v;
      fail(src, l.n, firstNonSpace(l.text), (c) => c.text('data-file/json-object', { found }));
    }
    out.push({ line: l.n, value: v as Record<string, unknown>, text: l.text });
  }
  return out;
}

function firstNonSpace(s: string): number {
  const m = /\S/.exec(s);
  return m ? m.index + 1 : 1;
}

/** Column of `"key"` in a JSON line (1 when it is not there). */
export function keyColumn(text: string, key: string): number {
  const i = text.indexOf(JSON.stringify(key));
  return i >= 0 ? i + 1 : firstNonSpace(text);
}

function kindOf(v: unknown): string {
  return v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'string' ? `the string ${shown(v)}` : `${typeof v} ${JSON.stringify(v)}`;
}

/** A string field of a JSON record (non-empty). */
export function jsonString(src: SourceFile, r: JsonRecord, key: string): string {
  const v = Object.prototype.hasOwnProperty.call(r.value, key) ? r.value[key] : undefined;
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (v === undefined) fail(src, r.line, firstNonSpace(r.text), (m) => m.text('data-file/json-no-field', { key: shown(key), list: false, fields: Object.keys(r.value).map((k) => shown(k)).join(', ') }));
  fail(src, r.line, keyColumn(r.text, key), (m) => m.text('data-file/json-string', { key: shown(key), found: kindOf(v) }));
}

/** A label field of a JSON record: a string, or a number/boolean read as its text. */
export function jsonLabel(src: SourceFile, r: JsonRecord, key: string): string {
  const v = Object.prototype.hasOwnProperty.call(r.value, key) ? r.value[key] : undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return jsonString(src, r, key);
}

/** A list of strings of a JSON record. */
export function jsonStrings(src: SourceFile, r: JsonRecord, key: string): string[] {
  const v = Object.prototype.hasOwnProperty.call(r.value, key) ? r.value[key] : undefined;
  if (!Array.isArray(v)) {
    if (v === undefined) fail(src, r.line, firstNonSpace(r.text), (m) => m.text('data-file/json-no-field', { key: shown(key), list: true }));
    fail(src, r.line, keyColumn(r.text, key), (m) => m.text('data-file/json-list', { key: shown(key), found: kindOf(v) }));
  }
  const bad = v.findIndex((s) => typeof s !== 'string' || s === '');
  if (bad >= 0) fail(src, r.line, keyColumn(r.text, key), (m) => m.text('data-file/json-list-entry', { key: shown(key), found: kindOf(v[bad]), index: bad }));
  if (!v.length) fail(src, r.line, keyColumn(r.text, key), (m) => m.text('data-file/json-list-empty', { key: shown(key) }));
  return v as string[];
}

export interface Sentence {
  line: number;
  tokens: string[];
  tags: string[];
}

/** CoNLL-style `token<TAB>tag` lines, a blank line between sentences; `-DOCSTART-` lines are skipped. */
export function conllSentences(src: SourceFile, ctx?: TaskContext): Sentence[] {
  const out: Sentence[] = [];
  let cur: Sentence | undefined;
  for (const l of linesOf(src, ctx)) {
    if (l.text.trim() === '') {
      if (cur) out.push(cur);
      cur = undefined;
      continue;
    }
    if (l.text.startsWith('-DOCSTART-')) continue;
    const cells = l.text.split('\t');
    if (cells.length !== 2) {
      const column = cells.length < 2 ? l.text.length + 1 : fieldStarts(l.text, '\t', false)[2];
      const spaces = cells.length < 2 && /\s/.test(l.text.trim());
      fail(src, l.n, column, (m) => m.text('data-file/conll-fields', { found: cells.length, spaces }));
    }
    const [token, tag] = cells.map((c) => c.trim());
    if (!token) fail(src, l.n, 1, (m) => m.text('data-file/conll-token', undefined));
    if (!tag) fail(src, l.n, cells[0].length + 2, (m) => m.text('data-file/conll-tag', undefined));
    cur ??= { line: l.n, tokens: [], tags: [] };
    cur.tokens.push(token);
    cur.tags.push(tag);
  }
  if (cur) out.push(cur);
  return out;
}

const FORMAT_BY_EXTENSION: Record<string, DataFormat> = {
  csv: 'csv', tsv: 'tsv', tab: 'tsv', jsonl: 'jsonl', ndjson: 'jsonl', conll: 'conll', iob: 'conll', bio: 'conll',
};

/** The format of a data file: data.format, or from the extension; refused when the task cannot read it. */
export function formatOf(spec: ModelSpec, name: string, allowed: DataFormat[]): DataFormat {
  const given = spec.data.format;
  const ext = /\.([^.\\/]+)$/.exec(name)?.[1].toLowerCase() ?? '';
  const byExt = Object.prototype.hasOwnProperty.call(FORMAT_BY_EXTENSION, ext) ? FORMAT_BY_EXTENSION[ext] : undefined;
  const list = allowed.map((f) => JSON.stringify(f)).join(', ');
  const f = given ?? byExt;
  if (!f) {
    throw new DataError((m) => m.text('data/format-unknown', { name, extensions: `.${allowed.join(', .')}`, list }), ['data', 'file']);
  }
  if (!allowed.includes(f)) {
    throw new DataError((m) => m.text('data/format-task', { task: spec.data.task, list, format: JSON.stringify(f), ...(given ? {} : { name }) }), given ? ['data', 'format'] : ['data', 'file']);
  }
  return f;
}

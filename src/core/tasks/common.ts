/**
 * Helpers shared by the task generators: the error type, parameter checks, the train/validation
 * split and reading a data file through the host's reader.
 */
import type { Example } from '../data';
import { stripBom } from '../bom';
import { isAbsolutePath, joinPath, dirnameOf, normalizePath, resolveDataPath, formatBytes, type FileProblem } from '../paths';
import { Rng } from '../rng';
import { messagesFor, type Messages } from '../dsl/messages';
import type { ModelSpec } from '../spec';
import { TASKS } from './catalog';
import { buildVocabulary, splitCharacters, type TokenizerSpec, type TokenLevel } from '../tokenize';

/** A data set could not be built. `path` is the JSON path in the DSL of the field at fault. */
/**
 * A data problem's sentence in a language: a catalogue entry of src/core/dsl/messages.ts
 * (`m.text('data-file/fields', {...})`), so that VS Code and the panel read it in Korean.
 */
export type DataText = (m: Messages) => string;

/**
 * The data cannot be built. The message is English (the CLI's); a message given as a DataText
 * also reads in the editor's language through `localized`.
 */
export class DataError extends Error {
  private readonly text?: DataText;
  constructor(
    message: string | DataText,
    readonly path: (string | number)[],
  ) {
    super(typeof message === 'string' ? message : message(messagesFor('en')));
    if (typeof message !== 'string') this.text = message;
    this.name = 'DataError';
  }

  /** The message in `locale` ('ko', 'ko-KR'; anything else English). */
  localized(locale: string | undefined): string {
    return this.text ? this.text(messagesFor(locale)) : this.message;
  }
}

/** An error's message in `locale`: a DataError's from the catalogue, any other error's as it is. */
export function localizedMessage(e: unknown, locale: string | undefined): string {
  return e instanceof DataError ? e.localized(locale) : e instanceof Error ? e.message : String(e);
}

/** How the host lets the core read files (the core itself never touches the file system). */
export interface TaskContext {
  /**
   * Reads a data file. Platform readers confine it to the workspace after resolving symbolic links
   * and refuse it by size before reading (src/node/workspaceFile.ts), throwing FileRefusedError.
   */
  readFile?: (absPath: string) => string;
  /** Absolute path of the `*.seqlab.json` file: relative data paths are resolved against its folder. */
  definitionFile?: string;
  /** Data files must stay inside this folder. */
  workspaceRoot?: string;
  /** Memory budget for training, in MB (default DEFAULT_MEMORY_BUDGET_MB in ../cost.ts). */
  memoryBudgetMB?: number;
  /** Names of the files in a folder (not recursive), for data read from a folder of files. */
  listFolder?: (absPath: string) => string[];
  /** Called while long files are split into lines: `done` of `total` lines of `file`. */
  onProgress?: (file: string, done: number, total: number) => void;
}

/** Refuse a structure the task cannot be laid out for. */
export function checkStructure(spec: ModelSpec): void {
  const info = TASKS[spec.data.task];
  if (!info.structures.includes(spec.structure)) {
    throw new DataError(
      `task '${spec.data.task}' cannot be laid out as '${spec.structure}'; use ${info.structures.map((s) => `'${s}'`).join(' or ')}`,
      ['structure'],
    );
  }
}

/** An integer field of `data` within [min, max]. */
export function intParam(spec: ModelSpec, key: 'length' | 'samples' | 'symbols', min: number, max: number): number {
  const v = spec.data[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new DataError(
      `data.${key} must be a whole number from ${min} to ${max} for task '${spec.data.task}' (got ${String(v)})`,
      ['data', key],
    );
  }
  return v;
}

export function validationFraction(spec: ModelSpec): number {
  const v = spec.data.validation;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) {
    throw new DataError(`data.validation must be a fraction in [0, 1) (got ${String(v)})`, ['data', 'validation']);
  }
  return v;
}

/**
 * How many of `n` examples are held out: round(n * fraction), at least one when the fraction is
 * positive, and always leaving at least one training example.
 */
export function validCount(n: number, fraction: number): number {
  if (n < 2 || fraction <= 0) return 0;
  return Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
}

/** Guard against definitions that would exhaust memory (numbers held in the example arrays). */
export function checkSize(total: number, spec?: ModelSpec, path: (string | number)[] = ['data', 'samples']): void {
  const LIMIT = 20_000_000;
  if (total > LIMIT) {
    throw new DataError((m) => m.text('data/data-too-large', {
      total: total.toLocaleString('en-US'), limit: LIMIT.toLocaleString('en-US'),
      remedy: sizeRemedy(spec?.data.task ?? 'copy', spec?.data.file !== undefined, m),
    }), path);
  }
}

/** How to make a task's data smaller, naming only the fields that task reads (the catalogue's words.sizeRemedy). */
export function sizeRemedy(task: string, fromFile: boolean, m: Messages = messagesFor('en')): string {
  return m.words.sizeRemedy(task, fromFile);
}

/**
 * Draw `samples` examples from `gen` and split them into train and validation. When the generator
 * gives keys, validation examples are distinct from each other and no training example repeats a
 * validation one (as long as the space of sequences is large enough; otherwise duplicates are
 * accepted rather than looping forever).
 */
export function generateSplit(
  rng: Rng,
  samples: number,
  fraction: number,
  gen: (rng: Rng) => { ex: Example; key?: string },
): { train: Example[]; valid: Example[] } {
  const nValid = validCount(samples, fraction);
  const valid: Example[] = [];
  const held = new Set<string>();
  const MAX_TRIES = 50;
  while (valid.length < nValid) {
    let drawn = gen(rng);
    for (let k = 0; k < MAX_TRIES && drawn.key !== undefined && held.has(drawn.key); k++) drawn = gen(rng);
    if (drawn.key !== undefined) held.add(drawn.key);
    valid.push(drawn.ex);
  }
  const train: Example[] = [];
  while (train.length < samples - nValid) {
    let drawn = gen(rng);
    for (let k = 0; k < MAX_TRIES && drawn.key !== undefined && held.has(drawn.key); k++) drawn = gen(rng);
    train.push(drawn.ex);
  }
  return { train, valid };
}

/** Characters of a string: grapheme clusters of its NFC form (an emoji or a Korean syllable is one). */
export function chars(s: string): string[] {
  return splitCharacters(s);
}

/**
 * The character vocabulary: `data.vocabulary` when given (each entry one character, no repeats,
 * covering every character of `text`), otherwise `fallback()`.
 */
export function charVocabulary(spec: ModelSpec, text: string[], fallback: () => string[]): string[] {
  const given = spec.data.vocabulary;
  if (given === undefined) return fallback();
  if (!Array.isArray(given) || given.length === 0) {
    throw new DataError('data.vocabulary must be a non-empty list of characters', ['data', 'vocabulary']);
  }
  const seen = new Set<string>();
  given.forEach((c, i) => {
    if (typeof c !== 'string' || chars(c).length !== 1) {
      throw new DataError(`data.vocabulary[${i}] must be a single character (got ${JSON.stringify(c)})`, ['data', 'vocabulary', i]);
    }
    if (seen.has(c)) throw new DataError(`data.vocabulary lists ${JSON.stringify(c)} twice`, ['data', 'vocabulary', i]);
    seen.add(c);
  });
  const missing = [...new Set(text.filter((c) => !seen.has(c)))];
  if (missing.length) {
    const shown = missing.slice(0, 20).map((c) => JSON.stringify(c)).join(', ');
    throw new DataError(
      `data.vocabulary is missing ${missing.length} character${missing.length > 1 ? 's' : ''} used by the data: ${shown}${missing.length > 20 ? ', ...' : ''}`,
      ['data', 'vocabulary'],
    );
  }
  return [...given];
}

/**
 * Read `data.file` through the host: resolved against the definition's folder and refused when
 * it leaves the workspace. Returns the file's text and a display name.
 */
export function readDataFile(spec: ModelSpec, ctx: TaskContext): { text: string; name: string; abs: string } {
  return readWorkspaceFile(spec.data.file, ['data', 'file'], ctx, spec.data.task);
}

/** Resolve a path from the definition (relative to it) and check it stays inside the workspace. */
export function resolveWorkspacePath(rel: unknown, where: (string | number)[], ctx: TaskContext): string {
  const field = `data.${where.slice(1).join('.')}`;
  if (typeof rel !== 'string' || rel.trim() === '') throw new DataError((m) => m.text('data/path-empty', { field }), where);
  if (ctx.definitionFile && ctx.workspaceRoot) {
    const r = resolveDataPath(ctx.definitionFile, rel, ctx.workspaceRoot);
    if ('error' in r) throw new DataError((m) => m.text('data/path-bad', { field, why: r.error }), where);
    return r.path;
  }
  if (isAbsolutePath(rel)) return normalizePath(rel);
  if (ctx.definitionFile) return joinPath(dirnameOf(ctx.definitionFile), rel);
  if (ctx.workspaceRoot) return joinPath(ctx.workspaceRoot, rel);
  throw new DataError((m) => m.text('data/path-unresolved', { path: rel }), where);
}

/** Read a workspace file named by the definition field `where` (see resolveWorkspacePath). */
export function readWorkspaceFile(rel: unknown, where: (string | number)[], ctx: TaskContext, task: string): { text: string; name: string; abs: string } {
  const abs = resolveWorkspacePath(rel, where, ctx);
  const name = rel as string;
  if (!ctx.readFile) throw new DataError((m) => m.text('data/no-file-access', { name }), where);
  let text: string;
  try {
    text = ctx.readFile(abs);
  } catch (e) {
    const problem = (e as { problem?: FileProblem }).problem;
    const field = `data.${where.slice(1).join('.')}`;
    if (problem?.kind === 'too-large') throw new DataError((m) => m.text('data/file-too-large', { field, name, message: tooLargeMessage(problem, task, m) }), where);
    if (problem) throw new DataError((m) => m.text('data/file-refused', { field, name, why: problem.message }), where);
    const why = e instanceof Error ? e.message : String(e);
    throw new DataError((m) => m.text('data/file-unreadable', { name, abs, why }), where);
  }
  if (typeof text !== 'string') throw new DataError((m) => m.text('data/file-unreadable', { name, abs, why: 'the reader returned no text' }), where);
  return { text: stripBom(text), name, abs };
}

/** 'is 50.0 MB, over the 8.0 MB limit for data files: use a shorter data.file (...)' (words.tooLarge, in the language of `m`). */
export function tooLargeMessage(problem: FileProblem, task: string, m: Messages = messagesFor('en')): string {
  return m.words.tooLarge(formatBytes(problem.size ?? 0), formatBytes(problem.limit ?? 0), sizeRemedy(task, true, m));
}

/** Round for messages. */
export function fmt(v: number, digits = 4): string {
  return Number(v.toPrecision(digits)).toString();
}

/** data.test: the fraction held out as the test split; validation + test must leave training data. */
export function testFraction(spec: ModelSpec): number {
  const v = spec.data.test ?? 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) {
    throw new DataError(`data.test must be a fraction in [0, 1) (got ${String(v)})`, ['data', 'test']);
  }
  if (v + validationFraction(spec) >= 1) {
    throw new DataError(`data.validation + data.test must be below 1, to leave examples for training (got ${spec.data.validation} + ${v})`, ['data', 'test']);
  }
  return v;
}

/** How text read from files becomes tokens: data.tokenize (default `level`) and data.lowercase. */
export function tokenizerOf(spec: ModelSpec, level: TokenLevel): TokenizerSpec {
  return { level: spec.data.tokenize ?? level, lowercase: spec.data.lowercase ?? false };
}

/**
 * Shuffle `items` with data.seed and cut them into test (first), validation and training parts by
 * data.test and data.validation (each at least one item when its fraction is positive).
 */
export function shuffledSplit<T>(spec: ModelSpec, items: T[]): { train: T[]; valid: T[]; test: T[] } {
  const tf = testFraction(spec);
  const vf = validationFraction(spec);
  const order = new Rng(spec.data.seed).shuffle(items.map((_, i) => i));
  const nTest = validCount(items.length, tf);
  const nValid = validCount(items.length - nTest, vf / (1 - tf));
  const pick = (from: number, to: number) => order.slice(from, to).map((i) => items[i]);
  return { test: pick(0, nTest), valid: pick(nTest, nTest + nValid), train: pick(nTest + nValid, items.length) };
}

/** Contiguous, chronological cut points [trainEnd, validEnd] of `n` items by data.validation and data.test. */
export function chronologicalCuts(spec: ModelSpec, n: number): [number, number] {
  const tf = testFraction(spec);
  const vf = validationFraction(spec);
  const validEnd = tf > 0 ? Math.round(n * (1 - tf)) : n;
  const trainEnd = vf > 0 ? Math.round(n * (1 - tf - vf)) : validEnd;
  return [trainEnd, validEnd];
}

/** Build a vocabulary (specials first) from the training split, with data.maxVocab and data.minCount. */
export function vocabularyOf(spec: ModelSpec, seqs: Iterable<string[]>, specials: string[]): string[] {
  const maxVocab = spec.data.maxVocab;
  if (maxVocab !== undefined && (!Number.isInteger(maxVocab) || maxVocab < specials.length + 1)) {
    throw new DataError(`data.maxVocab must be a whole number of at least ${specials.length + 1} (the special symbols ${specials.join(', ')} and one token; got ${String(maxVocab)})`, ['data', 'maxVocab']);
  }
  const minCount = spec.data.minCount ?? 1;
  if (!Number.isInteger(minCount) || minCount < 1) throw new DataError(`data.minCount must be a whole number of at least 1 (got ${String(minCount)})`, ['data', 'minCount']);
  return buildVocabulary(seqs, { maxVocab, minCount, specials });
}

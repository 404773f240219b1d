/** parseDefinition: source text -> diagnostics and, when there is no error, the normalised ModelSpec. */
// The ESM build of jsonc-parser: its UMD `main` does not survive bundling for Node (esbuild
// leaves its dynamic `require('./impl/format')` unresolved).
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import type { ModelSpec } from '../spec';
import { stripBom } from '../bom';
import {
  clampOffset, compareDiagnostics, lineStarts, locate, offsetToLineColumn, type Diagnostic, type JsonPath, type ParseOptions, type RawDiagnostic,
} from './diagnostics';
import { messagesFor, type Messages } from './messages';
import { normalize } from './normalize';
import { checkSchema } from './schemaErrors';
import { checkSemantics } from './semantic';
import { checkSweep } from './sweepCheck';
import { describeOverrides, expandSweep, trialText, type SweepSpec } from '../sweep';
import { keyNodeAt, nodeAt, plainValue } from './tree';
import { DEFAULT_MEMORY_BUDGET_MB, estimateCost, overBudget, shapeFromSpec } from '../cost';

export interface ParseResult {
  /** Present iff there is no error (warnings allowed). */
  spec?: ModelSpec;
  /** Sorted by position. */
  diagnostics: Diagnostic[];
}

/** More than this many diagnostics are summarised in one last 'more' entry. */
const MAX_DIAGNOSTICS = 200;

/** Schema problems translated into located messages at most; the rest are only counted (keeps checking linear). */
const MAX_SCHEMA_PROBLEMS = MAX_DIAGNOSTICS + 50;

export function parseDefinition(text: string, options: ParseOptions = {}): ParseResult {
  const given = typeof text === 'string' ? text : '';
  // A byte-order mark is not part of the definition: checked without it, offsets shifted back onto `text`.
  const src = stripBom(given);
  const shift = given.length - src.length;
  const raw: RawDiagnostic[] = [];
  const counted = { omitted: 0 };
  const m = messagesFor(options?.locale);
  let spec: ModelSpec | undefined;
  try {
    spec = parseInto(src, options ?? {}, raw, typeof text === 'string', counted, m);
  } catch (e) {
    raw.length = 0;
    counted.omitted = 0;
    if (e instanceof RangeError) {
      // e.g. thousands of nested brackets: the tree walkers are recursive
      raw.push({ severity: 'error', code: 'syntax', path: [], offset: 0, length: 0, message: m.text('syntax/nested', undefined) });
    } else {
      // a bug must not take the editor or the CLI down: report it where it can be seen
      raw.push({
        severity: 'error', code: 'internal', path: [], offset: 0, length: 0,
        message: m.text('internal', { error: e instanceof Error ? e.message : String(e) }),
      });
    }
    spec = undefined;
  }
  // Keep at most MAX_DIAGNOSTICS (errors first), then locate only those: one line index, one pass.
  let kept = raw;
  if (raw.length > MAX_DIAGNOSTICS) {
    const rank = { error: 0, warning: 1, info: 2 } as const;
    kept = raw.map((d, i) => ({ d, i })).sort((a, b) => rank[a.d.severity] - rank[b.d.severity] || a.i - b.i).slice(0, MAX_DIAGNOSTICS).map((x) => x.d);
  }
  const starts = lineStarts(src);
  const located = (d: RawDiagnostic): Diagnostic => {
    // ranges are clamped to the text (the parser reports an unclosed comment past its end)
    const offset = clampOffset(src, d.offset);
    const length = Math.max(0, Math.min(Number.isFinite(d.length) ? Math.floor(d.length) : 0, src.length - offset));
    return { ...d, offset: offset + shift, length, ...locate(src, starts, offset) };
  };
  const diagnostics = kept.map(located).sort(compareDiagnostics);
  const rest = raw.length - kept.length + counted.omitted;
  if (rest > 0) {
    const { offset, length, line, column, path } = diagnostics[diagnostics.length - 1];
    diagnostics.push({ severity: 'info', code: 'more', offset, length, line, column, path, message: m.text('more', { n: rest.toLocaleString(m.locale === 'ko' ? 'ko' : 'en-US') }) });
  }
  return diagnostics.some((d) => d.severity === 'error') || raw.some((d) => d.severity === 'error') ? { diagnostics } : { spec, diagnostics };
}

function parseInto(
  text: string, options: ParseOptions, out: RawDiagnostic[], isString: boolean, counted: { omitted: number }, m: Messages,
): ModelSpec | undefined {
  if (!isString) {
    out.push({ severity: 'error', code: 'syntax', path: [], offset: 0, length: 0, message: m.text('syntax/not-text', undefined) });
    return undefined;
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  if (!root) {
    out.push({
      severity: 'error', code: 'syntax', path: [], offset: 0, length: 0,
      message: m.text('syntax/empty', undefined),
    });
    return undefined;
  }
  if (errors.length) {
    const at = new Set<number>();
    for (const e of errors) {
      // the parser recovers and often reports the same spot again: keep the first, and at most 20
      if (at.has(e.offset) || at.size >= 20) continue;
      at.add(e.offset);
      out.push({
        severity: 'error', code: 'syntax', path: [], offset: e.offset, length: e.length,
        message: m.text('syntax', { kind: printParseErrorCode(e.error) }),
      });
    }
    return undefined;
  }

  const value = plainValue(root);
  const reported = new Set<string>();
  checkTree(root, [], out, reported, m);
  const schema = checkSchema(text, root, value, reported, m, MAX_SCHEMA_PROBLEMS);
  out.push(...schema.diagnostics);
  counted.omitted += schema.omitted;
  out.push(...checkSemantics(root, value, options, m));
  const sweep = checkSweep(text, root, value, m, out);
  if (out.some((d) => d.severity === 'error') || schema.omittedErrors) return undefined;
  const spec: ModelSpec = { ...normalize(value), ...(sweep ? { sweep } : {}) };
  if (sweep && !checkTrials(text, value, sweep, root, options, out, m)) return undefined;
  // What training it would hold in memory, from what the definition alone says (lower bounds where
  // the data decides): the same check runs again on the built data set (buildDataset).
  const over = overBudget(estimateCost(spec, shapeFromSpec(spec)), options.memoryBudgetMB ?? DEFAULT_MEMORY_BUDGET_MB, spec.training.optimizer, m);
  if (over) {
    const n = nearestNode(root, over.path);
    out.push({ severity: 'error', code: 'memory-budget', path: over.path, offset: n.offset, length: n.length, message: over.message });
    return undefined;
  }
  return spec;
}

/** Trials parsed as whole definitions: the first ones (a sweep is checked on every keystroke). */
const CHECKED_TRIALS = 50;
/** Trials with a problem reported (each by its first error). */
const REPORTED_TRIALS = 5;

/**
 * Each trial of a sweep must be a valid definition on its own (a GRU with `activation`, a cell
 * that makes the model too large for the memory budget, ...): its first error is reported on the
 * sweep section, naming the trial's settings. False when a trial has an error.
 */
function checkTrials(text: string, value: unknown, sweep: SweepSpec, root: Node, options: ParseOptions, out: RawDiagnostic[], m: Messages): boolean {
  const n = nodeAt(root, ['sweep', 'parameters']) ?? root;
  let bad = 0;
  for (const t of expandSweep(sweep).slice(0, CHECKED_TRIALS)) {
    const r = parseDefinition(trialText(text, value, t.overrides), options);
    const e = r.diagnostics.find((d) => d.severity === 'error');
    if (!e) continue;
    if (bad++ >= REPORTED_TRIALS) continue;
    out.push({
      severity: 'error', code: 'sweep-trial', path: ['sweep', 'parameters'], offset: n.offset, length: n.length,
      message: m.text('sweep-trial', { trial: t.index, overrides: describeOverrides(t.overrides), problem: `${m.path(e.path)}: ${e.message}` }),
    });
  }
  return bad === 0;
}

/** The node at `path`, or at the nearest ancestor present in the text (a default value has no node). */
export function nearestNode(root: Node, path: JsonPath): Node {
  for (let k = path.length; k >= 0; k--) {
    const n = k === path.length ? nodeAt(root, path) : keyNodeAt(root, path.slice(0, k + 1)) ?? nodeAt(root, path.slice(0, k));
    if (n) return n;
  }
  return root;
}

/** Where `path` is in a definition's text (the nearest ancestor present), for errors found after parsing. */
export function locatePath(text: string, path: JsonPath): { offset: number; length: number; line: number; column: number } {
  const src = stripBom(text);
  const shift = text.length - src.length;
  const root = parseTree(src, [], { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  const n = root ? nearestNode(root, path) : { offset: 0, length: 0 };
  return { offset: n.offset + shift, length: n.length, ...offsetToLineColumn(src, n.offset) };
}

/** Duplicate keys and numbers too large for a double, anywhere in the document. */
function checkTree(node: Node, path: JsonPath, out: RawDiagnostic[], reported: Set<string>, m: Messages): void {
  if (node.type === 'number' && !Number.isFinite(node.value)) {
    out.push({
      severity: 'error', code: 'number-range', path, offset: node.offset, length: node.length,
      message: m.text('number-range', { where: m.path(path) }),
    });
    reported.add(JSON.stringify(path));
  } else if (node.type === 'object') {
    const props = node.children ?? [];
    const lastIndex = new Map<string, number>();
    props.forEach((p, i) => {
      const k = p.children?.[0]?.value;
      if (typeof k === 'string') lastIndex.set(k, i);
    });
    props.forEach((p, i) => {
      const [k, v] = p.children ?? [];
      if (!k || typeof k.value !== 'string') return;
      if (lastIndex.get(k.value) !== i) {
        out.push({
          severity: 'warning', code: 'duplicate-key', path: [...path, k.value], offset: k.offset, length: k.length,
          message: m.text('duplicate-key', { key: k.value, ...(path.length ? { where: m.path(path) } : {}) }),
        });
      } else if (v) checkTree(v, [...path, k.value], out, reported, m);
    });
  } else if (node.type === 'array') {
    (node.children ?? []).forEach((c, i) => checkTree(c, [...path, i], out, reported, m));
  }
}

/**
 * A problem found while building the data set (a DataError: message and the DSL path of the field
 * at fault, e.g. ['data', 'file']), placed on that field's value in the definition text (or the
 * nearest enclosing value that is there: a defaulted field has no text of its own).
 */
export function locateDataProblem(text: string, path: JsonPath, message: string, code = 'data'): Diagnostic {
  return { severity: 'error', code, message, path, ...locatePath(text, path) };
}

/**
 * Checks of a definition's `sweep` section the schema cannot make: each parameter path names a
 * setting (src/core/sweep.ts parses it), each listed value is one that setting accepts (checked by
 * the schema on the definition with that value written in, reported on the value in the sweep),
 * the number of trials, and settings a method ignores. Parsing every trial as a whole definition
 * happens in parse.ts (it needs the parser).
 */
import type { Node } from 'jsonc-parser/lib/esm/main.js';
import {
  applyOverrides, DEFAULT_RANDOM_TRIALS, gridSize, isLengthPath, MAX_SWEEP_TRIALS, parseSweepPath, type SweepMethod, type SweepParameter, type SweepSpec,
} from '../sweep';
import type { JsonPath, RawDiagnostic } from './diagnostics';
import { knownKeysAt, schemaAt, type SchemaNode } from './keys';
import type { Messages } from './messages';
import { describeConstraint, pointerToPath, schemaErrorsOf } from './schemaErrors';
import { didYouMean } from './suggest';
import { describeGot, isPlainObject, keyNodeAt, nodeAt } from './tree';

/** Most layers a stack may have (schema: layers maxItems). */
const MAX_LAYERS = 16;
const FIXED = new Set(['name', 'description', '$schema', 'sweep']);

/**
 * The sweep of `value` (undefined when it has none or it is wrong: `out` then says why).
 * `schemaOk`: the sweep section itself passed the schema (an object with a `parameters` object of lists).
 */
export function checkSweep(text: string, root: Node, value: unknown, m: Messages, out: RawDiagnostic[]): SweepSpec | undefined {
  if (!isPlainObject(value) || !isPlainObject(value.sweep)) return undefined;
  const sw = value.sweep;
  const params = sw.parameters;
  if (!isPlainObject(params) || !Object.values(params).every((v) => Array.isArray(v) && v.length > 0)) return undefined; // the schema reported it
  const errorsBefore = out.filter((d) => d.severity === 'error').length;
  const at = (path: JsonPath, on: 'key' | 'value' = 'value') => {
    const n = on === 'key' ? keyNodeAt(root, path) ?? nodeAt(root, path) : nodeAt(root, path);
    return { offset: n?.offset ?? 0, length: n?.length ?? 0 };
  };
  const report = (severity: 'error' | 'warning', code: string, path: JsonPath, message: string, on: 'key' | 'value' = 'value') =>
    out.push({ severity, code, path, message, ...at(path, on) });

  const method: SweepMethod = sw.method === 'random' ? 'random' : 'grid';
  const parameters: SweepParameter[] = [];
  const layerCounts = new Map<string, number>(); // most layers a `layers.length` sweep gives each stack
  const entries = Object.entries(params) as [string, unknown[]][];
  for (const [path, values] of entries) {
    const segs = parseSweepPath(path);
    if (segs && isLengthPath(segs)) {
      const ints = values.filter((v): v is number => Number.isInteger(v));
      if (ints.length) layerCounts.set(segs.slice(0, -1).join('.'), Math.max(...ints));
    }
  }
  for (const [path, values] of entries) {
    const where: JsonPath = ['sweep', 'parameters', path];
    const segs = parseSweepPath(path);
    if (!segs) {
      report('error', 'sweep-path', where, m.text('sweep-path', { path }), 'key');
      continue;
    }
    if (typeof segs[0] === 'string' && FIXED.has(segs[0])) {
      report('error', 'sweep-path', where, m.text('sweep-path/fixed', { path }), 'key');
      continue;
    }
    const length = isLengthPath(segs);
    // the schema of the setting: '*' reads as item 0, `layers.length` as the list
    const schemaPath = (length ? segs.slice(0, -1) : segs).map((s) => (s === '*' ? 0 : s));
    let unknown: { key: string; parent: JsonPath } | undefined;
    for (let k = 1; k <= schemaPath.length; k++) {
      if (!schemaAt(schemaPath.slice(0, k))) {
        const key = schemaPath[k - 1];
        unknown = { key: String(key), parent: schemaPath.slice(0, k - 1) };
        break;
      }
    }
    if (length && !unknown && schemaAt(schemaPath)?.type !== 'array') unknown = { key: 'length', parent: schemaPath };
    if (unknown) {
      const guess = didYouMean(unknown.key, knownKeysAt(unknown.parent) ?? []);
      report('error', 'sweep-path', where, m.text('sweep-path/unknown', { path, key: unknown.key, ...(guess ? { guess } : {}) }), 'key');
      continue;
    }
    // an index must name an item the list has (or will have, when its length is swept)
    let badIndex = false;
    let cur: unknown = value;
    for (let k = 0; k < segs.length && !length; k++) {
      const s = segs[k];
      if (typeof s === 'number') {
        const list = Array.isArray(cur) ? cur : [];
        const most = Math.max(list.length, layerCounts.get(segs.slice(0, k).join('.')) ?? 0);
        if (s >= most) {
          report('error', 'sweep-path', where, m.text('sweep-path/index', { path, list: m.path(segs.slice(0, k) as JsonPath), n: s }), 'key');
          badIndex = true;
          break;
        }
        cur = list[s];
      } else if (s === '*') cur = Array.isArray(cur) ? cur[0] : undefined;
      else cur = isPlainObject(cur) ? cur[s] : undefined;
    }
    if (badIndex) continue;

    // each value as the setting would read it
    const seen = new Map<string, number>();
    values.forEach((v, i) => {
      const vpath = [...where, i];
      const key = JSON.stringify(v);
      if (seen.has(key)) report('warning', 'sweep-duplicate', vpath, m.text('sweep-duplicate', { path, value: describeGot(text, nodeAt(root, vpath), v, m.words) }));
      seen.set(key, i);
      const got = describeGot(text, nodeAt(root, vpath), v, m.words);
      if (length) {
        if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > MAX_LAYERS) {
          const must = m.words.number(true, [{ op: '>=', n: 1 }, { op: '<=', n: MAX_LAYERS }]);
          report('error', 'sweep-value', vpath, m.text('sweep-value', { path, must, got }));
        }
        return;
      }
      const problem = valueProblem(value, path, v, m);
      if (problem) report('error', 'sweep-value', vpath, m.text('sweep-value', { path, must: problem, got }));
    });
    parameters.push({ path, values });
  }

  const n = gridSize(parameters);
  const trials = typeof sw.trials === 'number' ? sw.trials : undefined;
  if (method === 'grid') {
    if (trials !== undefined) report('warning', 'sweep-trials-ignored', ['sweep', 'trials'], m.text('sweep-trials-ignored', undefined), 'key');
    if (sw.seed !== undefined) report('warning', 'sweep-seed-ignored', ['sweep', 'seed'], m.text('sweep-seed-ignored', undefined), 'key');
  } else if (trials !== undefined && trials > n) {
    report('warning', 'sweep-trials-capped', ['sweep', 'trials'], m.text('sweep-trials-capped', { trials, n }));
  }
  const count = method === 'grid' ? n : Math.min(n, trials ?? DEFAULT_RANDOM_TRIALS);
  if (count > MAX_SWEEP_TRIALS) report('error', 'sweep-size', ['sweep'], m.text('sweep-size', { n: count, max: MAX_SWEEP_TRIALS }), 'key');
  if (out.filter((d) => d.severity === 'error').length > errorsBefore) return undefined;
  return { method, parameters, ...(method === 'random' ? { trials: trials ?? DEFAULT_RANDOM_TRIALS } : {}), seed: typeof sw.seed === 'number' ? sw.seed : 1 };
}

/** What the setting at `path` must be when `v` is not accepted there (the schema's words), else undefined. */
function valueProblem(base: unknown, path: string, v: unknown, m: Messages): string | undefined {
  const changed = applyOverrides(base, [{ path, value: v }]);
  const segs = parseSweepPath(path)!;
  for (const e of schemaErrorsOf(changed)) {
    if (e.keyword === 'additionalProperties' && !isPlainObject(v)) continue; // unknown keys elsewhere: the base's own warnings
    const p = pointerToPath(e.instancePath, changed);
    if (!covers(segs, p)) continue;
    const s = e.parentSchema as SchemaNode;
    if (e.keyword === 'enum') return m.words.oneOf(m.words.or((s.enum ?? []).map((x) => JSON.stringify(x))));
    return describeConstraint(s, e.keyword, m.words);
  }
  return undefined;
}

/** The error path `p` lies at or under the swept path (whose '*' matches any index). */
function covers(segs: readonly (string | number)[], p: JsonPath): boolean {
  if (p.length < segs.length) return false;
  return segs.every((s, i) => s === '*' ? typeof p[i] === 'number' : s === p[i]);
}

/**
 * Sweeps: a definition's `sweep` section names settings to vary (paths such as `layers[0].cell`,
 * `training.learningRate`, `layers.length`) and the values each may take. Expanding it gives the
 * trials, each a list of overrides; a trial is an ordinary run of the experiment, trained from the
 * definition with its overrides written in (`trialText`) and the sweep section left out.
 *
 *   grid:   every combination, the first parameter varying slowest (trials = product of list sizes)
 *   random: `trials` distinct combinations drawn uniformly without replacement (seeded, src/core/rng.ts)
 *
 * Pure: no I/O. The DSL checks a sweep (src/core/dsl/sweepCheck.ts); the CLI and the extension host
 * train its trials (src/node/sweepRun.ts); `sweepTable` writes the results.
 */
import { applyEdits, modify } from 'jsonc-parser/lib/esm/main.js';
import { Rng } from './rng';

export type SweepMethod = 'grid' | 'random';

/** One swept setting: a path in the definition and the values it takes, in the order written. */
export interface SweepParameter {
  path: string;
  values: unknown[];
}

export interface SweepSpec {
  method: SweepMethod;
  parameters: SweepParameter[];
  /** random: how many combinations to try (at most all of them). */
  trials?: number;
  /** random: seed of the draw. */
  seed: number;
}

export interface SweepOverride {
  path: string;
  value: unknown;
}

export interface SweepTrial {
  /** 1-based, in the order trials are trained. */
  index: number;
  overrides: SweepOverride[];
}

/** More trials than this in one sweep is a mistake (a grid grows as a product). */
export const MAX_SWEEP_TRIALS = 1000;
export const DEFAULT_RANDOM_TRIALS = 10;

/** A path segment: an object key, a list index, or `*` (every item of the list). */
export type SweepSegment = string | number | '*';

const KEY = '[A-Za-z_$][\\w$]*';
const PATH_RE = new RegExp(`^${KEY}(\\[(\\d+|\\*)\\])*(\\.${KEY}(\\[(\\d+|\\*)\\])*)*$`);

/**
 * 'layers[0].cell' -> ['layers', 0, 'cell']; 'layers[*].units' -> ['layers', '*', 'units'].
 * `layers.length` (and `decoder.layers.length`) is the number of layers: ['layers', 'length'].
 * Undefined when the text is not a path.
 */
export function parseSweepPath(path: string): SweepSegment[] | undefined {
  if (typeof path !== 'string' || !PATH_RE.test(path)) return undefined;
  const out: SweepSegment[] = [];
  for (const m of path.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+|\*)\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else out.push(m[2] === '*' ? '*' : Number(m[2]));
  }
  return out.some((s) => typeof s === 'number' && !Number.isSafeInteger(s)) ? undefined : out;
}

/** The path sets a layer count (`layers.length`, `decoder.layers.length`). */
export function isLengthPath(segs: readonly SweepSegment[]): boolean {
  return segs.length >= 2 && segs[segs.length - 1] === 'length' && segs[segs.length - 2] === 'layers';
}

/** Number of combinations of a grid over these parameters. */
export function gridSize(parameters: readonly SweepParameter[]): number {
  return parameters.reduce((n, p) => n * p.values.length, 1);
}

/** How many trials a sweep trains. */
export function trialCount(sweep: SweepSpec): number {
  const all = gridSize(sweep.parameters);
  return sweep.method === 'grid' ? all : Math.min(all, sweep.trials ?? DEFAULT_RANDOM_TRIALS);
}

/** The combination number `k` of the grid (mixed radix, the last parameter varying fastest). */
function combination(parameters: readonly SweepParameter[], k: number): SweepOverride[] {
  const out: SweepOverride[] = new Array(parameters.length);
  for (let i = parameters.length - 1; i >= 0; i--) {
    const n = parameters[i].values.length;
    out[i] = { path: parameters[i].path, value: parameters[i].values[k % n] };
    k = Math.floor(k / n);
  }
  return out;
}

/** The trials of a sweep, in training order. Throws RangeError past MAX_SWEEP_TRIALS (the DSL reports it first). */
export function expandSweep(sweep: SweepSpec): SweepTrial[] {
  if (!sweep.parameters.length || sweep.parameters.some((p) => p.values.length === 0)) return [];
  const all = gridSize(sweep.parameters);
  const n = trialCount(sweep);
  if (n > MAX_SWEEP_TRIALS) throw new RangeError(`a sweep of ${n} trials is over the limit of ${MAX_SWEEP_TRIALS}`);
  let picks: number[];
  if (sweep.method === 'grid') picks = Array.from({ length: all }, (_, k) => k);
  else {
    // n distinct combinations, uniformly: a partial Fisher-Yates shuffle over the (small) grid's indices
    const rng = new Rng(sweep.seed);
    const idx = Array.from({ length: all }, (_, k) => k);
    for (let i = 0; i < n; i++) {
      const j = i + rng.int(all - i);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    picks = idx.slice(0, n);
  }
  return picks.map((k, i) => ({ index: i + 1, overrides: combination(sweep.parameters, k) }));
}

/** 'layers[0].cell = "lstm", training.learningRate = 0.01' */
export function describeOverrides(overrides: readonly SweepOverride[]): string {
  return overrides.map((o) => `${o.path} = ${JSON.stringify(o.value)}`).join(', ');
}

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A layer list of `n` layers: cut, or grown by repeating the last layer. */
function resized(layers: Json, n: number): Json[] {
  const list = Array.isArray(layers) ? layers : [];
  if (!list.length) return list;
  return Array.from({ length: n }, (_, i) => JSON.parse(JSON.stringify(list[Math.min(i, list.length - 1)])) as Json);
}

/**
 * The concrete edits of one override on a definition value: [path, value] pairs, `*` expanded over
 * the list there and `layers.length` turned into the resized list. A layer index past the list
 * (after a `layers.length` override made it shorter) sets nothing.
 */
function editsOf(value: Json, o: SweepOverride): (readonly [(string | number)[], Json])[] {
  const segs = parseSweepPath(o.path);
  if (!segs) return [];
  if (isLengthPath(segs)) {
    const at = segs.slice(0, -1) as (string | number)[];
    return [[at, resized(get(value, at), Number(o.value))]];
  }
  const out: (readonly [(string | number)[], Json])[] = [];
  const walk = (cur: Json, i: number, prefix: (string | number)[]) => {
    if (i === segs.length) {
      out.push([prefix, o.value]);
      return;
    }
    const s = segs[i];
    if (s === '*' || typeof s === 'number') {
      if (!Array.isArray(cur)) return;
      const idx = s === '*' ? cur.map((_, k) => k) : s < cur.length ? [s] : [];
      for (const k of idx) walk(cur[k], i + 1, [...prefix, k]);
      return;
    }
    // objects along the way may be absent (a default): they are created
    walk(isObj(cur) ? cur[s] : undefined, i + 1, [...prefix, s]);
  };
  walk(value, 0, []);
  return out;
}

function get(v: Json, path: readonly (string | number)[]): Json {
  let cur = v;
  for (const s of path) {
    if (typeof s === 'number') cur = Array.isArray(cur) ? cur[s] : undefined;
    else cur = isObj(cur) ? cur[s] : undefined;
  }
  return cur;
}

function set(v: Json, path: readonly (string | number)[], x: Json): Json {
  if (!path.length) return x;
  const [s, ...rest] = path;
  if (typeof s === 'number') {
    const list = Array.isArray(v) ? [...v] : [];
    list[s] = set(list[s], rest, x);
    return list;
  }
  const o = isObj(v) ? { ...v } : {};
  Object.defineProperty(o, s, { value: set(o[s], rest, x), enumerable: true, writable: true, configurable: true });
  return o;
}

/**
 * A plain definition value with the overrides applied in order (layer counts first, so an index
 * override reads the resized list) and the `sweep` section removed. `value` is not modified.
 */
export function applyOverrides(value: Json, overrides: readonly SweepOverride[]): Json {
  let v = value;
  for (const o of ordered(overrides)) for (const [p, x] of editsOf(v, o)) v = set(v, p, x);
  if (isObj(v) && 'sweep' in v) {
    const { sweep: _, ...rest } = v;
    v = rest;
  }
  return v;
}

function ordered(overrides: readonly SweepOverride[]): SweepOverride[] {
  const len = (o: SweepOverride) => (isLengthPath(parseSweepPath(o.path) ?? []) ? 0 : 1);
  return [...overrides].sort((a, b) => len(a) - len(b));
}

/**
 * The definition text of a trial: `text` with each override written in place (comments and layout
 * kept) and the `sweep` section removed. `value` is the text's plain value (the parser's).
 */
export function trialText(text: string, value: Json, overrides: readonly SweepOverride[]): string {
  const fmt = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };
  let out = text;
  let v = value;
  for (const o of ordered(overrides)) {
    for (const [p, x] of editsOf(v, o)) {
      out = applyEdits(out, modify(out, p, x, fmt));
      v = set(v, p, x);
    }
  }
  if (isObj(v) && 'sweep' in v) out = applyEdits(out, modify(out, ['sweep'], undefined, fmt));
  return out;
}

/** One trial's outcome, as the results table shows it. */
export interface SweepResult {
  trial: number;
  overrides: SweepOverride[];
  run?: string;
  status: string;
  /** The best validation loss of the run (else its last one). */
  validLoss?: number;
  validAccuracy?: number;
  finalLoss?: number;
  parameters?: number;
  step?: number;
  steps?: number;
  seconds?: number;
  /** Why a trial did not train (a definition or store problem). */
  message?: string;
}

/** Results sorted by validation loss (best first; trials without one last, in trial order). */
export function rankResults(results: readonly SweepResult[]): SweepResult[] {
  const key = (r: SweepResult) => (r.validLoss !== undefined && Number.isFinite(r.validLoss) ? r.validLoss : Infinity);
  return [...results].sort((a, b) => key(a) - key(b) || a.trial - b.trial);
}

const num = (n: number | undefined, d = 4) => (n === undefined || !Number.isFinite(n) ? '' : Math.abs(n) < 1e-3 && n !== 0 ? n.toExponential(2) : n.toFixed(d));
const cell = (v: unknown) => String(typeof v === 'string' ? v : JSON.stringify(v)).replace(/\|/g, '\\|');

/** Column headings of the results table (the host passes Korean ones). */
export interface SweepTableWords {
  rank: string; trial: string; validLoss: string; validAccuracy: string; finalLoss: string; parameters: string; steps: string; status: string; run: string; seconds: string;
}
export const SWEEP_TABLE_EN: SweepTableWords = {
  rank: '#', trial: 'trial', validLoss: 'val_loss', validAccuracy: 'val_acc', finalLoss: 'loss', parameters: 'params', steps: 'steps', status: 'status', run: 'run', seconds: 's',
};

/**
 * The results as a markdown table, TensorBoard HParams style: one row per trial sorted by
 * validation loss, one column per swept setting, then the metrics.
 */
export function sweepTable(results: readonly SweepResult[], w: SweepTableWords = SWEEP_TABLE_EN): string {
  const paths = [...new Set(results.flatMap((r) => r.overrides.map((o) => o.path)))];
  const acc = results.some((r) => r.validAccuracy !== undefined);
  const secs = results.some((r) => r.seconds !== undefined);
  const head = [w.rank, w.trial, ...paths.map((p) => `\`${p}\``), w.validLoss, ...(acc ? [w.validAccuracy] : []), w.finalLoss, w.parameters, w.steps, ...(secs ? [w.seconds] : []), w.status, w.run];
  const rows = rankResults(results).map((r, i) => {
    const by = new Map(r.overrides.map((o) => [o.path, o.value]));
    return [
      String(i + 1), String(r.trial), ...paths.map((p) => (by.has(p) ? cell(by.get(p)) : '')), num(r.validLoss),
      ...(acc ? [r.validAccuracy !== undefined ? `${(r.validAccuracy * 100).toFixed(1)}%` : ''] : []),
      num(r.finalLoss), r.parameters !== undefined ? String(r.parameters) : '', r.steps !== undefined ? `${r.step ?? 0}/${r.steps}` : '',
      ...(secs ? [r.seconds !== undefined ? r.seconds.toFixed(1) : ''] : []), r.status, r.run ? `\`${r.run}\`` : '',
    ];
  });
  const line = (c: string[]) => `| ${c.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The words of a sweep report (the host passes them in the display language). */
export interface SweepReportWords extends SweepTableWords {
  title: (experiment: string) => string;
  sweep: (id: string, trials: number) => string;
  best: (trial: number, settings: string, loss: string) => string;
  ratio: (trial: number, settings: string, times: string) => string;
  none: string;
}
export const SWEEP_REPORT_EN: SweepReportWords = {
  ...SWEEP_TABLE_EN,
  title: (e) => `Sweep of ${e}`,
  sweep: (id, n) => `Sweep \`${id}\`, ${n} trial${n === 1 ? '' : 's'}, sorted by validation loss (the best of each run).`,
  best: (t, s, l) => `Best: trial ${t} (${s}), validation loss ${l}.`,
  ratio: (t, s, x) => `Trial ${t} (${s}): ${x}x the best validation loss.`,
  none: 'No trial has a validation loss yet.',
};

/** A markdown report: the table, the best trial, and how far behind each other trial is (as a ratio). */
export function sweepReport(experiment: string, id: string, results: readonly SweepResult[], w: SweepReportWords = SWEEP_REPORT_EN): string {
  const ranked = rankResults(results).filter((r) => r.validLoss !== undefined && Number.isFinite(r.validLoss));
  const lines = [`# ${w.title(experiment)}`, '', w.sweep(id, results.length), '', sweepTable(results, w), ''];
  if (!ranked.length) lines.push(w.none);
  else {
    const best = ranked[0];
    lines.push(`- ${w.best(best.trial, describeOverrides(best.overrides), num(best.validLoss))}`);
    for (const r of ranked.slice(1)) {
      const ratio = best.validLoss! > 0 ? (r.validLoss! / best.validLoss!).toPrecision(3) : '∞';
      lines.push(`- ${w.ratio(r.trial, describeOverrides(r.overrides), ratio)}`);
    }
  }
  return lines.join('\n') + '\n';
}

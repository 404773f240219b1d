/**
 * Time series from a CSV file: several feature columns in, one or more target columns out.
 * Rows are in time order. They are cut chronologically into training, validation and test parts
 * (data.validation, data.test: the last rows are the test part); each window lies inside one part.
 *
 *   input  x = rows s .. s+L-1 of the feature columns          (L = data.length)
 *   target y = row s+L-1+k of the target columns                (k = data.horizon)
 *   next window starts at s + data.stride
 *
 * Every column is scaled with statistics of the training rows only (min-max to [0, 1], z-score,
 * or none), so nothing of the later parts leaks into training; predictions are turned back into
 * the original units for MAE and RMSE.
 */
import type { ColumnScale, Example, SeqData } from '../data';
import type { ModelSpec, Scaling } from '../spec';
import { DataError, checkSize, chronologicalCuts, fmt, intParam, readWorkspaceFile, type TaskContext } from './common';
import { fail, fieldIndex, formatOf, parseCsvNumber, shown, tableOf, type SourceFile } from './files';

function intField(spec: ModelSpec, key: 'horizon' | 'stride', def: number): number {
  const v = spec.data[key] ?? def;
  if (!Number.isInteger(v) || v < 1 || v > 100_000) throw new DataError((m) => m.text('data/whole-number', { field: `data.${key}`, min: 1, max: 100_000, got: String(v) }), ['data', key]);
  return v;
}

/** Fit a column's scale on the training rows. */
export function fitScale(name: string, values: number[], method: Scaling): ColumnScale {
  if (method === 'none' || !values.length) return { name, offset: 0, scale: 1 };
  if (method === 'minmax') {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return { name, offset: lo, scale: hi > lo ? hi - lo : 1 };
  }
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { name, offset: mean, scale: sd > 0 ? sd : 1 };
}

export function buildForecast(spec: ModelSpec, ctx: TaskContext): SeqData {
  if (spec.data.file === undefined) throw new DataError((m) => m.text('data/needs-file', { task: 'forecast', what: 'forecast' }), ['data']);
  const L = intParam(spec, 'length', 1, 10_000);
  const k = intField(spec, 'horizon', 1);
  const stride = intField(spec, 'stride', 1);
  const method: Scaling = spec.data.scaling ?? 'minmax';
  const f = readWorkspaceFile(spec.data.file, ['data', 'file'], ctx, spec.data.task);
  const src: SourceFile = { name: f.name, abs: f.abs, text: f.text, where: ['data', 'file'] };
  const format = formatOf(spec, f.name, ['csv', 'tsv']);
  const { header, rows } = tableOf(src, format as 'csv' | 'tsv', ctx);
  const numeric = header.map((_, i) => parseCsvNumber(rows[0].cells[i]) !== undefined);
  const pick = (list: (string | number)[] | undefined, key: 'features' | 'targets', def: number[]): number[] => {
    if (list === undefined) return def;
    if (!Array.isArray(list) || !list.length) throw new DataError((m) => m.text('data/columns-empty', { key }), ['data', key]);
    const out = list.map((c, i) => fieldIndex(src, header, c, key, i));
    const dup = out.findIndex((c, i) => out.indexOf(c) !== i);
    if (dup >= 0) throw new DataError((m) => m.text('data/column-repeated', { key, index: dup, column: shown(header[out[dup]]) }), ['data', key, dup]);
    return out;
  };
  const allNumeric = header.map((_, i) => i).filter((i) => numeric[i]);
  if (!allNumeric.length) fail(src, rows[0].line, 1, (m) => m.text('data-file/no-numeric', { header: header.map((h) => shown(h)).join(', ') }));
  const features = pick(spec.data.features, 'features', allNumeric);
  const targets = pick(spec.data.targets, 'targets', [allNumeric[allNumeric.length - 1]]);
  const cols = [...new Set([...features, ...targets])];
  const N = rows.length;
  // Every used cell a number: located errors for the first that is not.
  const values = new Map<number, Float64Array>(cols.map((c) => [c, new Float64Array(N)]));
  for (let r = 0; r < N; r++) {
    const row = rows[r];
    for (const c of cols) {
      const v = parseCsvNumber(row.cells[c]);
      if (v === undefined || !Number.isFinite(v)) {
        const found = row.cells[c].trim() === '' ? undefined : shown(row.cells[c]);
        fail(src, row.line, row.starts[c], (m) => m.text('data-file/not-a-number', { column: shown(header[c]), ...(found !== undefined ? { found } : {}) }));
      }
      values.get(c)![r] = v;
    }
  }
  const [trainEnd, validEnd] = chronologicalCuts(spec, N);
  const w = L + k; // rows a window spans, its target included
  const parts: ['training' | 'validation' | 'test', number, number][] = [['training', 0, trainEnd], ['validation', trainEnd, validEnd], ['test', validEnd, N]];
  for (const [name, from, to] of parts) {
    if (to > from && to - from < w) {
      throw new DataError((m) => m.text('data/split-too-short', { file: f.name, rows: N, part: name, from: from + 1, to, length: L, horizon: k }), ['data', 'length']);
    }
  }
  if (trainEnd < w) throw new DataError((m) => m.text('data/too-few-rows', { file: f.name, window: w }), ['data', 'length']);
  const scales = new Map(cols.map((c) => [c, fitScale(header[c], Array.from(values.get(c)!.subarray(0, trainEnd)), method)]));
  const scaled = (c: number, r: number) => (values.get(c)![r] - scales.get(c)!.offset) / scales.get(c)!.scale;
  const windows = (from: number, to: number): Example[] => {
    const out: Example[] = [];
    for (let s = from; s + w <= to; s += stride) {
      const x: number[][] = [];
      for (let t = s; t < s + L; t++) x.push(features.map((c) => scaled(c, t)));
      out.push({ x, y: [targets.map((c) => scaled(c, s + L - 1 + k))] });
    }
    return out;
  };
  const train = windows(0, trainEnd);
  checkSize(Math.ceil(N / stride) * L * features.length, spec, ['data', 'file']);
  const valid = windows(trainEnd, validEnd);
  const test = windows(validEnd, N);
  // Persistence: predict each target's value at the window's last row (in scaled units).
  const judged = valid.length ? valid : train;
  const fIdx = targets.map((c) => features.indexOf(c));
  let naive: number | undefined;
  if (fIdx.every((i) => i >= 0)) {
    let s = 0;
    for (const e of judged) fIdx.forEach((i, j) => (s += (e.y[0][j] - e.x[L - 1][i]) ** 2));
    naive = s / (judged.length * targets.length);
  }
  const tNames = targets.map((c) => header[c]);
  return {
    task: 'forecast',
    structure: spec.structure,
    input: { kind: 'real', features: features.length, names: features.map((c) => header[c]) },
    output: { kind: 'real', features: targets.length, names: tNames },
    generative: false,
    train,
    valid,
    test,
    scaling: { method, features: features.map((c) => scales.get(c)!), targets: targets.map((c) => scales.get(c)!) },
    baselineLoss: naive,
    about:
      `Forecast ${tNames.join(', ')} of ${f.name} ${k} row${k > 1 ? 's' : ''} after a window of ${L} rows of ${features.length} column${features.length > 1 ? 's' : ''} ` +
      `(${features.map((c) => header[c]).join(', ')}), ${method === 'none' ? 'unscaled' : `${method} scaled on the training rows`}; ` +
      `${N} rows cut in time order into ${train.length} training, ${valid.length} validation and ${test.length} test windows. ` +
      (naive !== undefined ? `Repeating the last value scores MSE ${fmt(naive, 3)} (scaled): solved means clearly below it, with MAE and RMSE reported in the original units.` : 'MAE and RMSE are reported in the original units.'),
  };
}

/**
 * One-step-ahead forecasting of a real series: a seeded mixture of sines plus noise, or one
 * column of a CSV file (z-score normalised). Windows never straddle the train/validation cut.
 */
import { csvParseRows } from 'd3-dsv';
import type { Example, InputKind, OutputKind, SeqData } from '../data';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { parseCsvNumber } from './files';
import { DataError, TaskContext, checkSize, fmt, intParam, readDataFile, validCount, validationFraction } from './common';


/** Cut `series` into windows of `w` points (inputs and targets), stride `stride`. */
function windows(series: number[], from: number, to: number, w: number, stride: number, m2m: boolean): Example[] {
  const out: Example[] = [];
  for (let s = from; s + w <= to; s += stride) {
    const seg = series.slice(s, s + w);
    const x = seg.slice(0, -1).map((v) => [v]);
    const y = m2m ? seg.slice(1).map((v) => [v]) : [[seg[w - 1]]];
    out.push({ x, y });
  }
  return out;
}

export interface CsvSeries {
  values: number[];
  column: string;
}

/** Read one numeric column of a CSV text. Errors name the file line. */
export function readCsvColumn(text: string, name: string, column: string | number | undefined): CsvSeries {
  const lines = text.split(/\r\n|\n|\r/);
  const rows: { line: number; cells: string[] }[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    rows.push({ line: i + 1, cells: csvParseRows(l)[0] ?? [] });
  });
  if (rows.length === 0) throw new DataError(`${name} is empty`, ['data', 'file']);
  const first = rows[0];
  // The first line is a header when it has text where the next line has a number (or when it
  // is the only line and has text).
  const second = rows[1]?.cells;
  const isHeader = first.cells.some(
    (c, i) => parseCsvNumber(c) === undefined && c.trim() !== '' && (second ? parseCsvNumber(second[i] ?? '') !== undefined : true),
  );
  const header = isHeader ? first.cells.map((c) => c.trim()) : undefined;
  const data = header ? rows.slice(1) : rows;
  if (data.length === 0) throw new DataError(`${name} has a header line but no data lines`, ['data', 'file']);
  const width = first.cells.length;
  let col: number;
  if (column === undefined) {
    // The last column whose first data cell is a number.
    col = -1;
    data[0].cells.forEach((c, i) => {
      if (parseCsvNumber(c) !== undefined) col = i;
    });
    if (col < 0) {
      throw new DataError(`${name} line ${data[0].line}: no numeric column found; set data.column`, ['data', 'column']);
    }
  } else if (typeof column === 'number') {
    if (!Number.isInteger(column) || column < 0 || column >= width) {
      throw new DataError(`data.column ${column} is out of range: ${name} line ${first.line} has ${width} column${width === 1 ? '' : 's'} (0-based)`, ['data', 'column']);
    }
    col = column;
  } else {
    const asIndex = /^\d+$/.test(column) ? Number(column) : undefined;
    const byName = header ? header.indexOf(column.trim()) : -1;
    if (byName >= 0) col = byName;
    else if (asIndex !== undefined && asIndex < width) col = asIndex;
    else {
      throw new DataError(
        header
          ? `data.column '${column}' is not a column of ${name}; its header (line ${first.line}) has ${header.map((h) => `'${h}'`).join(', ')}`
          : `data.column '${column}' names a column but ${name} has no header line; give a 0-based index instead`,
        ['data', 'column'],
      );
    }
  }
  const colName = header ? header[col] : `column ${col}`;
  const values: number[] = [];
  for (const r of data) {
    if (r.cells.length <= col) {
      throw new DataError(`${name} line ${r.line}: has ${r.cells.length} field${r.cells.length === 1 ? '' : 's'}, no ${colName} (column ${col})`, ['data', 'file']);
    }
    const v = parseCsvNumber(r.cells[col]);
    if (v === undefined || !Number.isFinite(v)) {
      throw new DataError(`${name} line ${r.line}: ${JSON.stringify(r.cells[col])} in ${colName} is not a number`, ['data', 'file']);
    }
    values.push(v);
  }
  return { values, column: colName };
}

export function buildSine(spec: ModelSpec, ctx: TaskContext): SeqData {
  const L = intParam(spec, 'length', 1, 10_000);
  const fraction = validationFraction(spec);
  const m2m = spec.structure === 'many-to-many';
  const w = L + 1; // L inputs plus the value after them
  const base = {
    task: 'sine', structure: spec.structure,
    input: { kind: 'real', features: 1, names: ['value'] } as InputKind,
    output: { kind: 'real', features: 1, names: ['next'] } as OutputKind,
    generative: false,
  };
  const target = m2m ? 'the next value at every step' : 'the value that follows the window';

  if (spec.data.file !== undefined) {
    if (!/\.csv$/i.test(spec.data.file)) {
      throw new DataError(`task 'sine' reads a .csv file (got '${spec.data.file}')`, ['data', 'file']);
    }
    const { text, name } = readDataFile(spec, ctx);
    const { values, column } = readCsvColumn(text, name, spec.data.column);
    const N = values.length;
    const cut = fraction > 0 ? Math.round(N * (1 - fraction)) : N;
    const validLen = N - cut;
    if (cut < w || (fraction > 0 && validLen < w)) {
      const need = fraction > 0 ? Math.ceil(w / Math.min(fraction, 1 - fraction)) : w;
      throw new DataError(
        `${name} has ${N} values in ${column}; windows of data.length ${L} + 1 with validation ${fraction} need at least ${need}`,
        ['data', 'file'],
      );
    }
    // z-score with the training part's statistics (nothing of the validation tail leaks in).
    const trainPart = values.slice(0, cut);
    const mean = trainPart.reduce((s, v) => s + v, 0) / cut;
    const sd = Math.sqrt(trainPart.reduce((s, v) => s + (v - mean) ** 2, 0) / cut);
    if (!(sd > 0)) throw new DataError(`${column} in ${name} is constant in the training part; nothing to forecast`, ['data', 'column']);
    const z = values.map((v) => (v - mean) / sd);
    const samples = spec.data.samples;
    const available = cut - w + 1;
    const stride = typeof samples === 'number' && samples > 0 ? Math.max(1, Math.ceil(available / samples)) : 1;
    checkSize(Math.ceil(available / stride) * L * (m2m ? 2 : 1), spec);
    const train = windows(z, 0, cut, w, stride, m2m);
    const valid = fraction > 0 ? windows(z, cut, N, w, stride, m2m) : [];
    const naive = naiveLoss(valid.length ? valid : train, m2m);
    return {
      ...base, train, valid, baselineLoss: naive,
      about:
        `Forecast ${column} from ${name}, z-score normalised with the training part's mean ${fmt(mean)} and standard deviation ` +
        `${fmt(sd)}: read ${L} values and predict ${target}; ` +
        (fraction > 0 ? `validation is the last ${Math.round(fraction * 100)}% of the series. ` : 'nothing is held out for validation. ') +
        `Repeating the last value scores MSE ${fmt(naive, 3)}: solved means beating that clearly.`,
    };
  }

  const samples = intParam(spec, 'samples', 1, 1_000_000);
  const nValid = validCount(samples, fraction);
  const nTrain = samples - nValid;
  checkSize(samples * L * (m2m ? 2 : 1), spec);
  const rng = new Rng(spec.data.seed);
  const k = 1 + rng.int(3);
  const parts = Array.from({ length: k }, () => ({
    period: rng.uniform(8, 40),
    phase: rng.uniform(0, 2 * Math.PI),
    amp: rng.uniform(0.3, 1),
  }));
  const ampSum = parts.reduce((s, p) => s + p.amp, 0);
  const noise = 0.05;
  // Training windows slide over the first stretch of the series, validation windows over a later,
  // separate stretch.
  const trainLen = nTrain + w - 1;
  const N = trainLen + (nValid > 0 ? nValid + w - 1 : 0);
  const series = Array.from({ length: N }, (_, t) =>
    parts.reduce((s, p) => s + p.amp * Math.sin((2 * Math.PI * t) / p.period + p.phase), 0) / ampSum + noise * rng.normal(),
  );
  const train = windows(series, 0, trainLen, w, 1, m2m);
  const valid = nValid > 0 ? windows(series, trainLen, N, w, 1, m2m) : [];
  const naive = naiveLoss(valid.length ? valid : train, m2m);
  const desc = parts.map((p) => `period ${p.period.toFixed(1)}`).join(', ');
  return {
    ...base, train, valid, baselineLoss: naive,
    about:
      `A noisy mixture of ${k} sine wave${k > 1 ? 's' : ''} (${desc}; noise sd ${noise}): read ${L} values and predict ${target}. ` +
      `Repeating the last value scores MSE ${fmt(naive, 3)} while the noise alone costs ${fmt(noise * noise, 2)}, so solved ` +
      `means a validation MSE close to that floor.`,
  };
}

/** MSE of predicting "same as the last input" (persistence), the usual forecasting baseline. */
function naiveLoss(exs: Example[], m2m: boolean): number {
  let s = 0;
  let n = 0;
  for (const e of exs) {
    if (m2m) {
      e.y.forEach((v, t) => {
        s += (v[0] - e.x[t][0]) ** 2;
        n++;
      });
    } else {
      s += (e.y[0][0] - e.x[e.x.length - 1][0]) ** 2;
      n++;
    }
  }
  return n ? s / n : 0;
}

/**
 * Evaluation that fits the task, as pure functions of true and predicted values:
 *
 *  - classes (classification, tagging): a confusion matrix C[true][predicted] and per class
 *      precision_c = C[c][c] / sum_t C[t][c]     (of everything predicted c, how much was c)
 *      recall_c    = C[c][c] / sum_p C[c][p]     (of everything that was c, how much was found)
 *      F1_c        = 2 precision_c recall_c / (precision_c + recall_c)
 *    (0 where a denominator is 0), accuracy = trace(C) / n and macro F1 = mean over classes of F1_c;
 *  - real values (forecasting): per target, in the original units v = scaled * scale + offset,
 *      MAE = mean |v - v_hat|,  RMSE = sqrt(mean (v - v_hat)^2);
 *  - next-token models (language models, encoder-decoders): perplexity = exp(mean negative
 *    log-likelihood per token) and token accuracy.
 */
import type { ColumnScale, SeqData } from './data';

export type Split = 'test' | 'validation' | 'training';

export interface ClassScores {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** How many true examples (tokens) of the class. */
  support: number;
}

export interface ClassificationReport {
  kind: 'classification';
  n: number;
  accuracy: number;
  macroF1: number;
  labels: string[];
  classes: ClassScores[];
  /** confusion[true][predicted] */
  confusion: number[][];
}

export interface RegressionReport {
  kind: 'regression';
  n: number;
  /** 'original' when the data was scaled and the figures are turned back; 'as-is' otherwise. */
  units: 'original' | 'as-is';
  targets: { name: string; mae: number; rmse: number }[];
}

export interface LanguageReport {
  kind: 'language';
  /** Tokens predicted. */
  n: number;
  perplexity: number;
  /** Token accuracy; teacher-forced for an encoder-decoder (the decoder fed the true previous token). */
  accuracy: number;
  /** encoder-decoder: the decoder fed its own outputs (greedy; src/core/decode.ts). */
  freeRunning?: { exactMatch: number; tokenAccuracy: number; bleu?: number };
}

export type EvaluationReport = (ClassificationReport | RegressionReport | LanguageReport) & {
  split: Split;
  /** Examples evaluated. */
  examples: number;
  /** Mean loss per target position. */
  loss: number;
};

export function confusionMatrix(truth: ArrayLike<number>, pred: ArrayLike<number>, k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]][pred[i]]++;
  return m;
}

export function classificationReport(truth: ArrayLike<number>, pred: ArrayLike<number>, labels: string[]): ClassificationReport {
  const k = labels.length;
  const c = confusionMatrix(truth, pred, k);
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  let correct = 0;
  const classes = labels.map((label, i) => {
    const tp = c[i][i];
    correct += tp;
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < k; j++) {
      predicted += c[j][i];
      actual += c[i][j];
    }
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, actual);
    return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support: actual };
  });
  return {
    kind: 'classification',
    n: truth.length,
    accuracy: ratio(correct, truth.length),
    macroF1: classes.reduce((s, x) => s + x.f1, 0) / Math.max(1, k),
    labels,
    classes,
    confusion: c,
  };
}

/** MAE and RMSE per target column; `scales` turns scaled values back into the original units. */
export function regressionReport(truth: number[][], pred: number[][], names: string[], scales?: ColumnScale[]): RegressionReport {
  const targets = names.map((name, j) => {
    const s = scales?.[j] ?? { offset: 0, scale: 1 };
    let abs = 0;
    let sq = 0;
    for (let i = 0; i < truth.length; i++) {
      const d = (truth[i][j] - pred[i][j]) * s.scale;
      abs += Math.abs(d);
      sq += d * d;
    }
    const n = Math.max(1, truth.length);
    return { name, mae: abs / n, rmse: Math.sqrt(sq / n) };
  });
  const scaled = !!scales && scales.some((s) => s.offset !== 0 || s.scale !== 1);
  return { kind: 'regression', n: truth.length, units: scaled ? 'original' : 'as-is', targets };
}

/** exp(mean negative log-likelihood per token). */
export function perplexity(meanNll: number): number {
  return Math.exp(meanNll);
}

/** What the model produced over a set, position by position (see Trainer.collect). */
export interface Collected {
  examples: number;
  /** Mean loss per target position. */
  loss: number;
  /** Class tasks: true and predicted class (argmax) per target position. */
  truth?: Int32Array;
  pred?: Int32Array;
  /** Real-valued tasks: true and predicted vectors per target position. */
  truthValues?: number[][];
  predValues?: number[][];
}

/** The report that fits the data set's kind. */
export function reportFor(data: SeqData, c: Collected, split: Split): EvaluationReport {
  const base = { split, examples: c.examples, loss: c.loss };
  const o = data.output;
  if (o.kind === 'real') {
    const names = o.names ?? Array.from({ length: o.features }, (_, i) => `y${i}`);
    return { ...base, ...regressionReport(c.truthValues ?? [], c.predValues ?? [], names, data.scaling?.targets) };
  }
  const truth = c.truth ?? new Int32Array(0);
  const pred = c.pred ?? new Int32Array(0);
  if (o.kind === 'classes' && (data.generative || data.structure === 'encoder-decoder')) {
    let right = 0;
    for (let i = 0; i < truth.length; i++) if (truth[i] === pred[i]) right++;
    return { ...base, kind: 'language', n: truth.length, perplexity: perplexity(c.loss), accuracy: truth.length ? right / truth.length : 0 };
  }
  const labels = o.kind === 'classes' ? o.classes : [`not ${o.labels[0]}`, o.labels[0]];
  return { ...base, ...classificationReport(truth, pred, labels) };
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const num = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toPrecision(4) : v.toFixed(4));

/** The report as plain text lines (the CLI prints them). Long class lists show the first `maxClasses`. */
export function formatReport(r: EvaluationReport, maxClasses = 30): string[] {
  const head = `${r.split} set: ${r.examples} examples, loss ${num(r.loss)}`;
  if (r.kind === 'language') {
    const f = r.freeRunning;
    if (!f) return [`${head}, perplexity ${num(r.perplexity)}, token accuracy ${pct(r.accuracy)} (${r.n} tokens)`];
    return [
      `${head} (teacher-forced), perplexity ${num(r.perplexity)}, token accuracy ${pct(r.accuracy)} (teacher-forced, ${r.n} tokens)`,
      `  free-running (greedy): exact match ${pct(f.exactMatch)}, token accuracy ${pct(f.tokenAccuracy)}${f.bleu !== undefined ? `, BLEU ${(f.bleu * 100).toFixed(1)}` : ''}`,
    ];
  }
  if (r.kind === 'regression') {
    return [
      `${head}${r.units === 'original' ? ' (MAE and RMSE in the original units)' : ''}`,
      ...r.targets.map((t) => `  ${t.name}: MAE ${num(t.mae)}  RMSE ${num(t.rmse)}`),
    ];
  }
  const w = Math.min(24, Math.max(5, ...r.labels.map((l) => l.length)));
  const shown = r.classes.slice(0, maxClasses);
  const lines = [
    `${head}, accuracy ${pct(r.accuracy)}, macro F1 ${r.macroF1.toFixed(3)} (${r.n} ${r.n === r.examples ? 'examples' : 'tokens'})`,
    `  ${'class'.padEnd(w)}  precision  recall     F1  support`,
    ...shown.map((c) => `  ${c.label.slice(0, w).padEnd(w)}  ${c.precision.toFixed(3).padStart(9)}  ${c.recall.toFixed(3).padStart(6)}  ${c.f1.toFixed(3).padStart(5)}  ${String(c.support).padStart(7)}`),
  ];
  if (r.classes.length > shown.length) lines.push(`  ... ${r.classes.length - shown.length} more classes`);
  if (r.labels.length <= 12) {
    const cw = Math.max(4, ...r.confusion.flat().map((v) => String(v).length));
    const abbrev = r.labels.map((l) => l.slice(0, cw).padStart(cw));
    lines.push(`  confusion (rows: true, columns: predicted)`);
    lines.push(`  ${''.padEnd(w)}  ${abbrev.join(' ')}`);
    r.confusion.forEach((row, i) => lines.push(`  ${r.labels[i].slice(0, w).padEnd(w)}  ${row.map((v) => String(v).padStart(cw)).join(' ')}`));
  }
  return lines;
}

/**
 * What a regression probe looks like on a time axis, in the original units where the data was
 * scaled (v = scaled * scale + offset):
 *
 *   past[t]     the input window's own values of the first target, t = 0 .. T-1 (the target is
 *               one of the input columns: a forecast's `close`, the sine's value); empty when it
 *               is not (the adding problem reads values and markers and answers a sum);
 *   at[j]       where output step j lands on that axis: T - T_out + j + horizon
 *               (many-to-one: the step `horizon` after the window; many-to-many: step j + horizon);
 *   predicted[j], truth[j]  the model's and the true value of the first target at output step j.
 */
export interface ForecastWindow {
  target: string;
  units: 'original' | 'as-is';
  past: number[];
  at: number[];
  predicted: number[];
  truth: number[];
}

export function forecastWindow(data: SeqData, x: number[][], predicted: number[][], truth: number[][], horizon = 1): ForecastWindow | undefined {
  const o = data.output, i = data.input;
  if (o.kind !== 'real' || i.kind !== 'real') return undefined;
  const target = o.names?.[0] ?? 'y0';
  const ts = data.scaling?.targets[0] ?? { offset: 0, scale: 1 };
  // the target among the inputs: by name (forecast CSVs), or the sine's single series (value -> next)
  let col = i.names && o.names ? i.names.indexOf(target) : -1;
  if (col < 0 && data.task === 'sine' && i.features === 1) col = 0;
  const fs = col >= 0 ? data.scaling?.features[col] ?? { offset: 0, scale: 1 } : undefined;
  const past = col >= 0 ? x.map((row) => row[col]! * fs!.scale + fs!.offset) : [];
  const T = x.length, Tout = truth.length;
  const back = (v: number | undefined) => (v === undefined ? NaN : v * ts.scale + ts.offset);
  const scaled = !!data.scaling && [ts, ...(fs ? [fs] : [])].some((s) => s.offset !== 0 || s.scale !== 1);
  return {
    target,
    units: scaled ? 'original' : 'as-is',
    past,
    at: Array.from({ length: Tout }, (_, j) => T - Tout + j + horizon),
    predicted: predicted.map((r) => back(r[0])),
    truth: truth.map((r) => back(r[0])),
  };
}

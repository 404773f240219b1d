/**
 * Regression predictions (stock-forecast, sine, adding) as a chart on a time axis: the input window
 * (the target's own past values, when the target is one of the inputs) as a line, then the
 * predicted (filled points) and true (hollow points, dashed) values where they land (the step
 * `horizon` after the window; every step for many-to-many), all on one value axis in the original
 * units when the data was scaled (src/core/evaluate.ts forecastWindow), with labelled axes and
 * uPlot's hover legend. Without a past (the adding problem answers a sum) the axis also holds 0, and
 * the values are written out under the chart: a perfect answer's two points coincide, a wrong
 * one's visibly do not.
 */
import uPlot from 'uplot';
import { withSoftwareCanvas } from './chart';
import { highContrast, onThemeChange, themeColor } from './theme';

export interface ForecastLabels { step: string; value: string; predicted: string; truth: string; past: string; error: string }

/** What is drawn: the same fields as the probe's `forecast` (src/protocol probeResult). */
export interface ForecastData { target: string; units: 'original' | 'as-is'; past: number[]; at: number[]; predicted: number[]; truth: number[] }

const DEFAULT_LABELS: ForecastLabels = { step: 'time step', value: 'value', predicted: 'predicted', truth: 'true', past: 'input window', error: 'error' };

export class ForecastChart {
  private u?: uPlot;
  private last?: ForecastData;
  private readonly plot: HTMLDivElement;
  /** The values written out (one output step: predicted, true, error). */
  readonly readout: HTMLParagraphElement;

  constructor(readonly el: HTMLElement, private labels: ForecastLabels = DEFAULT_LABELS) {
    this.plot = document.createElement('div');
    this.readout = document.createElement('p');
    this.readout.className = 'forecast-readout num';
    el.append(this.plot, this.readout);
    new ResizeObserver(() => this.u?.setSize(this.size())).observe(el);
    onThemeChange(() => this.rebuild());
  }

  setLabels(labels: ForecastLabels): void {
    this.labels = labels;
    this.rebuild();
  }

  /** Predicted and true values alone (no input window), one per output step. */
  set(predicted: number[], truth: number[]): void {
    const n = Math.max(predicted.length, truth.length);
    this.setWindow({ target: '', units: 'as-is', past: [], at: Array.from({ length: n }, (_, i) => i), predicted, truth });
  }

  setWindow(w: ForecastData): void {
    const prev = this.last;
    const same = prev && prev.past.length === w.past.length && prev.at.join() === w.at.join() && prev.target === w.target;
    this.last = w;
    if (this.u && same) this.u.setData(this.data());
    else this.rebuild();
    this.writeReadout();
  }

  /** The y range drawn (tests check every series shares it). */
  get yRange(): [number, number] | undefined {
    const s = this.u?.scales.y;
    return s && s.min !== undefined && s.max !== undefined ? [s.min!, s.max!] : undefined;
  }

  /** The axes' titles (uPlot draws them on its canvas), x then y. */
  get axisLabels(): string[] {
    return this.u ? this.u.axes.map((a) => String(a.label ?? '')) : [];
  }

  /** The series' labels and their number of drawn (non-null) points (tests read them). */
  get series(): { label: string; points: number }[] {
    if (!this.u) return [];
    return this.u.series.slice(1).map((s, i) => ({ label: String(s.label), points: (this.u!.data[i + 1] as (number | null)[]).filter((v) => v !== null).length }));
  }

  private data(): uPlot.AlignedData {
    const { past, at, predicted, truth } = this.last!;
    const fin = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
    // without a past window only the output steps are on the axis
    if (!past.length) return [at, predicted.map(fin), truth.map(fin)];
    const n = Math.max(past.length, ...at.map((a) => a + 1));
    const xs = Array.from({ length: n }, (_, i) => i);
    const place = (v: number[]) => {
      const col: (number | null)[] = xs.map(() => null);
      at.forEach((x, j) => (col[x] = fin(v[j])));
      return col;
    };
    return [xs, xs.map((i) => fin(past[i])), place(predicted), place(truth)];
  }

  private writeReadout(): void {
    const w = this.last;
    const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(4) : '—');
    if (!w || w.at.length !== 1) {
      this.readout.textContent = '';
      return;
    }
    const p = w.predicted[0]!, y = w.truth[0]!;
    const name = w.target ? `${w.target}: ` : '';
    this.readout.textContent = `${name}${this.labels.predicted} ${fmt(p)} · ${this.labels.truth} ${fmt(y)} · ${this.labels.error} ${fmt(p - y)}`;
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(240, this.el.clientWidth || 480), height: 200 };
  }

  private rebuild(): void {
    this.u?.destroy();
    this.u = undefined;
    const w = this.last;
    if (!w) return;
    const fg = themeColor('--vscode-foreground', '#ccc');
    const grid = themeColor('--vscode-panel-border', 'rgba(128,128,128,0.25)');
    const lw = highContrast() ? 3 : 2;
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const fmt = (v: number | null) => (v === null || v === undefined ? '—' : v.toPrecision(4));
    const withPast = w.past.length > 0;
    const single = !withPast && w.at.length <= 1;
    const value = w.target ? `${w.target}` : this.labels.value;
    const series: uPlot.Series[] = [
      { label: this.labels.step, value: (_u, v) => (v === null ? '—' : String(v)) },
      ...(withPast ? [{ label: this.labels.past, stroke: fg, width: lw - 0.5, points: { show: true, size: 4 }, value: (_u: uPlot, v: number | null) => fmt(v) }] : []),
      { label: this.labels.predicted, stroke: themeColor('--vscode-charts-blue', '#3794ff'), width: lw, points: { show: true, size: 8 }, value: (_u, v) => fmt(v) },
      { label: this.labels.truth, stroke: themeColor('--vscode-charts-orange', '#d18616'), width: lw, dash: [5, 4], points: { show: true, size: 11, fill: 'transparent' }, value: (_u, v) => fmt(v) },
    ];
    const opts: uPlot.Options = {
      ...this.size(),
      scales: {
        x: { time: false, ...(single ? { range: (_u, lo, hi) => [lo - 1, hi + 1] as uPlot.Range.MinMax } : {}) },
        // one range for every series, padded, never collapsed to a point; without a past window it
        // holds 0 too, so an answer's distance from the truth reads against the values' size
        y: {
          range: (_u, lo, hi) => {
            if (!withPast) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
            const pad = Math.max(1e-3, (hi - lo) * 0.1, Math.abs(hi) * 0.05);
            return [lo - pad, hi + pad];
          },
        },
      },
      legend: { live: true },
      series,
      // time steps are whole numbers
      axes: [{ ...axis, label: this.labels.step, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }, { ...axis, label: value }],
    };
    this.u = withSoftwareCanvas(() => new uPlot(opts, this.data(), this.plot));
  }
}

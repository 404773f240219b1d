/**
 * Regression predictions (adding, sine) as a chart: predicted (solid) and true (dashed, with
 * points) values against the output step, on one shared value axis with labelled axes and uPlot's
 * hover legend, so a perfect forecast lies on the truth and a wrong one visibly does not.
 */
import uPlot from 'uplot';
import { withSoftwareCanvas } from './chart';
import { highContrast, onThemeChange, themeColor } from './theme';

export interface ForecastLabels { step: string; value: string; predicted: string; truth: string }

export class ForecastChart {
  private u?: uPlot;
  private last?: { predicted: number[]; truth: number[] };

  constructor(readonly el: HTMLElement, private labels: ForecastLabels = { step: 'output step', value: 'value', predicted: 'predicted', truth: 'true' }) {
    new ResizeObserver(() => this.u?.setSize(this.size())).observe(el);
    onThemeChange(() => this.rebuild());
  }

  setLabels(labels: ForecastLabels): void {
    this.labels = labels;
    this.rebuild();
  }

  set(predicted: number[], truth: number[]): void {
    const sameLength = this.last && this.last.predicted.length === predicted.length && this.last.truth.length === truth.length;
    this.last = { predicted, truth };
    if (this.u && sameLength) this.u.setData(this.data());
    else this.rebuild();
  }

  /** The y range drawn (tests check both series share it). */
  get yRange(): [number, number] | undefined {
    const s = this.u?.scales.y;
    return s && s.min !== undefined && s.max !== undefined ? [s.min!, s.max!] : undefined;
  }

  private data(): uPlot.AlignedData {
    const { predicted, truth } = this.last!;
    const n = Math.max(predicted.length, truth.length);
    const xs = Array.from({ length: n }, (_, i) => i);
    const col = (v: number[]) => xs.map((i) => (Number.isFinite(v[i]) ? v[i]! : null));
    return [xs, col(predicted), col(truth)];
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(240, this.el.clientWidth || 480), height: 180 };
  }

  private rebuild(): void {
    this.u?.destroy();
    this.u = undefined;
    if (!this.last) return;
    const fg = themeColor('--vscode-foreground', '#ccc');
    const grid = themeColor('--vscode-panel-border', 'rgba(128,128,128,0.25)');
    const lw = highContrast() ? 3 : 2;
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const fmt = (v: number | null) => (v === null || v === undefined ? '—' : v.toPrecision(4));
    const single = this.last.predicted.length <= 1;
    const opts: uPlot.Options = {
      ...this.size(),
      scales: {
        x: { time: false, ...(single ? { range: [-1, 1] as uPlot.Range.MinMax } : {}) },
        // one range for both series, padded, never collapsed to a point
        y: { range: (_u, lo, hi) => { const pad = Math.max(1e-3, (hi - lo) * 0.1, Math.abs(hi) * 0.05); return [lo - pad, hi + pad]; } },
      },
      legend: { live: true },
      series: [
        { label: this.labels.step, value: (_u, v) => (v === null ? '—' : String(v)) },
        { label: this.labels.predicted, stroke: themeColor('--vscode-charts-blue', '#3794ff'), width: lw, points: { show: true, size: 6 }, value: (_u, v) => fmt(v) },
        { label: this.labels.truth, stroke: themeColor('--vscode-charts-orange', '#d18616'), width: lw, dash: [5, 4], points: { show: true, size: 8, fill: 'transparent' }, value: (_u, v) => fmt(v) },
      ],
      axes: [{ ...axis, label: this.labels.step }, { ...axis, label: this.labels.value }],
    };
    this.u = withSoftwareCanvas(() => new uPlot(opts, this.data(), this.el));
  }
}

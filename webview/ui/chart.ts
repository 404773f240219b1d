/**
 * The live loss curve (uPlot): train loss (raw, faint) and its EMA-smoothed line (TensorBoard's
 * debiased EMA), validation loss, accuracy on a right-hand 0..1 axis where the task has one,
 * dashed overlays of other runs of the same experiment. Log-scale toggle; uPlot's legend is the
 * hover readout. Appends are O(1); the redraw is batched to one per animation frame and draws at
 * most about two points per pixel (min/max per bucket of the raw loss, so spikes stay visible).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricRowMsg, OverlayRun } from '../../src/protocol';
import { highContrast, onThemeChange, themeColor } from './theme';
import { t } from './l10n';

/** TensorBoard's smoothing: debiased exponential moving average, weight in [0, 1). */
export function emaSmooth(values: (number | null)[], weight: number, out: (number | null)[] = [], from = 0, state = { last: 0, n: 0 }): (number | null)[] {
  let { last, n } = state;
  for (let i = from; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    n++;
    out[i] = weight === 0 ? v : last / (1 - Math.pow(weight, n));
  }
  state.last = last;
  state.n = n;
  return out;
}

/**
 * Which rows to draw: at most ~`buckets` buckets of 2^k consecutive rows, and per bucket the rows
 * where the main series is lowest and highest (spikes stay visible) plus the first row of every
 * other series that has a value in it (sparse validation points and overlays survive). Complete
 * buckets are cached, so appending a row rescans only the last bucket; anything else
 * (`invalidate`) or a change of bucket size starts over.
 */
export class Decimator {
  private size = 0;
  private picks: number[][] = [];

  invalidate(): void {
    this.size = 0;
    this.picks = [];
  }

  /** Undefined when every row can be drawn (at most 4 per bucket). */
  indices(n: number, main: (number | null)[], others: (number | null)[][], buckets: number): Uint32Array | undefined {
    if (n <= buckets * 4) {
      this.invalidate();
      return undefined;
    }
    let size = 1;
    while (n / size > buckets) size *= 2;
    if (size !== this.size) {
      this.size = size;
      this.picks = [];
    }
    const complete = Math.floor(n / size);
    for (let b = this.picks.length; b < complete; b++) this.picks.push(pickBucket(b * size, (b + 1) * size, main, others));
    const tail = complete * size < n ? pickBucket(complete * size, n, main, others) : [];
    let total = tail.length;
    for (const p of this.picks) total += p.length;
    const out = new Uint32Array(total);
    let k = 0;
    for (const p of this.picks) for (const i of p) out[k++] = i;
    for (const i of tail) out[k++] = i;
    return out;
  }
}

function pickBucket(a: number, z: number, main: (number | null)[], others: (number | null)[][]): number[] {
  let lo = -1, hi = -1, loV = Infinity, hiV = -Infinity;
  for (let i = a; i < z; i++) {
    const v = main[i];
    if (v === null || v === undefined) continue;
    if (v < loV) { loV = v; lo = i; }
    if (v > hiV) { hiV = v; hi = i; }
  }
  const picked: number[] = [];
  if (lo >= 0) picked.push(lo);
  if (hi >= 0 && hi !== lo) picked.push(hi);
  for (const c of others) {
    for (let i = a; i < z; i++) {
      if (c[i] !== null && c[i] !== undefined) {
        if (!picked.includes(i)) picked.push(i);
        break;
      }
    }
  }
  if (!picked.length) picked.push(a);
  return picked.sort((x, y) => x - y);
}

/**
 * Runs `make` with every 2D canvas context it creates asking for a CPU-backed canvas
 * (willReadFrequently). uPlot creates its canvas and context itself. Measured (bench/panel.bench.mjs):
 * with a GPU-backed canvas each chart redraw is rasterised in the GPU process, which on a machine
 * without a GPU (SwiftShader) competes with the training worker for the CPU and delayed frames by
 * hundreds of milliseconds; a CPU canvas rasterises a decimated chart in a few ms on the UI thread
 * and hands the compositor a finished bitmap.
 */
export function withSoftwareCanvas<T>(make: () => T): T {
  const proto = HTMLCanvasElement.prototype;
  const original = proto.getContext;
  proto.getContext = function (this: HTMLCanvasElement, id: string, opts?: object) {
    return (original as (id: string, o?: object) => RenderingContext | null).call(this, id, id === '2d' ? { ...opts, willReadFrequently: true } : opts);
  } as typeof original;
  try {
    return make();
  } finally {
    proto.getContext = original;
  }
}

const css = themeColor;

export class LossChart {
  private u?: uPlot;
  private xs: number[] = [];
  private loss: (number | null)[] = [];
  private smooth: (number | null)[] = [];
  private valid: (number | null)[] = [];
  private acc: (number | null)[] = [];
  private overlays: { run: OverlayRun; loss: (number | null)[]; valid: (number | null)[] }[] = [];
  private emaState = { last: 0, n: 0 };
  private smoothing = 0.6;
  private log = false;
  private hasAcc = false;
  private frame = 0;
  private dirtyStructure = true;
  /** ms spent in the last setData (benchmarks read it). */
  lastUpdateMs = 0;

  constructor(private readonly el: HTMLElement) {
    new ResizeObserver(() => this.u?.setSize(this.size())).observe(el);
    // colours are read when the chart is built: rebuild it in the new theme's colours
    onThemeChange(() => {
      this.dirtyStructure = true;
      this.schedule();
    });
  }

  /** Rebuild with the labels in the current display language. */
  relabel(): void {
    this.dirtyStructure = true;
    if (this.u) this.schedule();
  }

  /** The stroke colour of each drawn series, by label (tests read it after a theme change). */
  strokes(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of this.u?.series.slice(1) ?? []) {
      const st = typeof s.stroke === 'function' ? s.stroke(this.u!, 0) : s.stroke;
      out[String(s.label)] = String(st);
    }
    return out;
  }

  setSmoothing(w: number): void {
    this.smoothing = Math.min(0.999, Math.max(0, w));
    this.decimator.invalidate();
    this.emaState = { last: 0, n: 0 };
    this.smooth = emaSmooth(this.loss, this.smoothing, [], 0, this.emaState);
    this.schedule();
  }

  setLog(on: boolean): void {
    this.log = on;
    this.dirtyStructure = true;
    this.schedule();
  }

  /** Start a new current run (clears its curve, keeps overlays). */
  reset(rows: MetricRowMsg[] = []): void {
    this.xs = []; this.loss = []; this.smooth = []; this.valid = []; this.acc = [];
    this.emaState = { last: 0, n: 0 };
    this.hasAcc = false;
    this.decimator.invalidate();
    this.rebuildOverlays();
    this.append(rows);
    this.dirtyStructure = true;
    this.schedule();
  }

  setOverlays(runs: OverlayRun[]): void {
    this.overlays = runs.map((run) => ({ run, loss: [], valid: [] }));
    // Rebuild the union x grid: current-run rows stay, overlay steps are merged in.
    const rows = this.currentRows();
    this.reset(rows);
  }

  private currentRows(): MetricRowMsg[] {
    const rows: MetricRowMsg[] = [];
    for (let i = 0; i < this.xs.length; i++) {
      const l = this.loss[i];
      if (l === null || l === undefined) continue;
      const r: MetricRowMsg = { step: this.xs[i]!, loss: l, elapsedMs: 0 };
      if (this.valid[i] !== null && this.valid[i] !== undefined) r.validLoss = this.valid[i]!;
      if (this.acc[i] !== null && this.acc[i] !== undefined) r.accuracy = this.acc[i]!;
      rows.push(r);
    }
    return rows;
  }

  private rebuildOverlays(): void {
    const steps = new Set<number>(this.xs);
    for (const o of this.overlays) for (const s of o.run.steps) steps.add(s);
    const xs = [...steps].sort((a, b) => a - b);
    const index = new Map(xs.map((s, i) => [s, i]));
    const col = () => new Array<number | null>(xs.length).fill(null);
    const [loss, valid, acc] = [col(), col(), col()];
    for (let i = 0; i < this.xs.length; i++) {
      const j = index.get(this.xs[i]!)!;
      loss[j] = this.loss[i] ?? null; valid[j] = this.valid[i] ?? null; acc[j] = this.acc[i] ?? null;
    }
    for (const o of this.overlays) {
      o.loss = col(); o.valid = col();
      o.run.steps.forEach((s, k) => {
        const j = index.get(s)!;
        o.loss[j] = o.run.loss[k] ?? null;
        if (o.run.validLoss) o.valid[j] = o.run.validLoss[k] ?? null;
      });
    }
    this.xs = xs; this.loss = loss; this.valid = valid; this.acc = acc;
    this.emaState = { last: 0, n: 0 };
    this.smooth = emaSmooth(this.loss, this.smoothing, [], 0, this.emaState);
  }

  append(rows: MetricRowMsg[]): void {
    for (const r of rows) {
      const lastX = this.xs.length ? this.xs[this.xs.length - 1]! : -Infinity;
      if (r.step <= lastX) {
        this.decimator.invalidate();
        // A step inside the grid (overlay steps ahead of the current run): place it there.
        const i = this.xs.indexOf(r.step);
        if (i >= 0) {
          this.loss[i] = r.loss; this.valid[i] = r.validLoss ?? this.valid[i] ?? null; this.acc[i] = r.accuracy ?? this.acc[i] ?? null;
          this.emaState = { last: 0, n: 0 };
          this.smooth = emaSmooth(this.loss, this.smoothing, [], 0, this.emaState);
          continue;
        }
        const rest = [...this.currentRows(), r].sort((a, b) => a.step - b.step);
        this.xs = []; this.loss = []; this.valid = []; this.acc = [];
        this.pushRows(rest);
        this.rebuildOverlays();
        continue;
      }
      this.pushRows([r]);
      emaSmooth(this.loss, this.smoothing, this.smooth, this.loss.length - 1, this.emaState);
    }
    this.schedule();
  }

  private pushRows(rows: MetricRowMsg[]): void {
    for (const r of rows) {
      this.xs.push(r.step);
      this.loss.push(Number.isFinite(r.loss) ? r.loss : null);
      this.valid.push(r.validLoss ?? null);
      const a = r.accuracy ?? r.validAccuracy;
      if (a !== undefined && !this.hasAcc) {
        this.hasAcc = true;
        this.dirtyStructure = true;
      }
      this.acc.push(a ?? null);
      for (const o of this.overlays) {
        o.loss.push(null);
        o.valid.push(null);
      }
    }
  }

  get points(): number {
    return this.xs.length;
  }

  /**
   * When set, the chart does not schedule its own redraws: it reports that it needs one and the
   * page flushes it together with its other updates (one repaint instead of several).
   */
  onDirty?: () => void;

  private schedule(): void {
    if (this.onDirty) return this.onDirty();
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.flush();
    });
  }

  /** Draw now (tests and benchmarks call it directly). */
  /** Redraws and their total ms, data preparation to uPlot's draw hook (benchmarks read them). */
  draws = 0;
  drawMs = 0;
  private flushStart = 0;

  flush(): void {
    if (this.frame) {
      cancelAnimationFrame(this.frame); // drawn now: the scheduled redraw would repeat it
      this.frame = 0;
    }
    const t0 = performance.now();
    this.flushStart = t0;
    const data = this.data();
    if (!this.u || this.dirtyStructure) {
      this.u?.destroy();
      this.u = withSoftwareCanvas(() => new uPlot(this.options(), data, this.el));
      this.dirtyStructure = false;
    } else this.u.setData(data);
    this.lastUpdateMs = performance.now() - t0;
  }

  /** Points handed to uPlot by the last redraw (benchmarks and tests read it). */
  drawnPoints = 0;
  private readonly decimator = new Decimator();

  private data(): uPlot.AlignedData {
    const cols: (number | null)[][] = [this.loss, this.smooth, this.valid];
    if (this.hasAcc) cols.push(this.acc);
    for (const o of this.overlays) cols.push(o.loss);
    const buckets = Math.max(100, Math.floor(this.size().width / 2));
    const idx = this.decimator.indices(this.xs.length, this.loss, cols.slice(1), buckets);
    this.drawnPoints = idx ? idx.length : this.xs.length;
    if (!idx) return [this.xs, ...cols] as uPlot.AlignedData;
    const pick = <T>(c: T[]) => { const out = new Array<T>(idx.length); for (let i = 0; i < idx.length; i++) out[i] = c[idx[i]!]!; return out; };
    return [pick(this.xs), ...cols.map((c) => pick(c))] as uPlot.AlignedData;
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.el.clientWidth || 600), height: 260 };
  }

  private options(): uPlot.Options {
    const fg = css('--vscode-foreground', '#ccc');
    const grid = css('--vscode-panel-border', 'rgba(128,128,128,0.25)');
    const train = css('--vscode-charts-blue', '#3794ff');
    const valid = css('--vscode-charts-orange', '#d18616');
    const acc = css('--vscode-charts-green', '#89d185');
    const other = [css('--vscode-charts-purple', '#b180d7'), css('--vscode-charts-yellow', '#cca700'), css('--vscode-charts-red', '#f14c4c')];
    // high contrast: the theme's contrast border for the grid, and thicker lines
    const hc = highContrast();
    const lw = hc ? 1.5 : 1;
    const axis = { stroke: fg, grid: { stroke: hc ? css('--vscode-contrastBorder', grid) : grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const fmt = (v: number | null) => (v === null || v === undefined ? '—' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4));
    const series: uPlot.Series[] = [
      { label: t('step'), value: (_u, v) => (v === null ? '—' : String(v)) },
      { label: t('train loss'), stroke: train, width: lw, alpha: hc ? 0.6 : 0.3, spanGaps: true, value: (_u, v) => fmt(v) } as uPlot.Series,
      { label: t('train (smoothed)'), stroke: train, width: 2 * lw, spanGaps: true, value: (_u, v) => fmt(v) },
      { label: t('validation loss'), stroke: valid, width: 2 * lw, spanGaps: true, points: { show: true, size: 4 }, value: (_u, v) => fmt(v) },
    ];
    if (this.hasAcc) series.push({ label: t('accuracy'), stroke: acc, width: 1.5 * lw, scale: 'acc', spanGaps: true, value: (_u, v) => fmt(v) });
    this.overlays.forEach((o, i) =>
      series.push({ label: o.run.label, stroke: other[i % other.length]!, width: lw, dash: [4, 4], spanGaps: true, value: (_u, v) => fmt(v) }),
    );
    const axes: uPlot.Axis[] = [{ ...axis, label: t('step') }, { ...axis, label: this.log ? t('loss (log)') : t('loss') }];
    if (this.hasAcc) axes.push({ ...axis, scale: 'acc', side: 1, grid: { show: false }, label: t('accuracy') });
    return {
      ...this.size(),
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false }, y: { distr: this.log ? 3 : 1 }, acc: { range: [0, 1] } },
      legend: { live: true },
      hooks: { draw: [() => { this.draws++; this.drawMs += performance.now() - this.flushStart; }] },
      series,
      axes,
    };
  }
}

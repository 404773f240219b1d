/**
 * Per-timestep heatmap on a canvas: rows are units, columns are timesteps (tokens on the time
 * axis). Values with a sign (h, c, tanh gates) use a diverging colormap centred at 0 (blue < 0 <
 * red) scaled to the largest |value|; sigmoid gates, in [0, 1], a sequential one over exactly
 * [0, 1] (colormap.ts). A legend, a hover tooltip (t, token, unit, value) that is never clipped,
 * and the gradient-flow strip ||dL/dh_t|| below with its own (log) scale in the legend.
 * The grid is drawn at one pixel per cell into an ImageData (colours from a lookup table, written
 * as 32-bit words) and scaled up with one drawImage without smoothing.
 */
import type { Grid } from '../../src/protocol';
import { LUT, LUT_SIZE, diverging, sequential, type ScaleKind } from './colormap';
import { onThemeChange } from './theme';
import { placeTooltip } from './tooltip';
import { t } from './l10n';

export { diverging, sequential } from './colormap';

export interface HeatmapData {
  /** [T][units] (rows: timesteps, cols: units) */
  values: Grid;
  tokens: string[];
  /** What the values are ("h", "c", "gate i", ...). */
  label: string;
  /** ||dL/dh_t|| per t (optional strip). */
  gradNorms?: number[];
  /** 'sequential' for values in [0, 1] (sigmoid gates), drawn over exactly [0, 1]; default 'diverging'. */
  scale?: ScaleKind;
  /** Labels of the rows (the second axis) instead of unit numbers (the alignment view: target tokens). */
  rowTokens?: string[];
  /** The tooltip's text for a cell (default: t, token, unit, value). */
  describe?: (t: number, row: number, value: number) => string;
}

export interface Geometry {
  left: number; top: number; cellW: number; cellH: number; T: number; units: number; stripTop: number; stripH: number;
}

export class Heatmap {
  readonly canvas: HTMLCanvasElement;
  readonly legend: HTMLCanvasElement;
  readonly tooltip: HTMLDivElement;
  private data?: HeatmapData;
  private scale = 1;
  geometry?: Geometry;
  /** ms of the last draw (benchmarks read it). */
  lastDrawMs = 0;
  private grid = document.createElement('canvas');
  private img?: ImageData;
  private themeCache?: { fg: string; font: string };
  private legendKey = '';
  private width = 640;
  /** [left, right] of each token label drawn (tests check they never overlap). */
  labelBoxes: [number, number][] = [];
  /** Whether the token labels are drawn rotated (dense or long labels). */
  labelsRotated = false;
  /** The log10 range of the gradient strip (its scale in the legend). */
  private stripRange?: [number, number];

  constructor(host: HTMLElement) {
    const wrap = document.createElement('div');
    wrap.className = 'heatmap-wrap';
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'heatmap';
    this.legend = document.createElement('canvas');
    this.legend.className = 'heatmap-legend';
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'heatmap-tooltip';
    this.tooltip.hidden = true;
    wrap.append(this.canvas, this.tooltip);
    // The available width, observed rather than read on every draw (reading clientWidth forces a
    // synchronous layout of everything changed since the last frame).
    new ResizeObserver((entries) => {
      const w = Math.round(entries[entries.length - 1]!.contentRect.width);
      if (w === this.width) return;
      this.width = w;
      if (this.data) this.draw();
    }).observe(wrap);
    // CPU-backed canvases (see withSoftwareCanvas in chart.ts): the first getContext fixes the kind.
    for (const c of [this.canvas, this.legend, this.grid]) c.getContext('2d', { willReadFrequently: true });
    host.append(wrap, this.legend);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
    onThemeChange(() => {
      this.themeCache = undefined;
      this.legendKey = '';
      this.draw();
    });
  }

  /**
   * Text colour and font from the theme, read once per theme: getComputedStyle forces a style
   * recalculation, too costly on every live redraw. VS Code sets the theme's variables on <html>
   * and the theme kind as a class of <body>.
   */
  private theme(): { fg: string; font: string } {
    if (!this.themeCache) {
      const cs = getComputedStyle(document.body);
      this.themeCache = {
        fg: cs.getPropertyValue('--vscode-foreground').trim() || '#ccc',
        font: cs.getPropertyValue('--vscode-font-family').trim() || 'sans-serif',
      };
    }
    return this.themeCache;
  }

  set(data: HeatmapData | undefined): void {
    this.data = data;
    this.draw();
  }

  /** The value at (t, unit) of what is shown, for the tooltip and the tests. */
  valueAt(t: number, unit: number): number | undefined {
    const g = this.data?.values;
    if (!g || t < 0 || unit < 0 || t >= g.rows || unit >= g.cols) return undefined;
    return g.data[t * g.cols + unit];
  }

  draw(): void {
    const t0 = performance.now();
    const ctx = this.canvas.getContext('2d')!;
    const d = this.data;
    const { fg, font } = this.theme();
    if (!d || !d.values.rows || !d.values.cols) {
      this.canvas.width = 300;
      this.canvas.height = 40;
      ctx.clearRect(0, 0, 300, 40);
      ctx.fillStyle = fg;
      ctx.font = `12px ${font}`;
      ctx.fillText(t('no hidden-state snapshot yet'), 8, 24);
      this.geometry = undefined;
      this.canvas.dataset.drawn = '0';
      return;
    }
    const T = d.values.rows;
    const units = d.values.cols;
    const vals = d.values.data;
    const avail = Math.max(200, this.width - 60);
    const cellW = Math.max(3, Math.min(28, Math.floor(avail / T)));
    const cellH = Math.max(2, Math.min(16, Math.floor(360 / units)));
    const left = 40, top = 4;
    // token labels: horizontal (cut to 4 characters) when they fit, thinned to every `every`-th so
    // they never overlap; rotated a quarter turn (up to 10 characters, one line high each) when
    // that shows more of them or shows them whole
    ctx.font = `10px ${font}`;
    const LINE = 12;
    const short = Array.from({ length: T }, (_, t) => visibleToken(d.tokens[t] ?? String(t), 4));
    const long = Array.from({ length: T }, (_, t) => visibleToken(d.tokens[t] ?? String(t), 10));
    const widest = (ls: string[]) => Math.max(0, ...ls.map((l) => ctx.measureText(l).width));
    const everyOf = (w: number) => Math.max(1, Math.ceil((w + 4) / cellW));
    const longW = widest(long);
    const everyShort = everyOf(widest(short));
    const everyRotated = Math.max(1, Math.ceil(LINE / cellW));
    const cut = short.some((l, i) => l !== long[i]);
    const rotated = everyOf(longW) > 1 && (everyRotated < everyShort || (cut && everyRotated <= everyShort));
    const labels = rotated || everyOf(longW) === 1 ? long : short;
    const every = rotated ? everyRotated : everyOf(widest(labels));
    const labelH = rotated ? Math.ceil(longW) + 6 : 16;
    const stripH = d.gradNorms ? 18 : 0;
    const stripTop = top + units * cellH + labelH + (stripH ? 6 : 0);
    const W = left + T * cellW + 4;
    const H = stripTop + stripH + 4;
    if (this.canvas.width !== W) this.canvas.width = W;
    if (this.canvas.height !== H) this.canvas.height = H;
    ctx.clearRect(0, 0, W, H);

    // diverging: scaled to the largest |value|, so 0 is always the neutral colour;
    // sequential: [0, 1] as it is (a gate at 0.9 reads as "mostly open" in every snapshot)
    const kind: ScaleKind = d.scale ?? 'diverging';
    const lut = LUT[kind];
    let m = 0;
    if (kind === 'diverging') {
      for (let i = 0; i < vals.length; i++) {
        const a = Math.abs(vals[i]!);
        if (a > m && a !== Infinity) m = a;
      }
    }
    this.scale = m || 1;
    if (!this.img || this.img.width !== T || this.img.height !== units) {
      this.img = new ImageData(T, units);
      this.grid.width = T;
      this.grid.height = units;
    }
    const px = new Uint32Array(this.img.data.buffer);
    // index = mid + v * k: [-scale, scale] or [0, 1] onto [0, LUT_SIZE - 1]
    const [k, mid] = kind === 'diverging' ? [(LUT_SIZE - 1) / 2 / this.scale, (LUT_SIZE - 1) / 2] : [LUT_SIZE - 1, 0];
    for (let t = 0; t < T; t++) {
      const row = t * units;
      for (let u = 0; u < units; u++) {
        const v = vals[row + u]!;
        const i = v === v ? Math.round(mid + v * k) : mid; // NaN -> neutral
        px[u * T + t] = lut[i < 0 ? 0 : i >= LUT_SIZE ? LUT_SIZE - 1 : i]!;
      }
    }
    this.grid.getContext('2d')!.putImageData(this.img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.grid, 0, 0, T, units, left, top, T * cellW, units * cellH);

    ctx.fillStyle = fg;
    ctx.font = `10px ${font}`;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const unitStep = Math.max(1, Math.ceil(12 / cellH));
    for (let u = 0; u < units; u += unitStep) ctx.fillText(d.rowTokens ? visibleToken(d.rowTokens[u] ?? String(u), 4) : String(u), left - 4, top + u * cellH + cellH / 2);
    this.labelBoxes = [];
    this.labelsRotated = rotated;
    const labelTop = top + units * cellH + 3;
    for (let t = 0; t < T; t += every) {
      const x = left + t * cellW + cellW / 2;
      if (rotated) {
        // read top to bottom, hanging from the grid
        ctx.save();
        ctx.translate(x, labelTop);
        ctx.rotate(Math.PI / 2);
        ctx.textAlign = 'left';
        ctx.textBaseline = 'middle';
        ctx.fillText(labels[t]!, 0, 0);
        ctx.restore();
        this.labelBoxes.push([x - LINE / 2, x + LINE / 2]);
      } else {
        ctx.textAlign = 'center';
        ctx.textBaseline = 'top';
        const w = ctx.measureText(labels[t]!).width;
        ctx.fillText(labels[t]!, x, labelTop);
        this.labelBoxes.push([x - w / 2, x + w / 2]);
      }
    }
    if (d.gradNorms && stripH) {
      const g = d.gradNorms;
      // log scale across the sequence: vanishing gradients span orders of magnitude
      const logs = g.map((v) => Math.log10(Math.max(v, 1e-12)));
      const lo = Math.min(...logs), hi = Math.max(...logs);
      this.stripRange = [lo, hi];
      for (let t = 0; t < Math.min(T, g.length); t++) {
        const [r, gg, b] = sequential(hi > lo ? (logs[t]! - lo) / (hi - lo) : 1);
        ctx.fillStyle = `rgb(${r},${gg},${b})`;
        ctx.fillRect(left + t * cellW, stripTop, cellW, stripH);
      }
      ctx.fillStyle = fg;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      ctx.fillText('∇', left - 4, stripTop + stripH / 2);
    }
    else this.stripRange = undefined;
    this.geometry = { left, top, cellW, cellH, T, units, stripTop, stripH };
    this.canvas.dataset.drawn = '1';
    this.canvas.dataset.scale = String(this.scale);
    this.canvas.dataset.colormap = kind;
    this.drawLegend(fg, font, kind);
    this.lastDrawMs = performance.now() - t0;
  }

  /** The colour bar of the values, and below it the gradient strip's log scale when there is one. */
  private drawLegend(fg: string, font: string, kind: ScaleKind): void {
    const strip = this.stripRange;
    const key = `${kind}|${fmt(this.scale)}|${fg}|${font}|${strip ? strip.map((x) => x.toFixed(1)).join(',') : ''}`;
    if (key === this.legendKey) return; // same labels: the legend on screen is current
    this.legendKey = key;
    const c = this.legend;
    const w = 220, h = strip ? 62 : 30;
    if (c.width !== w) c.width = w;
    if (c.height !== h) c.height = h;
    c.style.height = `${h}px`;
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, w, h);
    const barW = w - 20;
    const bar = (y: number, color: (x: number) => [number, number, number], labels: [string, string, string]) => {
      for (let x = 0; x < barW; x++) {
        const [r, g, b] = color(x / (barW - 1));
        ctx.fillStyle = `rgb(${r},${g},${b})`;
        ctx.fillRect(10 + x, y, 1, 12);
      }
      ctx.fillStyle = fg;
      ctx.font = `10px ${font}`;
      ctx.textBaseline = 'top';
      ctx.textAlign = 'left'; ctx.fillText(labels[0], 10, y + 14);
      ctx.textAlign = 'center'; ctx.fillText(labels[1], w / 2, y + 14);
      ctx.textAlign = 'right'; ctx.fillText(labels[2], w - 10, y + 14);
    };
    const s = fmt(this.scale);
    if (kind === 'diverging') bar(2, (x) => diverging(x * 2 - 1), [`-${s}`, '0', `+${s}`]);
    else bar(2, sequential, ['0', '0.5', '1']);
    if (strip) {
      const [lo, hi] = strip;
      const e = (x: number) => `1e${x.toFixed(1).replace(/\.0$/, '')}`;
      bar(34, sequential, [`∇ ${e(lo)}`, hi > lo ? e((lo + hi) / 2) : '', e(hi)]);
    }
  }

  /** Cell under a canvas-relative point. */
  cellAt(x: number, y: number): { t: number; unit?: number; strip?: boolean } | undefined {
    const g = this.geometry;
    if (!g) return undefined;
    const t = Math.floor((x - g.left) / g.cellW);
    if (t < 0 || t >= g.T) return undefined;
    if (y >= g.top && y < g.top + g.units * g.cellH) return { t, unit: Math.floor((y - g.top) / g.cellH) };
    if (g.stripH && y >= g.stripTop && y < g.stripTop + g.stripH) return { t, strip: true };
    return undefined;
  }

  private hover(e: MouseEvent): void {
    const r = this.canvas.getBoundingClientRect();
    const x = ((e.clientX - r.left) * this.canvas.width) / r.width;
    const y = ((e.clientY - r.top) * this.canvas.height) / r.height;
    const c = this.cellAt(x, y);
    const d = this.data;
    if (!c || !d) {
      this.tooltip.hidden = true;
      return;
    }
    const tok = JSON.stringify(d.tokens[c.t] ?? '');
    this.tooltip.textContent = c.strip
      ? `t=${c.t} ${tok} · ‖dL/dh_t‖ = ${fmt(d.gradNorms?.[c.t] ?? NaN)}`
      : d.describe
        ? d.describe(c.t, c.unit!, this.valueAt(c.t, c.unit!) ?? NaN)
        : `t=${c.t} ${tok} · ${t('unit {0}', c.unit!)} · ${d.label} = ${fmt(this.valueAt(c.t, c.unit!) ?? NaN)}`;
    this.tooltip.dataset.t = String(c.t);
    this.tooltip.dataset.unit = c.unit === undefined ? '' : String(c.unit);
    this.tooltip.hidden = false;
    placeTooltip(this.tooltip, e);
  }
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(3) : v.toFixed(4);
}

function visibleToken(t: string, max: number): string {
  return t === ' ' ? '␣' : t === '\n' ? '⏎' : t === '<pad>' ? '·' : t.length > max ? t.slice(0, max - 1) + '…' : t;
}

/** The filler token of padded examples (the word tasks' '<pad>'). */
export const PAD_TOKEN = '<pad>';

/**
 * The timesteps that are not padding: padding is filler, not the example, so the heatmap, its
 * labels, the gradient strip and the predictions leave those steps out. Undefined when nothing is padding.
 */
export function unpaddedSteps(tokens: string[]): number[] | undefined {
  if (!tokens.includes(PAD_TOKEN)) return undefined;
  const keep = tokens.flatMap((tok, t) => (tok === PAD_TOKEN ? [] : [t]));
  return keep.length ? keep : undefined;
}

/** The rows (timesteps) `keep` of a [T][units] grid. */
export function pickSteps(g: Grid, keep: number[]): Grid {
  const data = new Float32Array(keep.length * g.cols);
  keep.forEach((t, i) => data.set(g.data.subarray(t * g.cols, (t + 1) * g.cols), i * g.cols));
  return { rows: keep.length, cols: g.cols, data };
}

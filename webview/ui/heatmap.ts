/**
 * Per-timestep heatmap on a canvas: rows are units, columns are timesteps (tokens on the time
 * axis), a diverging colormap centred at 0 (blue < 0 < red) scaled to the largest |value|, a
 * legend, a hover tooltip (t, token, unit, value), and the gradient-flow strip ||dL/dh_t|| below.
 * The grid is drawn at one pixel per cell into an ImageData (colours from a lookup table, written
 * as 32-bit words) and scaled up with one drawImage without smoothing.
 */
import type { Grid } from '../../src/protocol';

/** Diverging colormap (ColorBrewer RdBu end points through a light neutral); v in [-1, 1]. */
const NEG = [33, 102, 172];
const MID = [247, 247, 247];
const POS = [178, 24, 43];
export function diverging(v: number): [number, number, number] {
  const x = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  const [a, b, t] = x < 0 ? [MID, NEG, -x] : [MID, POS, x];
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * t)) as [number, number, number];
}

/** diverging() at LUT_SIZE points over [-1, 1] as little-endian RGBA words (ImageData's byte order). */
const LUT_SIZE = 1024;
const LUT = (() => {
  const lut = new Uint32Array(LUT_SIZE);
  const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  for (let i = 0; i < LUT_SIZE; i++) {
    const [r, g, b] = diverging((i / (LUT_SIZE - 1)) * 2 - 1);
    lut[i] = little ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
  }
  return lut;
})();

/** Sequential colormap for the gradient strip (dark -> yellow), t in [0, 1]. */
function sequential(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t));
  return [Math.round(40 + 215 * x), Math.round(20 + 200 * Math.sqrt(x)), Math.round(90 * (1 - x))];
}

export interface HeatmapData {
  /** [T][units] (rows: timesteps, cols: units) */
  values: Grid;
  tokens: string[];
  /** What the values are ("h", "c", "gate i", ...). */
  label: string;
  /** ||dL/dh_t|| per t (optional strip). */
  gradNorms?: number[];
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
      const reset = new MutationObserver(() => { this.themeCache = undefined; this.legendKey = ''; reset.disconnect(); });
      reset.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
      reset.observe(document.body, { attributes: true, attributeFilter: ['style', 'class'] });
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
      ctx.fillText('no hidden-state snapshot yet', 8, 24);
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
    const labelH = cellW >= 8 ? 16 : 0;
    const stripH = d.gradNorms ? 18 : 0;
    const stripTop = top + units * cellH + labelH + (stripH ? 6 : 0);
    const W = left + T * cellW + 4;
    const H = stripTop + stripH + 4;
    if (this.canvas.width !== W) this.canvas.width = W;
    if (this.canvas.height !== H) this.canvas.height = H;
    ctx.clearRect(0, 0, W, H);

    // scale: largest |value|, so 0 is always the neutral colour
    let m = 0;
    for (let i = 0; i < vals.length; i++) {
      const a = Math.abs(vals[i]!);
      if (a > m && a !== Infinity) m = a;
    }
    this.scale = m || 1;
    if (!this.img || this.img.width !== T || this.img.height !== units) {
      this.img = new ImageData(T, units);
      this.grid.width = T;
      this.grid.height = units;
    }
    const px = new Uint32Array(this.img.data.buffer);
    const k = (LUT_SIZE - 1) / 2 / this.scale;
    const mid = (LUT_SIZE - 1) / 2;
    for (let t = 0; t < T; t++) {
      const row = t * units;
      for (let u = 0; u < units; u++) {
        const v = vals[row + u]!;
        const i = v === v ? Math.round(mid + v * k) : mid; // NaN -> neutral
        px[u * T + t] = LUT[i < 0 ? 0 : i >= LUT_SIZE ? LUT_SIZE - 1 : i]!;
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
    for (let u = 0; u < units; u += unitStep) ctx.fillText(String(u), left - 4, top + u * cellH + cellH / 2);
    if (labelH) {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      for (let t = 0; t < T; t++) ctx.fillText(visibleToken(d.tokens[t] ?? String(t)), left + t * cellW + cellW / 2, top + units * cellH + 3);
    }
    if (d.gradNorms && stripH) {
      const g = d.gradNorms;
      // log scale across the sequence: vanishing gradients span orders of magnitude
      const logs = g.map((v) => Math.log10(Math.max(v, 1e-12)));
      const lo = Math.min(...logs), hi = Math.max(...logs);
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
    this.geometry = { left, top, cellW, cellH, T, units, stripTop, stripH };
    this.canvas.dataset.drawn = '1';
    this.canvas.dataset.scale = String(this.scale);
    this.drawLegend(fg, font);
    this.lastDrawMs = performance.now() - t0;
  }

  private drawLegend(fg: string, font: string): void {
    const key = `${fmt(this.scale)}|${fg}|${font}`;
    if (key === this.legendKey) return; // same labels: the legend on screen is current
    this.legendKey = key;
    const c = this.legend;
    const w = 220, h = 30;
    if (c.width !== w) c.width = w;
    if (c.height !== h) c.height = h;
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, w, h);
    const barW = w - 20;
    for (let x = 0; x < barW; x++) {
      const [r, g, b] = diverging((x / (barW - 1)) * 2 - 1);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(10 + x, 2, 1, 12);
    }
    ctx.fillStyle = fg;
    ctx.font = `10px ${font}`;
    ctx.textBaseline = 'top';
    const s = fmt(this.scale);
    ctx.textAlign = 'left'; ctx.fillText(`-${s}`, 10, 16);
    ctx.textAlign = 'center'; ctx.fillText('0', w / 2, 16);
    ctx.textAlign = 'right'; ctx.fillText(`+${s}`, w - 10, 16);
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
      : `t=${c.t} ${tok} · unit ${c.unit} · ${d.label} = ${fmt(this.valueAt(c.t, c.unit!) ?? NaN)}`;
    this.tooltip.dataset.t = String(c.t);
    this.tooltip.dataset.unit = c.unit === undefined ? '' : String(c.unit);
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${e.clientX - r.left + 12}px`;
    this.tooltip.style.top = `${e.clientY - r.top + 12}px`;
  }
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(3) : v.toFixed(4);
}

function visibleToken(t: string): string {
  return t === ' ' ? '␣' : t === '\n' ? '⏎' : t.length > 4 ? t.slice(0, 3) + '…' : t;
}

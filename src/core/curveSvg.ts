/**
 * Loss curves of several runs drawn as one SVG (for markdown reports: Compare Runs, sweep results),
 * TensorBoard style: step on x, loss on a log scale on y, one coloured line per run with a legend.
 * Pure string building: no DOM. The colours are a categorical palette (Tableau 10).
 */
export interface CurveSeries {
  label: string;
  /** [step, loss] points; non-finite or non-positive losses are skipped (a log axis cannot show them). */
  points: [number, number][];
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Ticks at the powers of ten in [lo, hi] (log axis), at least the two ends. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    const v = 10 ** e;
    if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
  }
  return out.length >= 2 ? out : [lo, hi];
}

const short = (v: number) => (v >= 1000 || v < 1e-3 ? v.toExponential(0) : String(+v.toPrecision(2)));

/**
 * The SVG text; undefined when no series has a point to draw. `yLabel` names the plotted loss
 * ('validation loss'), `xLabel` the axis ('step').
 */
export function curvesSvg(series: readonly CurveSeries[], o: { xLabel: string; yLabel: string; width?: number; height?: number }): string | undefined {
  const clean = series.map((s) => ({ label: s.label, pts: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && y > 0) }));
  const all = clean.flatMap((s) => s.pts);
  if (!all.length) return undefined;
  const W = o.width ?? 640;
  const legendRows = clean.length;
  const H = o.height ?? 300;
  const m = { l: 56, r: 12, t: 12, b: 36 };
  const plotH = H - m.t - m.b;
  const total = H + legendRows * 16 + 8;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(x0 + 1, ...xs);
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (y1 / y0 < 10) { y0 /= 2; y1 *= 2; }
  const X = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const Y = (y: number) => m.t + (1 - (Math.log(y) - Math.log(y0)) / (Math.log(y1) - Math.log(y0))) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${total}" viewBox="0 0 ${W} ${total}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${total}" fill="#ffffff"/>`,
  ];
  for (const v of logTicks(y0, y1)) {
    const y = Y(v).toFixed(1);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="#dddddd"/>`, `<text x="${m.l - 4}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#444444">${short(v)}</text>`);
  }
  for (let k = 0; k <= 4; k++) {
    const v = x0 + ((x1 - x0) * k) / 4;
    const x = X(v).toFixed(1);
    parts.push(`<text x="${x}" y="${H - m.b + 14}" text-anchor="middle" fill="#444444">${Math.round(v)}</text>`);
  }
  parts.push(
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${plotH}" fill="none" stroke="#888888"/>`,
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle" fill="#222222">${esc(o.xLabel)}</text>`,
    `<text x="12" y="${m.t + plotH / 2}" text-anchor="middle" fill="#222222" transform="rotate(-90 12 ${m.t + plotH / 2})">${esc(o.yLabel)} (log)</text>`,
  );
  clean.forEach((s, i) => {
    const c = PALETTE[i % PALETTE.length];
    if (s.pts.length) {
      const d = s.pts.map(([x, y], k) => `${k ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="1.5"/>`);
    }
    const ly = H + 8 + i * 16;
    parts.push(`<line x1="${m.l}" x2="${m.l + 18}" y1="${ly}" y2="${ly}" stroke="${c}" stroke-width="3"/>`, `<text x="${m.l + 24}" y="${ly}" dominant-baseline="middle" fill="#222222">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The SVG as a markdown image (a data URI: the markdown preview shows it, nothing is written). */
export function curvesMarkdown(series: readonly CurveSeries[], o: { xLabel: string; yLabel: string; alt: string }): string | undefined {
  const svg = curvesSvg(series, o);
  if (!svg) return undefined;
  let bin = '';
  for (const b of new TextEncoder().encode(svg)) bin += String.fromCharCode(b);
  const b64 = btoa(bin);
  return `![${o.alt.replace(/[[\]]/g, '')}](data:image/svg+xml;base64,${b64})`;
}

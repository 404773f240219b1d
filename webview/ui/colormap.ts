/**
 * The panel's colour scales, from d3-scale-chromatic (maintained, perceptually designed):
 *
 * - diverging(v), v in [-1, 1]: ColorBrewer RdBu, blue < 0 < red, a light neutral at 0, for values
 *   that have a sign (h_t, c_t, the tanh gates g and n).
 * - sequential(t), t in [0, 1]: viridis (perceptually uniform, readable in grey and by colour-blind
 *   readers), for values with a natural zero (sigmoid gates i, f, o, r, z) and for the log-scaled
 *   gradient strip ‖dL/dh_t‖.
 *
 * Both are sampled once into lookup tables of RGBA words (ImageData's byte order) for the heatmap.
 */
import { interpolateRdBu, interpolateViridis } from 'd3-scale-chromatic';

export type Rgb = [number, number, number];

/** d3's colours come as '#rrggbb' or 'rgb(r, g, b)'. */
export function parseColor(c: string): Rgb {
  if (c.startsWith('#')) return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as Rgb;
  const m = c.match(/\d+(\.\d+)?/g);
  return m ? (m.slice(0, 3).map((x) => Math.round(Number(x))) as Rgb) : [0, 0, 0];
}

const clamp = (x: number, lo: number, hi: number) => (Number.isFinite(x) ? Math.max(lo, Math.min(hi, x)) : (lo + hi) / 2);

export function diverging(v: number): Rgb {
  // RdBu runs red (0) -> blue (1): negative values map to the blue end
  return parseColor(interpolateRdBu((1 - clamp(v, -1, 1)) / 2));
}

export function sequential(t: number): Rgb {
  return parseColor(interpolateViridis(clamp(t, 0, 1)));
}

export type ScaleKind = 'diverging' | 'sequential';

export const LUT_SIZE = 1024;
const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
function lut(color: (x: number) => Rgb): Uint32Array {
  const out = new Uint32Array(LUT_SIZE);
  for (let i = 0; i < LUT_SIZE; i++) {
    const [r, g, b] = color(i / (LUT_SIZE - 1));
    out[i] = little ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
  }
  return out;
}
/** LUT[kind][i]: the colour at i / (LUT_SIZE - 1) of the scale's domain ([-1, 1] or [0, 1]). */
export const LUT: Record<ScaleKind, Uint32Array> = {
  diverging: lut((x) => diverging(x * 2 - 1)),
  sequential: lut(sequential),
};

/** Black or white text on a background colour (perceived brightness). */
export function textOn([r, g, b]: Rgb): string {
  return (r * 299 + g * 587 + b * 114) / 1000 > 140 ? '#000' : '#fff';
}

/**
 * An independent float64 reference for torch.nn.RNN / LSTM / GRU (batch_first), written with
 * plain loops straight from PyTorch's documented equations, and a generator of fixtures in the
 * `torch-recurrent-fixture/1` format whose gradients come from central finite differences.
 * It shares no code with src/core, so agreeing with it is evidence, not a tautology.
 */
import { Rng } from '../../src/core/rng';
import type { TorchFixture, TensorJson } from '../../src/core/torch';

type Kind = 'RNN' | 'LSTM' | 'GRU';
export interface RefModule { type: Kind; input_size: number; hidden_size: number; num_layers: number; bidirectional: boolean; bias: boolean; nonlinearity?: 'tanh' | 'relu' }
type Params = Record<string, number[]>;

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const gatesOf = (t: Kind) => (t === 'RNN' ? 1 : t === 'LSTM' ? 4 : 3);

/** W [rows, cols] row-major times v. */
function mv(W: number[], v: number[], rows: number, off = 0, n = rows): number[] {
  const cols = v.length;
  const out = new Array(n).fill(0);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += W[(off + r) * cols + c] * v[c];
    out[r] = s;
  }
  return out;
}

export interface RefOut { output: number[][][]; hN: number[][][]; cN: number[][][] }

/** lengths: PyTorch's packed sequences; sequence b runs over its first lengths[b] steps (the reverse direction from lengths[b] - 1), output zero after. */
export function refForward(m: RefModule, p: Params, x: number[][][], h0?: number[][][], c0?: number[][][], lengths?: number[]): RefOut {
  const B = x.length, T = x[0].length, H = m.hidden_size, D = m.bidirectional ? 2 : 1, G = gatesOf(m.type);
  let input = x;
  const hN: number[][][] = [];
  const cN: number[][][] = [];
  for (let l = 0; l < m.num_layers; l++) {
    const layerOut: number[][][] = Array.from({ length: B }, () => Array.from({ length: T }, () => new Array(D * H).fill(0)));
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d ? '_reverse' : ''}`;
      const Wih = p['weight_ih' + sfx], Whh = p['weight_hh' + sfx];
      const bih = p['bias_ih' + sfx] ?? new Array(G * H).fill(0), bhh = p['bias_hh' + sfx] ?? new Array(G * H).fill(0);
      const hFin: number[][] = [], cFin: number[][] = [];
      for (let b = 0; b < B; b++) {
        let h = h0 ? h0[l * D + d][b].slice() : new Array(H).fill(0);
        let c = c0 ? c0[l * D + d][b].slice() : new Array(H).fill(0);
        const n = lengths ? lengths[b] : T;
        for (let s = 0; s < n; s++) {
          const t = d ? n - 1 - s : s;
          const xi = mv(Wih, input[b][t], G * H).map((v, i) => v + bih[i]);
          const hh = mv(Whh, h, G * H).map((v, i) => v + bhh[i]);
          if (m.type === 'RNN') {
            h = xi.map((v, i) => (m.nonlinearity === 'relu' ? Math.max(0, v + hh[i]) : Math.tanh(v + hh[i])));
          } else if (m.type === 'LSTM') {
            const g = (k: number, i: number) => xi[k * H + i] + hh[k * H + i];
            const cNew = c.map((cv, i) => sig(g(1, i)) * cv + sig(g(0, i)) * Math.tanh(g(2, i)));
            h = cNew.map((cv, i) => sig(g(3, i)) * Math.tanh(cv));
            c = cNew;
          } else {
            const hPrev = h;
            h = hPrev.map((hv, i) => {
              const r = sig(xi[i] + hh[i]);
              const z = sig(xi[H + i] + hh[H + i]);
              const n = Math.tanh(xi[2 * H + i] + r * hh[2 * H + i]);
              return (1 - z) * n + z * hv;
            });
          }
          for (let i = 0; i < H; i++) layerOut[b][t][d * H + i] = h[i];
        }
        hFin.push(h);
        cFin.push(c);
      }
      hN.push(hFin);
      cN.push(cFin);
    }
    input = layerOut;
  }
  return { output: input, hN, cN };
}

const flat = (a: unknown): number[] => (Array.isArray(a) ? a.flatMap(flat) : [a as number]);
const tj = (shape: number[], data: number[]): TensorJson => ({ shape, data });
function shapeArr(data: number[], shape: number[]): any {
  if (shape.length === 1) return data.slice();
  const n = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => shapeArr(data.slice(i * n, (i + 1) * n), shape.slice(1)));
}

/** A fixture like those in shared/fixtures/torch, computed in float64 by the reference. */
export function makeFixture(name: string, m: RefModule, B: number, T: number, seed: number, withH0: boolean, lengths?: number[]): TorchFixture {
  const rng = new Rng(seed);
  const H = m.hidden_size, D = m.bidirectional ? 2 : 1, G = gatesOf(m.type), k = 1 / Math.sqrt(H);
  const sd: Record<string, TensorJson> = {};
  for (let l = 0; l < m.num_layers; l++) {
    const inSize = l === 0 ? m.input_size : D * H;
    for (let d = 0; d < D; d++) {
      const s = `_l${l}${d ? '_reverse' : ''}`;
      const u = (n: number) => Array.from({ length: n }, () => rng.uniform(-k, k));
      sd['weight_ih' + s] = tj([G * H, inSize], u(G * H * inSize));
      sd['weight_hh' + s] = tj([G * H, H], u(G * H * H));
      if (m.bias) {
        sd['bias_ih' + s] = tj([G * H], u(G * H));
        sd['bias_hh' + s] = tj([G * H], u(G * H));
      }
    }
  }
  const rnd = (n: number) => Array.from({ length: n }, () => rng.normal());
  // zero in the padding, as pad_packed_sequence leaves it
  const input = tj([B, T, m.input_size], rnd(B * T * m.input_size).map((v, i) => (lengths && Math.floor(i / m.input_size) % T >= lengths[Math.floor(i / (m.input_size * T))] ? 0 : v)));
  const L = m.num_layers * D;
  const h0 = withH0 ? tj([L, B, H], rnd(L * B * H).map((v) => 0.5 * v)) : undefined;
  const c0 = withH0 && m.type === 'LSTM' ? tj([L, B, H], rnd(L * B * H).map((v) => 0.5 * v)) : undefined;
  const gOut = tj([B, T, D * H], rnd(B * T * D * H));
  const gH = tj([L, B, H], rnd(L * B * H));
  const gC = m.type === 'LSTM' ? tj([L, B, H], rnd(L * B * H)) : undefined;

  const tensors: Record<string, TensorJson> = { input, ...(h0 ? { h0 } : {}), ...(c0 ? { c0 } : {}) };
  for (const [n, t] of Object.entries(sd)) tensors[n] = t;
  const lossOf = (ts: Record<string, TensorJson>) => {
    const p: Params = {};
    for (const n of Object.keys(sd)) p[n] = ts[n].data;
    const o = refForward(m, p, shapeArr(ts.input.data, ts.input.shape), ts.h0 && shapeArr(ts.h0.data, ts.h0.shape), ts.c0 && shapeArr(ts.c0.data, ts.c0.shape), lengths);
    const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
    let loss = dot(flat(o.output), gOut.data) + dot(flat(o.hN), gH.data);
    if (gC) loss += dot(flat(o.cN), gC.data);
    return { loss, o };
  };
  const base = lossOf(tensors);
  const grads: Record<string, TensorJson> = {};
  const eps = 1e-6;
  for (const [n, t] of Object.entries(tensors)) {
    const g = t.data.map((_, i) => {
      const plus = t.data.slice(); plus[i] += eps;
      const minus = t.data.slice(); minus[i] -= eps;
      return (lossOf({ ...tensors, [n]: tj(t.shape, plus) }).loss - lossOf({ ...tensors, [n]: tj(t.shape, minus) }).loss) / (2 * eps);
    });
    grads[n] = tj(t.shape, g);
  }
  return {
    format: 'torch-recurrent-fixture/1', name,
    module: { ...m, batch_first: true },
    state_dict: sd, input, ...(h0 ? { h0 } : {}), ...(c0 ? { c0 } : {}), ...(lengths ? { lengths } : {}),
    output: tj([B, T, D * H], flat(base.o.output)),
    h_n: tj([L, B, H], flat(base.o.hN)),
    ...(m.type === 'LSTM' ? { c_n: tj([L, B, H], flat(base.o.cN)) } : {}),
    g_output: gOut, g_h_n: gH, ...(gC ? { g_c_n: gC } : {}),
    loss_value: base.loss,
    grads,
  } as TorchFixture;
}

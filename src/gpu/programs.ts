/**
 * WGSL programs for fused recurrent layers, in the shape the tfjs WebGPU backend (4.22) runs
 * through `backend.runWebGPUProgram(program, inputs, dtype, uniforms, output?)`. The backend
 * writes the header (bindings: `result` read_write at 0, inputs read-only by variable name, a
 * `uniforms` struct with every shape plus the fields in `program.uniforms`) and calls
 * `main(index)` with the global invocation index (flat dispatch).
 *
 * Every program writes one flat float32 buffer. The forward program fills the "state buffer" S
 * of one direction, in processing order s (s = t forward, s = T-1-t reverse):
 *
 *   h region  [(T+1), B, H]   row 0 = h_0 (initial), row s+1 = h after step s
 *   c region  [(T+1), B, H]   LSTM only, same rows
 *   gate rgn  [T, B, 4H]      LSTM: i f g o (activations); GRU: r z n and hn = W_hn h + b_hn
 *
 * which is also everything backpropagation needs. The backward program fills D:
 *
 *   dXP  [T, B, G*H]  time order: gradient of the input projection X W_ih^T (= of b_ih)
 *   dHP  [T, B, G*H]  GRU only: gradient of h W_hh^T + b_hh (its n block differs: r * dn)
 *   dh0  [B, H]       gradient of the initial h
 *   carry[B, H]       LSTM: dc (ends as dc0); GRU: dh of the step processed last
 *
 * Two ways to run the recurrence, same code per unit:
 *   'sequence': ONE dispatch of one workgroup loops over all T steps (storage barrier between
 *               steps): one dispatch per direction, compute on one workgroup.
 *   'step':     one dispatch per timestep, B*H invocations (plus one for dh0 when needed).
 */
import type { CellType, RnnActivation } from '../core/spec';

export type Mode = 'sequence' | 'step';

/** The subset of tfjs-backend-webgpu's WebGPUProgram that these programs fill in. */
export interface Program {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  uniforms?: string;
  getUserCode(): string;
}

export const SEQ_WORKGROUP = 256;
const STEP_WORKGROUP = 64;

export interface RecurrentShape {
  cell: CellType;
  activation: RnnActivation;
  B: number;
  H: number;
  reverse: boolean;
  bias: boolean;
  hasInit: boolean;
  mode: Mode;
}

export const gatesOf = (cell: CellType): number => (cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1);
/** Floats per (s, b) row of the saved-gates region. */
export const savedGatesOf = (cell: CellType): number => (cell === 'rnn' ? 0 : 4);

/** Sizes of S for T steps. */
export function stateLayout(cell: CellType, T: number, B: number, H: number) {
  const BH = B * H;
  const hSize = (T + 1) * BH;
  const cSize = cell === 'lstm' ? (T + 1) * BH : 0;
  const gSize = T * B * savedGatesOf(cell) * H;
  return { hOff: 0, cOff: hSize, gOff: hSize + cSize, total: hSize + cSize + gSize };
}

/** Sizes of D for T steps. */
export function gradLayout(cell: CellType, T: number, B: number, H: number) {
  const n = T * B * gatesOf(cell) * H;
  const dhpOff = cell === 'gru' ? n : 0;
  const d0Off = cell === 'gru' ? 2 * n : n;
  return { dxpOff: 0, dhpOff, d0Off, carryOff: d0Off + B * H, total: d0Off + 2 * B * H };
}

const MATH = `
fn sigm(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
fn tanhf(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
`;

function consts(p: RecurrentShape): string {
  const G = gatesOf(p.cell);
  return `
const B = ${p.B};
const H = ${p.H};
const BH = ${p.B * p.H};
const GH = ${G * p.H};
const SG = ${savedGatesOf(p.cell) * p.H};
const REV = ${p.reverse};
const NU = ${blocks(p)};
fn tm(s: i32) -> i32 { return select(s, uniforms.T - 1 - s, REV); }
fn cOff() -> i32 { return (uniforms.T + 1) * BH; }
fn gOff() -> i32 { return (uniforms.T + 1) * BH${p.cell === 'lstm' ? ' * 2' : ''}; }
`;
}

/** Batch rows per invocation: W_hh is read once for QB rows (4x fewer weight loads). */
const QB = 4;
const Q = [0, 1, 2, 3];

/** Invocations: one per (block of QB batch rows, hidden unit j). */
const blocks = (p: { B: number; H: number }) => Math.ceil(p.B / QB) * p.H;

function mainOf(p: RecurrentShape, seqBody: string, stepBody: string): string {
  return p.mode === 'sequence' ? `fn main(index: i32) {\n  ${seqBody}\n}` : `fn main(index: i32) { ${stepBody} }`;
}

function dispatchOf(p: RecurrentShape): [number, number, number] {
  return p.mode === 'sequence' ? [1, 1, 1] : [Math.ceil(blocks(p) / STEP_WORKGROUP), 1, 1];
}

function key(p: RecurrentShape): string {
  return `${p.cell}_${p.activation}_${p.B}_${p.H}_${p.reverse ? 1 : 0}${p.bias ? 1 : 0}${p.hasInit ? 1 : 0}_${p.mode}`;
}

/** WGSL: the QB batch rows of block bb (clamped to B-1; `valid` says which exist). */
const BLOCK_ROWS = `
  let bb = u / H;
  let j = u - bb * H;
  let b0 = bb * ${QB};
  let bq = vec4<i32>(min(b0, B - 1), min(b0 + 1, B - 1), min(b0 + 2, B - 1), min(b0 + 3, B - 1));`;

/** The shared shape of the recurrence programs: one state/gradient buffer, one or T dispatches. */
abstract class RecurrentProgram implements Program {
  outputShape: number[];
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms = 'T : i32, s : i32,';
  abstract shaderKey: string;
  abstract variableNames: string[];

  constructor(p: RecurrentShape, outputSize: number) {
    this.outputShape = [outputSize];
    this.workgroupSize = [p.mode === 'sequence' ? SEQ_WORKGROUP : STEP_WORKGROUP, 1, 1];
    this.dispatch = dispatchOf(p);
  }

  abstract getUserCode(): string;
}

/**
 * Forward over all steps ('sequence') or step uniforms.s ('step'). Inputs: XP = X W_ih^T
 * [T*B, G*H] in time order, W = W_hh [G*H, H], BI/BHH biases, H0/C0 initial state.
 */
export class RecurrentForwardProgram extends RecurrentProgram {
  shaderKey: string;
  variableNames: string[];

  constructor(readonly p: RecurrentShape, T: number) {
    super(p, stateLayout(p.cell, T, p.B, p.H).total);
    this.variableNames = ['XP', 'W', ...(p.bias ? ['BI', 'BHH'] : []), ...(p.hasInit ? ['H0', ...(p.cell === 'lstm' ? ['C0'] : [])] : [])];
    this.shaderKey = `seqlab_rnn_fwd_${key(p)}`;
  }

  getUserCode(): string {
    const p = this.p;
    const G = gatesOf(p.cell);
    const gs = Array.from({ length: G }, (_, g) => g);
    const bias = (g: number, which: 'BI' | 'BHH') => (p.bias ? ` + ${which}[${g} * H + j]` : '');
    const xAt = (g: number, q: number) => `XP[(t * B + bq[${q}]) * GH + ${g} * H + j]`;
    // pre-activations for the QB rows: x_g input part, a_g hidden part (separate only for GRU)
    const init = gs.map((g) => (p.cell === 'gru'
      ? `let x${g} = vec4<f32>(${Q.map((q) => xAt(g, q)).join(', ')})${bias(g, 'BI')};\n  var a${g} = vec4<f32>(0.0)${bias(g, 'BHH')};`
      : `var a${g} = vec4<f32>(${Q.map((q) => xAt(g, q)).join(', ')})${bias(g, 'BI')}${bias(g, 'BHH')};`)).join('\n  ');
    const dot = (src: string, base: string) => `
    for (var k = 0; k < H; k++) {
      let hk = vec4<f32>(${Q.map((q) => `${src}[${base}bq[${q}] * H + k]`).join(', ')});
      ${gs.map((g) => `a${g} += W[(${g} * H + j) * H + k] * hk;`).join('\n      ')}
    }`;
    const params = gs.map((g) => `a${g}: f32`).join(', ') + (p.cell === 'gru' ? ', ' + gs.map((g) => `x${g}: f32`).join(', ') : '');
    const args = (q: number) => gs.map((g) => `a${g}[${q}]`).join(', ') + (p.cell === 'gru' ? ', ' + gs.map((g) => `x${g}[${q}]`).join(', ') : '');
    const hp0 = p.hasInit ? 'H0[u]' : '0.0';
    const cp0 = p.hasInit && p.cell === 'lstm' ? 'C0[u]' : '0.0';
    let update: string;
    if (p.cell === 'lstm') {
      update = `
  let ig = sigm(a0); let fg = sigm(a1); let gg = tanhf(a2); let og = sigm(a3);
  var cprev = ${cp0};
  if (s > 0) { cprev = result[cOff() + s * BH + u]; } else { result[cOff() + u] = cprev; result[u] = ${hp0}; }
  let c = fg * cprev + ig * gg;
  result[cOff() + (s + 1) * BH + u] = c;
  result[(s + 1) * BH + u] = og * tanhf(c);
  let gb = gOff() + (s * B + b) * SG + j;
  result[gb] = ig; result[gb + H] = fg; result[gb + 2 * H] = gg; result[gb + 3 * H] = og;`;
    } else if (p.cell === 'gru') {
      update = `
  var hprev = ${hp0};
  if (s > 0) { hprev = result[s * BH + u]; } else { result[u] = hprev; }
  let r = sigm(x0 + a0); let z = sigm(x1 + a1); let n = tanhf(x2 + r * a2);
  result[(s + 1) * BH + u] = n + z * (hprev - n);
  let gb = gOff() + (s * B + b) * SG + j;
  result[gb] = r; result[gb + H] = z; result[gb + 2 * H] = n; result[gb + 3 * H] = a2;`;
    } else {
      update = `
  if (s == 0) { result[u] = ${hp0}; }
  result[(s + 1) * BH + u] = ${p.activation === 'relu' ? 'max(a0, 0.0)' : 'tanhf(a0)'};`;
    }
    const unit = `
fn updateUnit(s: i32, b: i32, j: i32, ${params}) {
  let u = b * H + j;${update}
}
fn blockForward(s: i32, u: i32) {${BLOCK_ROWS}
  let t = tm(s);
  ${init}
  if (s > 0) {${dot('result', 's * BH + ')}
  }${p.hasInit ? ` else {${dot('H0', '')}
  }` : ''}
  ${Q.map((q) => `if (b0 + ${q} < B) { updateUnit(s, b0 + ${q}, j, ${args(q)}); }`).join('\n  ')}
}`;
    return MATH + consts(p) + unit + mainOf(p,
      `for (var s = 0; s < uniforms.T; s++) {
    for (var u = index; u < NU; u += ${SEQ_WORKGROUP}) { blockForward(s, u); }
    storageBarrier();
    workgroupBarrier();
  }`,
      'if (index < NU) { blockForward(uniforms.s, index); }');
  }
}

export interface BackwardShape extends RecurrentShape {
  hasDhs: boolean;
  hasDhN: boolean;
  hasDcN: boolean;
}

/**
 * Backward over all steps ('sequence'), or step uniforms.s ('step'; s = -1 computes dh0).
 * Inputs: S (forward state buffer), W = W_hh, DHS [T, B, H] time order, DHN/DCN [B, H].
 */
export class RecurrentBackwardProgram extends RecurrentProgram {
  shaderKey: string;
  variableNames: string[];

  constructor(readonly p: BackwardShape, T: number) {
    super(p, gradLayout(p.cell, T, p.B, p.H).total);
    this.variableNames = ['S', 'W', ...(p.hasDhs ? ['DHS'] : []), ...(p.hasDhN ? ['DHN'] : []), ...(p.hasDcN ? ['DCN'] : [])];
    this.shaderKey = `seqlab_rnn_bwd_${key(p)}_${p.hasDhs ? 1 : 0}${p.hasDhN ? 1 : 0}${p.hasDcN ? 1 : 0}`;
  }

  getUserCode(): string {
    const p = this.p;
    const gru = p.cell === 'gru';
    const layout = `
fn nG() -> i32 { return uniforms.T * B * GH; }
fn dhpOff() -> i32 { return ${gru ? 'nG()' : '0'}; }
fn d0Off() -> i32 { return ${gru ? '2 * nG()' : 'nG()'}; }
fn carryOff() -> i32 { return d0Off() + BH; }
`;
    // the recurrent part of dL/dh_s for the QB rows: from the gate gradients of step s1 = s+1
    const rec = `
fn recurrent(s1: i32, bq: vec4<i32>, j: i32) -> vec4<f32> {
  let t1 = tm(s1);
  let base = dhpOff() + t1 * B * GH;
  ${Q.map((q) => `let r${q} = base + bq[${q}] * GH;`).join(' ')}
  var acc = vec4<f32>(0.0);
  for (var k = 0; k < GH; k++) {
    acc += W[k * H + j] * vec4<f32>(${Q.map((q) => `result[r${q} + k]`).join(', ')});
  }
  ${gru ? `let zb = gOff() + s1 * B * SG + H + j;
  acc += vec4<f32>(${Q.map((q) => `result[carryOff() + bq[${q}] * H + j] * S[zb + bq[${q}] * SG]`).join(', ')});` : ''}
  return acc;
}`;
    let cellBwd: string;
    if (p.cell === 'lstm') {
      cellBwd = `
  let gb = gOff() + (s * B + b) * SG + j;
  let ig = S[gb]; let fg = S[gb + H]; let gg = S[gb + 2 * H]; let og = S[gb + 3 * H];
  let tc = tanhf(S[cOff() + (s + 1) * BH + u]);
  let cprev = S[cOff() + s * BH + u];
  var dc = ${p.hasDcN ? 'DCN[u]' : '0.0'};
  if (s < uniforms.T - 1) { dc = result[carryOff() + u]; }
  dc += dh * og * (1.0 - tc * tc);
  result[carryOff() + u] = dc * fg;
  result[xo] = dc * gg * ig * (1.0 - ig);
  result[xo + H] = dc * cprev * fg * (1.0 - fg);
  result[xo + 2 * H] = dc * ig * (1.0 - gg * gg);
  result[xo + 3 * H] = dh * tc * og * (1.0 - og);`;
    } else if (gru) {
      cellBwd = `
  let gb = gOff() + (s * B + b) * SG + j;
  let r = S[gb]; let z = S[gb + H]; let n = S[gb + 2 * H]; let hn = S[gb + 3 * H];
  let hprev = S[s * BH + u];
  let dnp = dh * (1.0 - z) * (1.0 - n * n);
  let drp = dnp * hn * r * (1.0 - r);
  let dzp = dh * (hprev - n) * z * (1.0 - z);
  result[carryOff() + u] = dh;
  result[xo] = drp; result[xo + H] = dzp; result[xo + 2 * H] = dnp;
  let ho = dhpOff() + xo;
  result[ho] = drp; result[ho + H] = dzp; result[ho + 2 * H] = dnp * r;`;
    } else {
      cellBwd = `
  let h = S[(s + 1) * BH + u];
  result[xo] = ${p.activation === 'relu' ? 'select(0.0, dh, h > 0.0)' : 'dh * (1.0 - h * h)'};`;
    }
    const unit = `
fn unitBackward(s: i32, b: i32, j: i32, rec: f32) {
  let u = b * H + j;
  let t = tm(s);
  var dh = rec;
  ${p.hasDhs ? 'dh += DHS[(t * B + b) * H + j];' : ''}
  let xo = (t * B + b) * GH + j;${cellBwd}
}
fn blockBackward(s: i32, u: i32) {${BLOCK_ROWS}
  var rec = vec4<f32>(0.0);
  if (s < uniforms.T - 1) { rec = recurrent(s + 1, bq, j); }${p.hasDhN ? ` else { rec = vec4<f32>(${Q.map((q) => `DHN[bq[${q}] * H + j]`).join(', ')}); }` : ''}
  ${Q.map((q) => `if (b0 + ${q} < B) { unitBackward(s, b0 + ${q}, j, rec[${q}]); }`).join('\n  ')}
}
fn blockInitial(u: i32) {${BLOCK_ROWS}
  let d = recurrent(0, bq, j);
  ${Q.map((q) => `if (b0 + ${q} < B) { result[d0Off() + (b0 + ${q}) * H + j] = d[${q}]; }`).join('\n  ')}
}`;
    return MATH + consts(p) + layout + rec + unit + mainOf(p,
      `for (var i = 0; i < uniforms.T; i++) {
    for (var u = index; u < NU; u += ${SEQ_WORKGROUP}) { blockBackward(uniforms.T - 1 - i, u); }
    storageBarrier();
    workgroupBarrier();
  }
  ${p.hasInit ? `for (var u = index; u < NU; u += ${SEQ_WORKGROUP}) { blockInitial(u); }` : ''}`,
      'if (index < NU) { if (uniforms.s >= 0) { blockBackward(uniforms.s, index); } else { blockInitial(index); } }');
  }
}

/** A program over a flat output of `size` floats, run as `invocations` threads in workgroups of 64. */
abstract class FlatProgram implements Program {
  outputShape: number[];
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  abstract shaderKey: string;
  abstract variableNames: string[];
  abstract uniforms: string;

  constructor(size: number, invocations = size) {
    this.outputShape = [size];
    this.dispatch = [Math.ceil(invocations / 64), 1, 1];
  }

  abstract getUserCode(): string;
}

/**
 * Copies rows out of a flat buffer: out[t, b, w] = X[base + row(t) * rowStride + b * bStride + col + w],
 * row(t) = a + t (or a - t when rev = 1). One pipeline serves every slice, reversal and gate pick.
 */
export class GatherRowsProgram extends FlatProgram {
  shaderKey = 'seqlab_gather_rows';
  variableNames = ['X'];
  uniforms = 'n : i32, nb : i32, nw : i32, base : i32, rowStride : i32, bStride : i32, col : i32, a : i32, rev : i32,';

  getUserCode(): string {
    return `
fn main(index: i32) {
  if (index >= uniforms.n) { return; }
  let per = uniforms.nb * uniforms.nw;
  let t = index / per;
  let rem = index - t * per;
  let b = rem / uniforms.nw;
  let w = rem - b * uniforms.nw;
  let row = select(uniforms.a + t, uniforms.a - t, uniforms.rev == 1);
  result[index] = X[uniforms.base + row * uniforms.rowStride + b * uniforms.bStride + uniforms.col + w];
}`;
  }
}

/**
 * out[m, n] = sum_k A(m, k) * B(k, n), a 4x4 block of outputs per invocation (tfjs's tiled
 * matmul is very slow for the skinny shapes of a recurrent layer on SwiftShader: 1.7 s for
 * [1024x16]x[16x512]). A(m, k) = A[aOff + (transA ? k*M + m : m*K + k)];
 * B(k, n) = B[bOff + (transB ? n*K + k : row(k)*N + n)], k = t*Bt + b running over Tt*Bt = K rows,
 * row(k) = k, or (Tt-1-t)*Bt + b when rev = 1 (time-order rows of a reverse direction's S).
 */
export class MatMulProgram extends FlatProgram {
  shaderKey: string;
  variableNames = ['A', 'BM'];
  uniforms = 'M : i32, N : i32, K : i32, aOff : i32, bOff : i32, rev : i32, Bt : i32, Tt : i32,';

  constructor(M: number, N: number, readonly transA: boolean, readonly transB: boolean) {
    super(M * N, Math.ceil(M / 4) * Math.ceil(N / 4)); // one invocation per 4x4 output block
    this.shaderKey = `seqlab_matmul4_${transA ? 1 : 0}${transB ? 1 : 0}`;
  }

  getUserCode(): string {
    const aIdx = (i: number) => (this.transA ? `aOff + k * M + ma${i}` : `aOff + ma${i} * K + k`);
    const bIdx = (i: number) => (this.transB ? `bOff + nb${i} * K + k` : `bOff + kb * N + nb${i}`);
    const r4 = [0, 1, 2, 3];
    return `
fn main(index: i32) {
  let M = uniforms.M; let N = uniforms.N; let K = uniforms.K;
  let aOff = uniforms.aOff; let bOff = uniforms.bOff; let Bt = uniforms.Bt; let Tt = uniforms.Tt; let rev = uniforms.rev == 1;
  let nBlocks = (N + 3) / 4;
  let mb = index / nBlocks;
  let m0 = mb * 4;
  let n0 = (index - mb * nBlocks) * 4;
  if (m0 >= M) { return; }
  ${r4.map((i) => `let ma${i} = min(m0 + ${i}, M - 1); let nb${i} = min(n0 + ${i}, N - 1);`).join('\n  ')}
  ${r4.map((i) => `var c${i} = vec4<f32>(0.0);`).join(' ')}
  for (var t = 0; t < Tt; t++) {
    let rowT = select(t, Tt - 1 - t, rev) * Bt;
    for (var b = 0; b < Bt; b++) {
      let k = t * Bt + b;
      let kb = rowT + b;
      let bv = vec4<f32>(${r4.map((i) => `BM[${bIdx(i)}]`).join(', ')});
      ${r4.map((i) => `c${i} += A[${aIdx(i)}] * bv;`).join('\n      ')}
    }
  }
  ${r4.map((i) => `if (m0 + ${i} < M) { ${r4.map((j) => `if (n0 + ${j} < N) { result[(m0 + ${i}) * N + n0 + ${j}] = c${i}[${j}]; }`).join(' ')} }`).join('\n  ')}
}`;
  }
}

/** out[c] = sum_r X[off + r*C + c]: bias gradients from the gate gradients of all T*B rows. */
export class ColumnSumProgram extends FlatProgram {
  shaderKey = 'seqlab_colsum';
  variableNames = ['X'];
  uniforms = 'R : i32, C : i32, off : i32,';

  getUserCode(): string {
    return `
fn main(index: i32) {
  if (index >= uniforms.C) { return; }
  var acc = 0.0;
  for (var r = 0; r < uniforms.R; r++) { acc += X[uniforms.off + r * uniforms.C + index]; }
  result[index] = acc;
}`;
  }
}

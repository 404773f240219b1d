/**
 * WGSL programs for fused recurrent layers, in the shape the tfjs WebGPU backend (4.22) runs
 * through `backend.runWebGPUProgram(program, inputs, dtype, uniforms, output?)`. The backend
 * writes the header (bindings: `result` read_write at 0, inputs read-only by variable name, a
 * `uniforms` struct with every shape plus the fields in `program.uniforms`) and calls
 * `main(index)` with the global invocation index (flat dispatch).
 *
 * A program writes exactly one buffer (`result`). One direction of one layer keeps ONE state
 * buffer S, written in place by every pass:
 *
 *   h region  [(T+1), B, H]   processing order s (s = t forward, s = T-1-t reverse):
 *                             row 0 = h_0 (initial), row s+1 = h after step s
 *   c region  [(T+1), B, H]   LSTM only, same rows
 *   G region  [T, B, SG]      time order. The input projection X W_ih^T is written here (one
 *                             matmul); the forward recurrence overwrites it with the gate
 *                             activations (LSTM i f g o; GRU r z n and hn = W_hn h + b_hn; RNN
 *                             only the pre-activation), the backward recurrence overwrites those
 *                             with the gate gradients (LSTM/RNN dXP = dHP; GRU dr dz dn, r*dn)
 *   carry     [B, H]          backward: LSTM dc (ends as dc0); GRU dh * z of the step processed last
 *   d0        [B, H]          backward: dh0
 *
 * so that the only per-timestep memory is what backpropagation must keep (gates, c, h): no
 * separate input-projection or gradient buffers exist.
 *
 * Two ways to run the recurrence, same code per unit:
 *   'sequence': ONE dispatch of one workgroup loops over all T steps (storage barrier between
 *               steps): one dispatch per direction, compute on one workgroup.
 *   'step':     one dispatch per timestep, B*H/4 invocations (plus one for dh0 when needed).
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
  /** 'sequence' only: W_hh (or W_hh^T) is copied into workgroup memory once and read from there. */
  sharedW: boolean;
}

export const gatesOf = (cell: CellType): number => (cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1);
/** H-wide slots per (t, b) row of the G region: LSTM i f g o, GRU r z n hn, RNN the pre-activation. */
export const slotsOf = (cell: CellType): number => (cell === 'rnn' ? 1 : 4);

/** Offsets (floats) of the regions of S for T steps; SG = floats per G row. */
export function stateLayout(cell: CellType, T: number, B: number, H: number) {
  const BH = B * H;
  const SG = slotsOf(cell) * H;
  const cOff = (T + 1) * BH;
  const gOff = cell === 'lstm' ? 2 * cOff : cOff;
  const carryOff = gOff + T * B * SG;
  return { hOff: 0, cOff, gOff, SG, carryOff, d0Off: carryOff + BH, total: carryOff + 2 * BH };
}

/**
 * Columns of a G row that hold dHP (the gradient of h W_hh^T + b_hh) after the backward pass:
 * gate block g sits in slot g, except GRU's n block (r * dn), which sits in slot 3.
 * As a column map c -> c + (c >= split ? shift : 0) over G*H columns.
 */
export function dhpColumns(cell: CellType, H: number): { split: number; shift: number } {
  return cell === 'gru' ? { split: 2 * H, shift: H } : { split: gatesOf(cell) * H, shift: 0 };
}

const MATH = `
fn sigm(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
fn tanhf(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
`;

function consts(p: RecurrentShape, qj = 1): string {
  const G = gatesOf(p.cell);
  return `
const B = ${p.B};
const H = ${p.H};
const BH = ${p.B * p.H};
const GH = ${G * p.H};
const SG = ${slotsOf(p.cell) * p.H};
const REV = ${p.reverse};
const NU = ${blocks(p, qj)};
const QJ = ${qj};
const HJ = ${p.H / qj};
fn tm(s: i32) -> i32 { return select(s, uniforms.T - 1 - s, REV); }
fn cOff() -> i32 { return (uniforms.T + 1) * BH; }
fn gOff() -> i32 { return (uniforms.T + 1) * BH${p.cell === 'lstm' ? ' * 2' : ''}; }
fn carryOff() -> i32 { return gOff() + uniforms.T * B * SG; }
fn d0Off() -> i32 { return carryOff() + BH; }
/** Start of the G row of (time t, batch row b). */
fn gRow(t: i32, b: i32) -> i32 { return gOff() + (t * B + b) * SG; }
`;
}

/** Batch rows per invocation: W_hh is read once for QB rows (4x fewer weight loads). */
const QB = 4;
const Q = [0, 1, 2, 3];

/**
 * WGSL: invocation u's block: batch rows b0 .. b0+QB-1 (bq, clamped to B-1; callers test
 * b0 + q < B) and hidden units j0 .. j0+QJ-1 (unit block jb).
 */
const BLOCK = `
  let bb = u / HJ;
  let jb = u - bb * HJ;
  let j0 = jb * QJ;
  let b0 = bb * ${QB};
  let bq = vec4<i32>(min(b0, B - 1), min(b0 + 1, B - 1), min(b0 + 2, B - 1), min(b0 + 3, B - 1));`;

/** Invocations: one per (block of QB batch rows, block of qj hidden units). */
const blocks = (p: { B: number; H: number }, qj = 1) => Math.ceil(p.B / QB) * (p.H / qj);

/**
 * Hidden units per invocation of the recurrence programs: 4 when H allows (W_hh read as vec4
 * over units: each h or gradient load then feeds 4 units x G gates), else 1.
 */
export const unitsPerInvocation = (H: number): number => (H % 4 === 0 ? 4 : 1);

/** The workgroup memory every WebGPU device offers (maxComputeWorkgroupStorageSize's minimum). */
export const WORKGROUP_BYTES = 16384;

/** Whether W_hh of this cell and size fits in workgroup memory. */
export const weightsFitWorkgroup = (cell: CellType, H: number): boolean => gatesOf(cell) * H * H * 4 <= WORKGROUP_BYTES;

/**
 * W_hh access: `wv(i)` reads element i (a vec4 when qj = 4) of the W input, or of its copy in
 * workgroup memory (`sharedW`, filled by every invocation of the one workgroup before step 0).
 */
function weightsOf(p: RecurrentShape, G: number, qj: number): { decl: string; load: string } {
  const ty = qj === 4 ? 'vec4<f32>' : 'f32';
  if (!p.sharedW) return { decl: `fn wv(i: i32) -> ${ty} { return W[i]; }`, load: '' };
  const n = (G * p.H * p.H) / qj;
  return {
    decl: `var<workgroup> wsh: array<${ty}, ${n}>;\nfn wv(i: i32) -> ${ty} { return wsh[i]; }`,
    load: `for (var i = index; i < ${n}; i += ${SEQ_WORKGROUP}) { wsh[i] = W[i]; }\n  workgroupBarrier();\n  `,
  };
}

function mainOf(p: RecurrentShape, seqBody: string, stepBody: string, load = ''): string {
  return p.mode === 'sequence' ? `fn main(index: i32) {\n  ${load}${seqBody}\n}` : `fn main(index: i32) { ${stepBody} }`;
}

function dispatchOf(p: RecurrentShape, qj: number): [number, number, number] {
  return p.mode === 'sequence' ? [1, 1, 1] : [Math.ceil(blocks(p, qj) / STEP_WORKGROUP), 1, 1];
}

function key(p: RecurrentShape): string {
  return `${p.cell}_${p.activation}_${p.B}_${p.H}_${p.reverse ? 1 : 0}${p.bias ? 1 : 0}${p.hasInit ? 1 : 0}_${p.mode}${p.sharedW ? '_wsh' : ''}`;
}

/** The shared shape of the recurrence programs: one state/gradient buffer, one or T dispatches. */
abstract class RecurrentProgram implements Program {
  outputShape: number[];
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms = 'T : i32, s : i32,';
  abstract shaderKey: string;
  abstract variableNames: string[];

  constructor(p: RecurrentShape, outputSize: number, qj = 1) {
    this.outputShape = [outputSize];
    this.workgroupSize = [p.mode === 'sequence' ? SEQ_WORKGROUP : STEP_WORKGROUP, 1, 1];
    this.dispatch = dispatchOf(p, qj);
  }

  abstract getUserCode(): string;
}

/**
 * Forward over all steps ('sequence') or step uniforms.s ('step'), in place on S (whose G region
 * already holds X W_ih^T). Inputs: W = W_hh [G*H, H], BI/BHH biases, H0/C0 initial state.
 */
export class RecurrentForwardProgram extends RecurrentProgram {
  shaderKey: string;
  variableNames: string[];

  variableComponents?: number[];
  /** Hidden units per invocation: 4 reads W_hh^T (input W, [H, G*H]) as vec4; 1 reads W_hh. */
  readonly qj: number;

  constructor(readonly p: RecurrentShape, T: number) {
    const qj = unitsPerInvocation(p.H);
    super(p, stateLayout(p.cell, T, p.B, p.H).total, qj);
    this.qj = qj;
    this.variableNames = ['W', ...(p.bias ? ['BI', 'BHH'] : []), ...(p.hasInit ? ['H0', ...(p.cell === 'lstm' ? ['C0'] : [])] : [])];
    if (qj === 4) this.variableComponents = this.variableNames.map((n) => (n === 'W' ? 4 : 1));
    this.shaderKey = `seqlab_rnn_fwd_${key(p)}_${qj}`;
  }

  getUserCode(): string {
    const p = this.p;
    const G = gatesOf(p.cell);
    const gs = Array.from({ length: G }, (_, g) => g);
    const v = this.qj === 4;
    const T4 = v ? 'vec4<f32>' : 'f32';
    const bias = (g: number, which: 'BI' | 'BHH') => (p.bias ? ` + ${which}[${g} * H + j]` : '');
    // the recurrent part W_hh h_{s-1} for QB rows x qj units: a{g}_{q} (a vec4 over the units when
    // qj = 4, read from W_hh^T as vec4; else one float, W_hh's row read along k)
    const dot = (src: string, base: string) => `
    for (var k = 0; k < H; k++) {
      ${Q.map((q) => `let h${q} = ${src}[${base}bq[${q}] * H + k];`).join(' ')}
      ${gs.map((g) => `{ let w = ${v ? `wv(k * ${(G * p.H) / 4} + ${g} * HJ + jb)` : `wv((${g} * H + j0) * H + k)`};
        ${Q.map((q) => `a${g}_${q} += h${q} * w;`).join(' ')} }`).join('\n      ')}
    }`;
    const params = gs.map((g) => `a${g}: f32`).join(', ');
    const hp0 = p.hasInit ? 'H0[u]' : '0.0';
    const cp0 = p.hasInit && p.cell === 'lstm' ? 'C0[u]' : '0.0';
    // pre-activation of gate g: input projection (in the G row) + biases + recurrent part
    const pre = (g: number) => `result[gb + ${g} * H]${bias(g, 'BI')}${bias(g, 'BHH')} + a${g}`;
    let update: string;
    if (p.cell === 'lstm') {
      update = `
  let ig = sigm(${pre(0)}); let fg = sigm(${pre(1)}); let gg = tanhf(${pre(2)}); let og = sigm(${pre(3)});
  var cprev = ${cp0};
  if (s > 0) { cprev = result[cOff() + s * BH + u]; } else { result[cOff() + u] = cprev; result[u] = ${hp0}; }
  let c = fg * cprev + ig * gg;
  result[cOff() + (s + 1) * BH + u] = c;
  result[(s + 1) * BH + u] = og * tanhf(c);
  result[gb] = ig; result[gb + H] = fg; result[gb + 2 * H] = gg; result[gb + 3 * H] = og;`;
    } else if (p.cell === 'gru') {
      update = `
  var hprev = ${hp0};
  if (s > 0) { hprev = result[s * BH + u]; } else { result[u] = hprev; }
  let hn = a2${bias(2, 'BHH')};
  let r = sigm(result[gb]${bias(0, 'BI')} + a0${bias(0, 'BHH')});
  let z = sigm(result[gb + H]${bias(1, 'BI')} + a1${bias(1, 'BHH')});
  let n = tanhf(result[gb + 2 * H]${bias(2, 'BI')} + r * hn);
  result[(s + 1) * BH + u] = n + z * (hprev - n);
  result[gb] = r; result[gb + H] = z; result[gb + 2 * H] = n; result[gb + 3 * H] = hn;`;
    } else {
      update = `
  if (s == 0) { result[u] = ${hp0}; }
  let a = ${pre(0)};
  result[(s + 1) * BH + u] = ${p.activation === 'relu' ? 'max(a, 0.0)' : 'tanhf(a)'};`;
    }
    const call = (q: number) => `if (b0 + ${q} < B) { ${v
      ? `for (var jj = 0; jj < 4; jj++) { updateUnit(s, t, b0 + ${q}, j0 + jj, ${gs.map((g) => `a${g}_${q}[jj]`).join(', ')}); }`
      : `updateUnit(s, t, b0 + ${q}, j0, ${gs.map((g) => `a${g}_${q}`).join(', ')});`} }`;
    const unit = `
fn updateUnit(s: i32, t: i32, b: i32, j: i32, ${params}) {
  let u = b * H + j;
  let gb = gRow(t, b) + j;${update}
}
fn blockForward(s: i32, u: i32) {${BLOCK}
  let t = tm(s);
  ${gs.map((g) => Q.map((q) => `var a${g}_${q} = ${T4}(0.0);`).join(' ')).join('\n  ')}
  if (s > 0) {${dot('result', 's * BH + ')}
  }${p.hasInit ? ` else {${dot('H0', '')}
  }` : ''}
  ${Q.map(call).join('\n  ')}
}`;
    const wts = weightsOf(p, G, this.qj);
    return MATH + consts(p, this.qj) + wts.decl + unit + mainOf(p,
      `for (var s = 0; s < uniforms.T; s++) {
    for (var u = index; u < NU; u += ${SEQ_WORKGROUP}) { blockForward(s, u); }
    storageBarrier();
    workgroupBarrier();
  }`,
      'if (index < NU) { blockForward(uniforms.s, index); }', wts.load);
  }
}

export interface BackwardShape extends RecurrentShape {
  hasDhs: boolean;
  hasDhN: boolean;
  hasDcN: boolean;
}

/**
 * Backward over all steps ('sequence'), or step uniforms.s ('step'; s = -1 computes dh0), in
 * place on S: reads the gates and states the forward left there, overwrites each G row with its
 * gate gradients. Inputs: W = W_hh, DHS [T, B, H] time order, DHN/DCN [B, H].
 * Never run it twice on one S (the forward's gates are gone afterwards).
 */
export class RecurrentBackwardProgram extends RecurrentProgram {
  shaderKey: string;
  variableNames: string[];
  variableComponents?: number[];
  /** Hidden units per invocation (4: W_hh rows read as vec4, each gradient load feeds 4 units). */
  readonly qj: number;

  constructor(readonly p: BackwardShape, T: number) {
    const qj = unitsPerInvocation(p.H);
    super(p, stateLayout(p.cell, T, p.B, p.H).total, qj);
    this.qj = qj;
    this.variableNames = ['W', ...(p.hasDhs ? ['DHS'] : []), ...(p.hasDhN ? ['DHN'] : []), ...(p.hasDcN ? ['DCN'] : [])];
    if (qj === 4) this.variableComponents = this.variableNames.map((n) => (n === 'W' ? 4 : 1));
    this.shaderKey = `seqlab_rnn_bwd_${key(p)}_${p.hasDhs ? 1 : 0}${p.hasDhN ? 1 : 0}${p.hasDcN ? 1 : 0}_${qj}`;
  }

  getUserCode(): string {
    const p = this.p;
    const gru = p.cell === 'gru';
    const G = gatesOf(p.cell);
    const v = this.qj === 4;
    // the slot of gate block g's dHP in a G row (GRU's n block: r * dn in slot 3)
    const slot = (g: number) => (gru && g === 2 ? 3 : g);
    // The recurrent part of dL/dh_s for the QB rows x qj units: sum over gates of dHP_{s+1} W_hh,
    // from the G rows of step s1 = s+1 (already gradients), plus GRU's direct path
    // dh_{s+1} * z_{s+1} (the carry). Column q of the result = batch row bq[q], units j0 .. j0+qj-1.
    const wAt = (g: number) => (v ? `wv((${g} * H + k) * HJ + jb)` : `wv((${g} * H + k) * H + j0)`);
    const carry = (q: number) => (v ? `vec4<f32>(${[0, 1, 2, 3].map((jj) => `result[carryOff() + bq[${q}] * H + j0 + ${jj}]`).join(', ')})` : `result[carryOff() + bq[${q}] * H + j0]`);
    const T4 = v ? 'vec4<f32>' : 'f32';
    // per batch row q: a vec4 over the qj = 4 units (a matrix), or one float (a vec4 over rows)
    const R = v ? 'mat4x4<f32>' : 'vec4<f32>';
    const at = v ? '[q][jj]' : '[q]';
    const rec = `
fn recurrent(s1: i32, bq: vec4<i32>, jb: i32) -> ${R} {
  let j0 = jb * ${this.qj};
  let t1 = tm(s1);
  ${Q.map((q) => `let r${q} = gRow(t1, bq[${q}]);`).join(' ')}
  ${Q.map((q) => `var a${q} = ${T4}(0.0);`).join(' ')}
  ${Array.from({ length: G }, (_, g) => `for (var k = 0; k < H; k++) {
    let w = ${wAt(g)};
    ${Q.map((q) => `a${q} += result[r${q} + ${slot(g)} * H + k] * w;`).join(' ')}
  }`).join('\n  ')}
  ${gru ? Q.map((q) => `a${q} += ${carry(q)};`).join(' ') : ''}
  return ${R}(${Q.map((q) => `a${q}`).join(', ')});
}`;
    let cellBwd: string;
    if (p.cell === 'lstm') {
      cellBwd = `
  let ig = result[gb]; let fg = result[gb + H]; let gg = result[gb + 2 * H]; let og = result[gb + 3 * H];
  let tc = tanhf(result[cOff() + (s + 1) * BH + u]);
  let cprev = result[cOff() + s * BH + u];
  var dc = ${p.hasDcN ? 'DCN[u]' : '0.0'};
  if (s < uniforms.T - 1) { dc = result[carryOff() + u]; }
  dc += dh * og * (1.0 - tc * tc);
  result[carryOff() + u] = dc * fg;
  result[gb] = dc * gg * ig * (1.0 - ig);
  result[gb + H] = dc * cprev * fg * (1.0 - fg);
  result[gb + 2 * H] = dc * ig * (1.0 - gg * gg);
  result[gb + 3 * H] = dh * tc * og * (1.0 - og);`;
    } else if (gru) {
      cellBwd = `
  let r = result[gb]; let z = result[gb + H]; let n = result[gb + 2 * H]; let hn = result[gb + 3 * H];
  let hprev = result[s * BH + u];
  let dnp = dh * (1.0 - z) * (1.0 - n * n);
  result[carryOff() + u] = dh * z;
  result[gb] = dnp * hn * r * (1.0 - r);
  result[gb + H] = dh * (hprev - n) * z * (1.0 - z);
  result[gb + 2 * H] = dnp;
  result[gb + 3 * H] = dnp * r;`;
    } else {
      cellBwd = `
  let h = result[(s + 1) * BH + u];
  result[gb] = ${p.activation === 'relu' ? 'select(0.0, dh, h > 0.0)' : 'dh * (1.0 - h * h)'};`;
    }
    const dhN = (q: number) => (v ? `vec4<f32>(${[0, 1, 2, 3].map((jj) => `DHN[bq[${q}] * H + j0 + ${jj}]`).join(', ')})` : `DHN[bq[${q}] * H + j0]`);
    const each = (body: string) => `for (var q = 0; q < ${QB}; q++) {
    if (b0 + q < B) { for (var jj = 0; jj < ${this.qj}; jj++) { ${body} } }
  }`;
    const unit = `
fn unitBackward(s: i32, b: i32, j: i32, rec: f32) {
  let u = b * H + j;
  let t = tm(s);
  var dh = rec;
  ${p.hasDhs ? 'dh += DHS[(t * B + b) * H + j];' : ''}
  let gb = gRow(t, b) + j;${cellBwd}
}
fn blockBackward(s: i32, u: i32) {${BLOCK}
  var rec = ${R}();
  if (s < uniforms.T - 1) { rec = recurrent(s + 1, bq, jb); }${p.hasDhN ? ` else { rec = ${R}(${Q.map(dhN).join(', ')}); }` : ''}
  ${each(`unitBackward(s, b0 + q, j0 + jj, rec${at});`)}
}
fn blockInitial(u: i32) {${BLOCK}
  var d = recurrent(0, bq, jb);
  ${each(`result[d0Off() + (b0 + q) * H + j0 + jj] = d${at};`)}
}`;
    const wts = weightsOf(p, G, this.qj);
    return MATH + consts(p, this.qj) + wts.decl + rec + unit + mainOf(p,
      `for (var i = 0; i < uniforms.T; i++) {
    for (var u = index; u < NU; u += ${SEQ_WORKGROUP}) { blockBackward(uniforms.T - 1 - i, u); }
    storageBarrier();
    workgroupBarrier();
  }
  ${p.hasInit ? `for (var u = index; u < NU; u += ${SEQ_WORKGROUP}) { blockInitial(u); }` : ''}`,
      'if (index < NU) { if (uniforms.s >= 0) { blockBackward(uniforms.s, index); } else { blockInitial(index); } }', wts.load);
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
 * out[cOff + m*ldc + n] = sum_k A(m, k) * B(k, n), a 4x4 block of outputs per invocation (tfjs's
 * tiled matmul is very slow for the skinny shapes of a recurrent layer on SwiftShader: 1.7 s for
 * [1024x16]x[16x512]). With am(m) = m + (m >= aSplit ? aShift : 0) (GRU's dHP columns):
 *   A(m, k) = A[aOff + (transA ? k*lda + am(m) : m*lda + k)]
 *   B(k, n) = B[bOff + (transB ? n*ldb + k : row(k)*ldb + n)], k = t*Bt + b running over Tt*Bt = K
 *   rows, row(k) = k, or (Tt-1-t)*Bt + b when rev = 1 (time-order rows of a reverse direction's S).
 * Run with an `output` tensor, it writes into that buffer's region and leaves the rest alone
 * (the input projection goes straight into S's G region).
 */
export class MatMulProgram extends FlatProgram {
  shaderKey: string;
  variableNames = ['A', 'BM'];
  uniforms = 'M : i32, N : i32, K : i32, aOff : i32, bOff : i32, rev : i32, Bt : i32, Tt : i32, lda : i32, ldb : i32, cOff : i32, ldc : i32, aSplit : i32, aShift : i32,';

  variableComponents?: number[];

  /**
   * vec4: A^T B with A and B read as vec4 (4 consecutive m of A, 4 consecutive n of B: 2 loads
   * per 16 multiply-adds instead of 8), when every stride and offset is a multiple of 4 (see
   * `canVec4`).
   */
  constructor(M: number, N: number, readonly transA: boolean, readonly transB: boolean, readonly vec4 = false) {
    super(M * N, Math.ceil(M / 4) * Math.ceil(N / 4)); // one invocation per 4x4 output block
    this.shaderKey = `seqlab_matmul4_${transA ? 1 : 0}${transB ? 1 : 0}${vec4 ? '_v4' : ''}`;
    if (vec4) this.variableComponents = [4, 4];
  }

  static canVec4(m: { M: number; N: number; transA: boolean; transB: boolean; lda: number; ldb: number; aOff: number; bOff: number; aSplit: number; aShift: number }): boolean {
    return m.transA && !m.transB && [m.M, m.N, m.lda, m.ldb, m.aOff, m.bOff, m.aSplit, m.aShift].every((v) => v % 4 === 0);
  }

  getUserCode(): string {
    if (this.vec4) return this.vec4Code();
    const aIdx = (i: number) => (this.transA ? `aOff + k * lda + ma${i}` : `aOff + ma${i} * lda + k`);
    const bIdx = (i: number) => (this.transB ? `bOff + nb${i} * ldb + k` : `bOff + kb * ldb + nb${i}`);
    const r4 = [0, 1, 2, 3];
    return `
fn main(index: i32) {
  let M = uniforms.M; let N = uniforms.N; let K = uniforms.K; let lda = uniforms.lda; let ldb = uniforms.ldb;
  let aOff = uniforms.aOff; let bOff = uniforms.bOff; let Bt = uniforms.Bt; let Tt = uniforms.Tt; let rev = uniforms.rev == 1;
  let nBlocks = (N + 3) / 4;
  let mb = index / nBlocks;
  let m0 = mb * 4;
  let n0 = (index - mb * nBlocks) * 4;
  if (m0 >= M) { return; }
  ${r4.map((i) => `let mc${i} = min(m0 + ${i}, M - 1); let ma${i} = mc${i} + select(0, uniforms.aShift, mc${i} >= uniforms.aSplit); let nb${i} = min(n0 + ${i}, N - 1);`).join('\n  ')}
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
  let cOff = uniforms.cOff; let ldc = uniforms.ldc;
  ${r4.map((i) => `if (m0 + ${i} < M) { ${r4.map((j) => `if (n0 + ${j} < N) { result[cOff + (m0 + ${i}) * ldc + n0 + ${j}] = c${i}[${j}]; }`).join(' ')} }`).join('\n  ')}
}`;
  }
  /** Column block m0..m0+3 of A^T and n0..n0+3 of B as vec4 loads (all indices / 4). */
  private vec4Code(): string {
    const r4 = [0, 1, 2, 3];
    return `
fn main(index: i32) {
  let M = uniforms.M; let N = uniforms.N; let lda4 = uniforms.lda / 4; let ldb4 = uniforms.ldb / 4;
  let Bt = uniforms.Bt; let Tt = uniforms.Tt; let rev = uniforms.rev == 1;
  let nBlocks = N / 4;
  let mb = index / nBlocks;
  let m0 = mb * 4;
  let n0 = (index - mb * nBlocks) * 4;
  if (m0 >= M) { return; }
  let a0 = (uniforms.aOff + m0 + select(0, uniforms.aShift, m0 >= uniforms.aSplit)) / 4;
  let b0 = (uniforms.bOff + n0) / 4;
  ${r4.map((i) => `var c${i} = vec4<f32>(0.0);`).join(' ')}
  for (var t = 0; t < Tt; t++) {
    let rowT = select(t, Tt - 1 - t, rev) * Bt;
    for (var b = 0; b < Bt; b++) {
      let av = A[a0 + (t * Bt + b) * lda4];
      let bv = BM[b0 + (rowT + b) * ldb4];
      ${r4.map((i) => `c${i} += av[${i}] * bv;`).join('\n      ')}
    }
  }
  let o = uniforms.cOff + m0 * uniforms.ldc + n0;
  ${r4.map((i) => r4.map((j) => `result[o + ${i} * uniforms.ldc + ${j}] = c${i}[${j}];`).join(' ')).join('\n  ')}
}`;
  }
}

/** out[c] = sum_r X[off + r*ld + c + (c >= split ? shift : 0)]: bias gradients from the G rows of all T*B steps. */
export class ColumnSumProgram extends FlatProgram {
  shaderKey = 'seqlab_colsum';
  variableNames = ['X'];
  uniforms = 'R : i32, C : i32, off : i32, ld : i32, split : i32, shift : i32,';

  getUserCode(): string {
    return `
fn main(index: i32) {
  if (index >= uniforms.C) { return; }
  let col = uniforms.off + index + select(0, uniforms.shift, index >= uniforms.split);
  var acc = 0.0;
  for (var r = 0; r < uniforms.R; r++) { acc += X[col + r * uniforms.ld]; }
  result[index] = acc;
}`;
  }
}

/** out[k*R + m] = X[m*C + k]: W_hh [G*H, H] -> W_hh^T [H, G*H] for the forward recurrence. */
export class TransposeProgram extends FlatProgram {
  shaderKey = 'seqlab_transpose';
  variableNames = ['X'];
  uniforms = 'R : i32, C : i32,';

  getUserCode(): string {
    return `
fn main(index: i32) {
  if (index >= uniforms.R * uniforms.C) { return; }
  let k = index / uniforms.R;
  let m = index - k * uniforms.R;
  result[index] = X[m * uniforms.C + k];
}`;
  }
}

// AssemblyScript (compiled to WebAssembly with SIMD128 by scripts/wasm.mjs; not TypeScript: tsc skips
// this folder). The arithmetic of the fused recurrence for the wasm and cpu tfjs backends
// (src/wasm/kernels.ts lays out the memory and calls these).
//
// Every argument that names an array is a FLOAT index into linear memory (byte address / 4); the
// host owns the layout. Hidden sizes arrive padded to Hp, a multiple of 4, with zero weights for the
// padding units (their state stays exactly 0, see kernels.ts), so the gate loops are all 4-wide.

/** Byte address of float index i. */
// @ts-ignore: decorator
@inline function at(i: i32): usize { return (<usize>i) << 2; }

/** First float index the host may use (everything below is the module's own static data). */
export function heapStart(): i32 {
  return <i32>((__heap_base + 15) >> 2);
}

// ---------------------------------------------------------------------------------------------
// exp, sigmoid, tanh on 4 lanes (Cephes expf: x = n ln2 + r, |r| <= ln2/2, degree-5 polynomial,
// 2^n built in the exponent bits; relative error about 1e-7, like Math.fround(Math.exp(x));
// tanh through e^x - 1, accurate near 0 too)
// ---------------------------------------------------------------------------------------------

/**
 * e^x - 1 and e^x on 4 lanes. With x = n ln2 + r: e^x = 2^n (1 + q), q = e^r - 1 = r + r^2 p(r),
 * so e^x - 1 = 2^n q + (2^n - 1): no cancellation for small x (n = 0 gives q itself), which tanh
 * needs (1 - e^(-2|x|) lost up to 3e-6 relative near 0 when computed from e^x).
 */
// @ts-ignore: decorator
@inline function vexpm1(x: v128): v128 {
  const n = expN(x);
  const q = expQ(x, n);
  const p2 = pow2(n);
  return f32x4.add(f32x4.mul(p2, q), f32x4.sub(p2, f32x4.splat(1.0)));
}

// @ts-ignore: decorator
@inline function vexp(x: v128): v128 {
  const n = expN(x);
  return f32x4.mul(pow2(n), f32x4.add(expQ(x, n), f32x4.splat(1.0)));
}

/** x clamped to e^x's float range, and n = round(x / ln 2) */
// @ts-ignore: decorator
@inline function expN(x: v128): v128 {
  return f32x4.nearest(f32x4.mul(clampExp(x), f32x4.splat(1.44269504088896341)));
}

// @ts-ignore: decorator
@inline function clampExp(x: v128): v128 {
  return f32x4.min(f32x4.max(x, f32x4.splat(-87.3)), f32x4.splat(88.3));
}

/** q = e^r - 1 = r + r^2 p(r), r = x - n ln 2 (ln 2 split in two so that n * C1 is exact) */
// @ts-ignore: decorator
@inline function expQ(x: v128, n: v128): v128 {
  let r = f32x4.sub(clampExp(x), f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  return f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r);
}

/** 2^n for integral n in [-126, 127]: (n + 127) << 23 is its float bit pattern */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 {
  return i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
}

/** sigma(x) = 1 / (1 + e^-x) */
// @ts-ignore: decorator
@inline function vsigm(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(x))));
}

/** tanh(x) = sign(x) (-m) / (2 + m), m = e^(-2|x|) - 1 in (-1, 0] (no overflow, no cancellation) */
// @ts-ignore: decorator
@inline function vtanh(x: v128): v128 {
  const m = vexpm1(f32x4.mul(f32x4.abs(x), f32x4.splat(-2.0)));
  const t = f32x4.div(f32x4.neg(m), f32x4.add(f32x4.splat(2.0), m));
  // copy x's sign bit onto t (t >= 0)
  const sign = v128.and(x, i32x4.splat(0x80000000));
  return v128.or(t, sign);
}

/** tanh of n floats at x into y (n a multiple of 4): the probe's and tests' check of vtanh. */
export function tanhArray(x: i32, y: i32, n: i32): void {
  for (let i = 0; i < n; i += 4) v128.store(at(y + i), vtanh(v128.load(at(x + i))));
}

/** sigma of n floats at x into y (n a multiple of 4). */
export function sigmoidArray(x: i32, y: i32, n: i32): void {
  for (let i = 0; i < n; i += 4) v128.store(at(y + i), vsigm(v128.load(at(x + i))));
}

// ---------------------------------------------------------------------------------------------
// Matrix product. C[m, n] (= or +=) sum_k A(m, k) B[k, n] with A(m, k) at a + m*sam + k*sak (so
// A or A^T, any strides), B row-major [K, N] with row stride ldb, C row-major with row stride ldc.
// Blocked: K in chunks of KC (B's panel stays in cache), then 8 columns x 4 rows per inner kernel
// (8 accumulators of 4 lanes), then the 4-column and single-column tails.
// ---------------------------------------------------------------------------------------------

const KC: i32 = 256;

export function gemm(M: i32, N: i32, K: i32, a: i32, sam: i32, sak: i32, b: i32, ldb: i32, c: i32, ldc: i32, accumulate: i32): void {
  if (K == 0) {
    if (!accumulate) for (let m = 0; m < M; m++) memory.fill(at(c + m * ldc), 0, <usize>N << 2);
    return;
  }
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kn = min(KC, K - k0);
    const acc = accumulate != 0 || k0 > 0;
    const ak = a + k0 * sak;
    const bk = b + k0 * ldb;
    let n = 0;
    for (; n + 8 <= N; n += 8) {
      let m = 0;
      for (; m + 4 <= M; m += 4) block4x8(kn, ak + m * sam, sam, sak, bk + n, ldb, c + m * ldc + n, ldc, acc);
      for (; m < M; m++) block1x8(kn, ak + m * sam, sak, bk + n, ldb, c + m * ldc + n, acc);
    }
    for (; n + 4 <= N; n += 4) {
      for (let m = 0; m < M; m++) block1x4(kn, ak + m * sam, sak, bk + n, ldb, c + m * ldc + n, acc);
    }
    for (; n < N; n++) {
      for (let m = 0; m < M; m++) {
        // one dot product: sum_k A(m, k) B[k, n]
        let s: f32 = acc ? load<f32>(at(c + m * ldc + n)) : 0;
        const am = ak + m * sam;
        for (let k = 0; k < kn; k++) s += load<f32>(at(am + k * sak)) * load<f32>(at(bk + k * ldb + n));
        store<f32>(at(c + m * ldc + n), s);
      }
    }
  }
}

// @ts-ignore: decorator
@inline function block4x8(K: i32, a: i32, sam: i32, sak: i32, b: i32, ldb: i32, c: i32, ldc: i32, acc: bool): void {
  const z = f32x4.splat(0);
  let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
  let pa = at(a), pb = at(b);
  const sa = at(sak), sb = at(ldb), r = at(sam);
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(pa + r);
    c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(pa + 2 * r);
    c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(pa + 3 * r);
    c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
    pa += sa; pb += sb;
  }
  const l = at(ldc);
  let pc = at(c);
  if (acc) {
    c00 = f32x4.add(c00, v128.load(pc)); c01 = f32x4.add(c01, v128.load(pc, 16)); pc += l;
    c10 = f32x4.add(c10, v128.load(pc)); c11 = f32x4.add(c11, v128.load(pc, 16)); pc += l;
    c20 = f32x4.add(c20, v128.load(pc)); c21 = f32x4.add(c21, v128.load(pc, 16)); pc += l;
    c30 = f32x4.add(c30, v128.load(pc)); c31 = f32x4.add(c31, v128.load(pc, 16));
    pc = at(c);
  }
  v128.store(pc, c00); v128.store(pc, c01, 16); pc += l;
  v128.store(pc, c10); v128.store(pc, c11, 16); pc += l;
  v128.store(pc, c20); v128.store(pc, c21, 16); pc += l;
  v128.store(pc, c30); v128.store(pc, c31, 16);
}

// @ts-ignore: decorator
@inline function block1x8(K: i32, a: i32, sak: i32, b: i32, ldb: i32, c: i32, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let pa = at(a), pb = at(b);
  const sa = at(sak), sb = at(ldb);
  for (let k = 0; k < K; k++) {
    const x = v128.load32_splat(pa);
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(x, v128.load(pb, 16)));
    pa += sa; pb += sb;
  }
  const pc = at(c);
  if (acc) { c0 = f32x4.add(c0, v128.load(pc)); c1 = f32x4.add(c1, v128.load(pc, 16)); }
  v128.store(pc, c0); v128.store(pc, c1, 16);
}

// @ts-ignore: decorator
@inline function block1x4(K: i32, a: i32, sak: i32, b: i32, ldb: i32, c: i32, acc: bool): void {
  let c0 = f32x4.splat(0);
  let pa = at(a), pb = at(b);
  const sa = at(sak), sb = at(ldb);
  for (let k = 0; k < K; k++) {
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), v128.load(pb)));
    pa += sa; pb += sb;
  }
  const pc = at(c);
  if (acc) c0 = f32x4.add(c0, v128.load(pc));
  v128.store(pc, c0);
}

/** 4 floats as two f64x2: lanes 0-1 and 2-3 */
// @ts-ignore: decorator
@inline function lo2(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
// @ts-ignore: decorator
@inline function hi2(v: v128): v128 { return f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 0, 1)); }

/** Store lo (lanes 0-1) and hi (lanes 2-3), plus C's current values when acc, as 4 floats at p. */
// @ts-ignore: decorator
@inline function put4(p: usize, lo: v128, hi: v128, acc: bool): void {
  if (acc) {
    const o = v128.load(p);
    lo = f64x2.add(lo, lo2(o));
    hi = f64x2.add(hi, hi2(o));
  }
  v128.store(p, f32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
}

// ---------------------------------------------------------------------------------------------
// The recurrence's products (h W_hh^T forward, dHP W_hh backward) in float64, rounded to float32
// once per C value: their rounding errors are fed back T times, and in float32 they drifted one
// PyTorch training trajectory (torch-train gru_m2o_bce_rmsprop_value) from 1e-8 to 1.3e-4 in 15
// RMSprop steps; in float64 it stays at the op-by-op cells' 1e-5..8e-5. The products of two
// float32 values are exact in float64. Both operands come widened to float64 (widen), packed
// row-major: A [M, K] (a64), B [K, N] (w64), addresses float indices like every region (2 floats
// a value). W_hh is widened once per call, the step's h (or dHP) once per step, rather than every
// value at every use inside the loops, which made B32 H128 LSTM's h W_hh^T 2.8x slower (3.5-8x
// the float32 product's time; now 2-3x). 4 columns x 4 rows per inner kernel (8 accumulators of
// 2 float64 lanes), then the single-row tail.
// ---------------------------------------------------------------------------------------------

/** dst (float64, 2 floats each) = src (float32), n values. */
export function widen(src: i32, n: i32, dst: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(at(src + i));
    v128.store(at(dst + 2 * i), lo2(v));
    v128.store(at(dst + 2 * i), hi2(v), 16);
  }
  for (; i < n; i++) store<f64>(at(dst + 2 * i), <f64>load<f32>(at(src + i)));
}

/** C[m, n] (= or +=) sum_k A[m, k] B[k, n]; N a multiple of 4. */
export function gemm64w(M: i32, N: i32, K: i32, a64: i32, w64: i32, c: i32, ldc: i32, accumulate: i32): void {
  if (K == 0) {
    if (!accumulate) for (let m = 0; m < M; m++) memory.fill(at(c + m * ldc), 0, <usize>N << 2);
    return;
  }
  const acc = accumulate != 0;
  for (let n = 0; n < N; n += 4) {
    let m = 0;
    for (; m + 4 <= M; m += 4) block4x4w(K, a64 + 2 * m * K, w64 + 2 * n, N, c + m * ldc + n, ldc, acc);
    for (; m < M; m++) block1x4w(K, a64 + 2 * m * K, w64 + 2 * n, N, c + m * ldc + n, acc);
  }
}

// @ts-ignore: decorator
@inline function block4x4w(K: i32, a: i32, b: i32, ldb: i32, c: i32, ldc: i32, acc: bool): void {
  const z = f64x2.splat(0);
  let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
  let pa = at(a), pb = at(b);
  const sb = at(2 * ldb), r = at(2 * K);
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load64_splat(pa);
    c00 = f64x2.add(c00, f64x2.mul(x, b0)); c01 = f64x2.add(c01, f64x2.mul(x, b1));
    x = v128.load64_splat(pa + r);
    c10 = f64x2.add(c10, f64x2.mul(x, b0)); c11 = f64x2.add(c11, f64x2.mul(x, b1));
    x = v128.load64_splat(pa + 2 * r);
    c20 = f64x2.add(c20, f64x2.mul(x, b0)); c21 = f64x2.add(c21, f64x2.mul(x, b1));
    x = v128.load64_splat(pa + 3 * r);
    c30 = f64x2.add(c30, f64x2.mul(x, b0)); c31 = f64x2.add(c31, f64x2.mul(x, b1));
    pa += 8; pb += sb;
  }
  const l = at(ldc);
  const pc = at(c);
  put4(pc, c00, c01, acc);
  put4(pc + l, c10, c11, acc);
  put4(pc + 2 * l, c20, c21, acc);
  put4(pc + 3 * l, c30, c31, acc);
}

// @ts-ignore: decorator
@inline function block1x4w(K: i32, a: i32, b: i32, ldb: i32, c: i32, acc: bool): void {
  let c0 = f64x2.splat(0), c1 = f64x2.splat(0);
  let pa = at(a), pb = at(b);
  const sb = at(2 * ldb);
  for (let k = 0; k < K; k++) {
    const x = v128.load64_splat(pa);
    c0 = f64x2.add(c0, f64x2.mul(x, v128.load(pb)));
    c1 = f64x2.add(c1, f64x2.mul(x, v128.load(pb, 16)));
    pa += 8; pb += sb;
  }
  put4(at(c), c0, c1, acc);
}

/** out[n] (= or +=) sum over R rows (stride ld) of x[r, n], N a multiple of 4: bias gradients. */
export function colsum(R: i32, N: i32, x: i32, ld: i32, out: i32, accumulate: i32): void {
  for (let n = 0; n < N; n += 4) {
    let s = accumulate ? v128.load(at(out + n)) : f32x4.splat(0);
    for (let r = 0; r < R; r++) s = f32x4.add(s, v128.load(at(x + r * ld + n)));
    v128.store(at(out + n), s);
  }
}

// ---------------------------------------------------------------------------------------------
// One timestep of each cell, forward and backward, over B rows x Hp units (PyTorch's equations).
// xp: the row block of X W_ih^T for this step [B, G*Hp] (forward: overwritten with what the
// backward needs; backward: overwritten with dXP, the gradient of the gate pre-activations),
// p: h_prev W_hh^T [B, G*Hp], bi/bh: b_ih, b_hh [G*Hp] (zeros when the layer has no bias).
// ---------------------------------------------------------------------------------------------

/**
 * LSTM, gates i f g o:
 *   i = sigma(a_i), f = sigma(a_f), g = tanh(a_g), o = sigma(a_o),  a = x W_ih^T + b_ih + h W_hh^T + b_hh
 *   c' = f * c + i * g,   h' = o * tanh(c')
 * Keeps i f g o in xp, c' in cOut, tanh(c') in tc, h' in hOut.
 */
export function lstmForward(B: i32, Hp: i32, xp: i32, p: i32, bi: i32, bh: i32, cPrev: i32, cOut: i32, tc: i32, hOut: i32): void {
  const G = 4 * Hp;
  for (let b = 0; b < B; b++) {
    const row = b * G;
    for (let j = 0; j < Hp; j += 4) {
      const ai = pre(xp + row + j, p + row + j, bi + j, bh + j);
      const af = pre(xp + row + Hp + j, p + row + Hp + j, bi + Hp + j, bh + Hp + j);
      const ag = pre(xp + row + 2 * Hp + j, p + row + 2 * Hp + j, bi + 2 * Hp + j, bh + 2 * Hp + j);
      const ao = pre(xp + row + 3 * Hp + j, p + row + 3 * Hp + j, bi + 3 * Hp + j, bh + 3 * Hp + j);
      const i = vsigm(ai), f = vsigm(af), g = vtanh(ag), o = vsigm(ao);
      const s = b * Hp + j;
      const c = f32x4.add(f32x4.mul(f, v128.load(at(cPrev + s))), f32x4.mul(i, g));
      const t = vtanh(c);
      v128.store(at(xp + row + j), i);
      v128.store(at(xp + row + Hp + j), f);
      v128.store(at(xp + row + 2 * Hp + j), g);
      v128.store(at(xp + row + 3 * Hp + j), o);
      v128.store(at(cOut + s), c);
      v128.store(at(tc + s), t);
      v128.store(at(hOut + s), f32x4.mul(o, t));
    }
  }
}

/** a = xp + b_ih + p + b_hh on 4 lanes */
// @ts-ignore: decorator
@inline function pre(xp: i32, p: i32, bi: i32, bh: i32): v128 {
  return f32x4.add(f32x4.add(v128.load(at(xp)), v128.load(at(bi))), f32x4.add(v128.load(at(p)), v128.load(at(bh))));
}

/**
 * LSTM backward through one step. dh = dL/dh' (the step's output gradient plus the recurrent
 * carry), dc = dL/dc' carried in, updated in place to dL/dc:
 *   do = dh tanh(c'),  dc += dh o (1 - tanh^2 c'),  di = dc g,  dg = dc i,  df = dc c,  dc_prev = dc f
 *   da_i = di i (1 - i),  da_f = df f (1 - f),  da_g = dg (1 - g^2),  da_o = do o (1 - o)
 * writes da (= dXP = dHP) over the gates in xp and clears carry (the caller adds dHP W_hh to it).
 * A row whose mask is 0 (a finished sequence: s' = s, see frozen) passes dh and dc through
 * unchanged and gets da = 0.
 */
export function lstmBackward(B: i32, Hp: i32, xp: i32, dhs: i32, carry: i32, dc: i32, cPrev: i32, tc: i32, mask: i32): void {
  const G = 4 * Hp;
  const one = f32x4.splat(1.0);
  for (let b = 0; b < B; b++) {
    const row = b * G;
    if (frozen(mask, b)) { memory.fill(at(xp + row), 0, at(G)); continue; }
    for (let j = 0; j < Hp; j += 4) {
      const s = b * Hp + j;
      const dh = f32x4.add(v128.load(at(dhs + s)), v128.load(at(carry + s)));
      v128.store(at(dhs + s), dh); // dL/dh' in full: the probe's ||dL/dh_t|| (see backwardSequence)
      v128.store(at(carry + s), f32x4.splat(0));
      const i = v128.load(at(xp + row + j)), f = v128.load(at(xp + row + Hp + j));
      const g = v128.load(at(xp + row + 2 * Hp + j)), o = v128.load(at(xp + row + 3 * Hp + j));
      const t = v128.load(at(tc + s));
      const dO = f32x4.mul(dh, t);
      const dC = f32x4.add(v128.load(at(dc + s)), f32x4.mul(f32x4.mul(dh, o), f32x4.sub(one, f32x4.mul(t, t))));
      const dI = f32x4.mul(dC, g), dG = f32x4.mul(dC, i), dF = f32x4.mul(dC, v128.load(at(cPrev + s)));
      v128.store(at(dc + s), f32x4.mul(dC, f));
      v128.store(at(xp + row + j), f32x4.mul(dI, f32x4.mul(i, f32x4.sub(one, i))));
      v128.store(at(xp + row + Hp + j), f32x4.mul(dF, f32x4.mul(f, f32x4.sub(one, f))));
      v128.store(at(xp + row + 2 * Hp + j), f32x4.mul(dG, f32x4.sub(one, f32x4.mul(g, g))));
      v128.store(at(xp + row + 3 * Hp + j), f32x4.mul(dO, f32x4.mul(o, f32x4.sub(one, o))));
    }
  }
}

/**
 * GRU, gates r z n (PyTorch):
 *   r = sigma(x W_ir^T + b_ir + h W_hr^T + b_hr),  z = sigma(x W_iz^T + b_iz + h W_hz^T + b_hz)
 *   hn = h W_hn^T + b_hn,  n = tanh(x W_in^T + b_in + r * hn),  h' = (1 - z) * n + z * h
 * Keeps r z n in xp, hn in hnOut, h' in hOut.
 */
export function gruForward(B: i32, Hp: i32, xp: i32, p: i32, bi: i32, bh: i32, hPrev: i32, hnOut: i32, hOut: i32): void {
  const G = 3 * Hp;
  for (let b = 0; b < B; b++) {
    const row = b * G;
    for (let j = 0; j < Hp; j += 4) {
      const s = b * Hp + j;
      const r = vsigm(pre(xp + row + j, p + row + j, bi + j, bh + j));
      const z = vsigm(pre(xp + row + Hp + j, p + row + Hp + j, bi + Hp + j, bh + Hp + j));
      const hn = f32x4.add(v128.load(at(p + row + 2 * Hp + j)), v128.load(at(bh + 2 * Hp + j)));
      const xn = f32x4.add(v128.load(at(xp + row + 2 * Hp + j)), v128.load(at(bi + 2 * Hp + j)));
      const n = vtanh(f32x4.add(xn, f32x4.mul(r, hn)));
      const hp = v128.load(at(hPrev + s));
      // h' = n + z (h - n)
      v128.store(at(hOut + s), f32x4.add(n, f32x4.mul(z, f32x4.sub(hp, n))));
      v128.store(at(xp + row + j), r);
      v128.store(at(xp + row + Hp + j), z);
      v128.store(at(xp + row + 2 * Hp + j), n);
      v128.store(at(hnOut + s), hn);
    }
  }
}

/**
 * GRU backward through one step, dh = dhs + carry:
 *   dn = dh (1 - z),  dz = dh (h - n),  dh_prev (direct) = dh z
 *   da_n = dn (1 - n^2),  da_r = da_n hn r (1 - r),  da_z = dz z (1 - z)
 *   dXP = [da_r, da_z, da_n] (into xp),  dHP = [da_r, da_z, da_n r] (into dhp)
 * carry becomes dh z; the caller then adds dHP W_hh. A frozen row (mask 0) keeps its carry and
 * gets dXP = dHP = 0.
 */
export function gruBackward(B: i32, Hp: i32, xp: i32, dhp: i32, dhs: i32, carry: i32, hPrev: i32, hn: i32, mask: i32): void {
  const G = 3 * Hp;
  const one = f32x4.splat(1.0);
  for (let b = 0; b < B; b++) {
    const row = b * G;
    if (frozen(mask, b)) { memory.fill(at(xp + row), 0, at(G)); memory.fill(at(dhp + row), 0, at(G)); continue; }
    for (let j = 0; j < Hp; j += 4) {
      const s = b * Hp + j;
      const dh = f32x4.add(v128.load(at(dhs + s)), v128.load(at(carry + s)));
      v128.store(at(dhs + s), dh); // dL/dh' in full: the probe's ||dL/dh_t|| (see backwardSequence)
      const r = v128.load(at(xp + row + j)), z = v128.load(at(xp + row + Hp + j)), n = v128.load(at(xp + row + 2 * Hp + j));
      const dN = f32x4.mul(dh, f32x4.sub(one, z));
      const dZ = f32x4.mul(dh, f32x4.sub(v128.load(at(hPrev + s)), n));
      const daN = f32x4.mul(dN, f32x4.sub(one, f32x4.mul(n, n)));
      const daR = f32x4.mul(f32x4.mul(daN, v128.load(at(hn + s))), f32x4.mul(r, f32x4.sub(one, r)));
      const daZ = f32x4.mul(dZ, f32x4.mul(z, f32x4.sub(one, z)));
      v128.store(at(carry + s), f32x4.mul(dh, z));
      v128.store(at(xp + row + j), daR);
      v128.store(at(xp + row + Hp + j), daZ);
      v128.store(at(xp + row + 2 * Hp + j), daN);
      v128.store(at(dhp + row + j), daR);
      v128.store(at(dhp + row + Hp + j), daZ);
      v128.store(at(dhp + row + 2 * Hp + j), f32x4.mul(daN, r));
    }
  }
}

/** Elman RNN: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh (relu = 0) or relu (relu = 1). */
export function rnnForward(B: i32, Hp: i32, xp: i32, p: i32, bi: i32, bh: i32, hOut: i32, relu: i32): void {
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < Hp; j += 4) {
      const s = b * Hp + j;
      const a = pre(xp + s, p + s, bi + j, bh + j);
      v128.store(at(hOut + s), relu ? f32x4.max(a, f32x4.splat(0)) : vtanh(a));
    }
  }
}

/**
 * RNN backward through one step, dh = dhs + carry: da = dh (1 - h'^2) for tanh, dh [h' > 0] for
 * relu (PyTorch's relu gradient at 0 is 0). Writes da (= dXP = dHP) into xp and clears carry (the
 * caller adds dHP W_hh); a frozen row (mask 0) keeps its carry and gets da = 0.
 */
export function rnnBackward(B: i32, Hp: i32, xp: i32, dhs: i32, carry: i32, h: i32, relu: i32, mask: i32): void {
  const one = f32x4.splat(1.0), zero = f32x4.splat(0);
  for (let b = 0; b < B; b++) {
    if (frozen(mask, b)) { memory.fill(at(xp + b * Hp), 0, at(Hp)); continue; }
    for (let j = 0; j < Hp; j += 4) {
      const s = b * Hp + j;
      const dh = f32x4.add(v128.load(at(dhs + s)), v128.load(at(carry + s)));
      v128.store(at(dhs + s), dh); // dL/dh' in full: the probe's ||dL/dh_t|| (see backwardSequence)
      v128.store(at(carry + s), zero);
      const y = v128.load(at(h + s));
      const d = relu ? v128.and(dh, f32x4.gt(y, zero)) : f32x4.mul(dh, f32x4.sub(one, f32x4.mul(y, y)));
      v128.store(at(xp + s), d);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The whole recurrence over T steps in one call (processing order s = 0 .. T-1; the host maps a
// reverse direction's time order onto it). cell: 0 rnn, 1 lstm, 2 gru. Regions (float indices):
//   h [(T+1), B, Hp]  row 0 = h_0, row s+1 = h after step s     c [(T+1), B, Hp] (LSTM)
//   aux [T, B, Hp]    LSTM tanh(c'), GRU hn                       g [T, B, G*Hp] gates (see above)
//   p [B, G*Hp]       scratch for h W_hh^T
//   wide              scratch of 2 (G*Hp*Hp + B*G*Hp) floats: W_hh (or W_hh^T) and the step's h (or
//                     dHP) widened to float64 for the products (see gemm64w)
//   mask [T, B]       variable lengths (PyTorch's packed sequences): m_s[b] = 1 while sequence b
//                     runs at step s, else 0; -1: every sequence runs every step. With it
//                       state_s = m_s cell(x_s, state_{s-1}) + (1 - m_s) state_{s-1}
//                     (a frozen row keeps its h and c; the host zeroes its output h)
// ---------------------------------------------------------------------------------------------

/** Row b of a step's mask is 0: the sequence does not run at this step (mask < 0: no mask). */
// @ts-ignore: decorator
@inline function frozen(mask: i32, b: i32): bool {
  return mask >= 0 && load<f32>(at(mask + b)) == 0;
}

export function forwardSequence(cell: i32, relu: i32, T: i32, B: i32, Hp: i32, g: i32, h: i32, c: i32, aux: i32, whhT: i32, bi: i32, bh: i32, p: i32, mask: i32, wide: i32): void {
  const G = (cell == 1 ? 4 : cell == 2 ? 3 : 1) * Hp;
  const BH = B * Hp;
  const w64 = wide, h64 = wide + 2 * Hp * G;
  widen(whhT, Hp * G, w64);
  for (let s = 0; s < T; s++) {
    const hPrev = h + s * BH;
    // p = h_prev W_hh^T   [B, Hp] x [Hp, G*Hp]
    widen(hPrev, BH, h64);
    gemm64w(B, G, Hp, h64, w64, p, G, 0);
    const gs = g + s * B * G;
    if (cell == 1) lstmForward(B, Hp, gs, p, bi, bh, c + s * BH, c + (s + 1) * BH, aux + s * BH, hPrev + BH);
    else if (cell == 2) gruForward(B, Hp, gs, p, bi, bh, hPrev, aux + s * BH, hPrev + BH);
    else rnnForward(B, Hp, gs, p, bi, bh, hPrev + BH, relu);
    if (mask < 0) continue;
    // frozen rows: state_s = state_{s-1}
    const ms = mask + s * B;
    for (let b = 0; b < B; b++) {
      if (!frozen(ms, b)) continue;
      memory.copy(at(hPrev + BH + b * Hp), at(hPrev + b * Hp), at(Hp));
      if (cell == 1) memory.copy(at(c + (s + 1) * BH + b * Hp), at(c + s * BH + b * Hp), at(Hp));
    }
  }
}

/**
 * Backward over s = T-1 .. 0. dhs [T, B, Hp]: dL/dh from above per step, overwritten with dL/dh_s
 * in full (from above plus the carry from step s+1: every path from h_s to the loss; a frozen
 * row's is left as read); carry [B, Hp] starts as
 * dL/dh_n and ends as dL/dh_0, dc [B, Hp] (LSTM) as dL/dc_n -> dL/dc_0. The carry between steps is
 * dL/dh_prev = dHP W_hh (GRU: + dh z). g's rows become dXP; GRU's dHP goes to dhp (else dHP = dXP).
 * whh: W_hh [G*Hp, Hp] row-major; wide as forwardSequence's. mask as forwardSequence's: a frozen row's dh and dc pass
 * through the step unchanged (state_s = state_{s-1}), its dXP and dHP are 0 (its output h is
 * 0, so its dhs is not read).
 */
export function backwardSequence(cell: i32, relu: i32, T: i32, B: i32, Hp: i32, g: i32, dhp: i32, h: i32, c: i32, aux: i32, whh: i32, dhs: i32, carry: i32, dc: i32, mask: i32, wide: i32): void {
  const G = (cell == 1 ? 4 : cell == 2 ? 3 : 1) * Hp;
  const BH = B * Hp;
  const w64 = wide, d64 = wide + 2 * G * Hp;
  widen(whh, G * Hp, w64);
  for (let s = T - 1; s >= 0; s--) {
    const gs = g + s * B * G;
    const ms = mask < 0 ? -1 : mask + s * B;
    let d = gs;
    if (cell == 1) lstmBackward(B, Hp, gs, dhs + s * BH, carry, dc, c + s * BH, aux + s * BH, ms);
    else if (cell == 2) { d = dhp + s * B * G; gruBackward(B, Hp, gs, d, dhs + s * BH, carry, h + s * BH, aux + s * BH, ms); }
    else rnnBackward(B, Hp, gs, dhs + s * BH, carry, h + (s + 1) * BH, relu, ms);
    // carry += dHP W_hh   [B, G*Hp] x [G*Hp, Hp] (a frozen row's dHP is 0: its carry passes)
    widen(d, B * G, d64);
    gemm64w(B, Hp, G, d64, w64, carry, Hp, 1);
  }
}

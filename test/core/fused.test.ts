/**
 * The fused wasm/cpu recurrence (src/wasm) against PyTorch's fixtures and against the op-by-op
 * cells (the reference), on both Node backends: outputs, final states, traces and every gradient.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBackend } from '../../src/node/backend';
import * as tf from '../../src/core/tf';
import { checkFixture, type TorchFixture } from '../../src/core/torch';
import { RecurrentStack, type LayerConfig } from '../../src/core/recurrent';
import { getRecurrenceKernel, setRecurrenceKernel, takeFallbacks } from '../../src/core/fused';
import { CPU_BACKWARD, CPU_FORWARD, recurrenceModule, savedStateCount } from '../../src/wasm/kernels';
import { Rng } from '../../src/core/rng';
import type { CellState } from '../../src/core/cells';

const SHARED = join(__dirname, '..', '..', '..', 'shared', 'fixtures');
const BACKENDS = ['cpu', 'wasm'] as const;

// torch: full-length batches; torch-packed: variable lengths (PyTorch's packed sequences), which
// the fused kernels run too (masked steps), not the op-by-op fallback
for (const dir of ['torch', 'torch-packed']) {
  const folder = join(SHARED, dir);
  for (const backend of BACKENDS) {
    for (const f of existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.json')) : []) {
      test(`${backend} fused: ${dir}/${f} matches PyTorch (outputs, states, every gradient) and ran in the fused kernels`, async () => {
        await useBackend(backend);
        assert.equal(getRecurrenceKernel()?.name, 'wasm-simd-fused');
        const fx = JSON.parse(readFileSync(join(folder, f), 'utf8')) as TorchFixture;
        if (dir === 'torch-packed') assert.ok(fx.lengths?.some((n) => n < fx.input.shape[1]), 'the fixture has sequences shorter than T');
        const before = tf.memory().numTensors;
        takeFallbacks();
        let checks: ReturnType<typeof checkFixture> = [];
        const prof = await tf.profile(() => { checks = checkFixture(fx); return []; });
        assert.equal(tf.memory().numTensors, before, 'no tensor leak');
        assert.deepEqual(takeFallbacks(), [], 'no fallback noted');
        assert.ok(prof.kernelNames.includes(CPU_FORWARD) && prof.kernelNames.includes(CPU_BACKWARD), `kernels: ${prof.kernelNames.join(' ')}`);
        // no per-timestep cell ops left: the only matmuls are the loss's and autodiff's outside the layers
        assert.ok(!prof.kernelNames.includes('Tanh') && !prof.kernelNames.includes('Sigmoid'), `op-by-op cells ran: ${prof.kernelNames.join(' ')}`);
        assert.ok(checks.length >= 4);
        for (const c of checks) assert.ok(c.maxAbsError <= 2e-6, `${c.tensor}: max abs error ${c.maxAbsError}`);
      });
    }
  }
}

interface Case { name: string; layers: Partial<LayerConfig>[]; I: number; B: number; T: number; init?: boolean; lengths?: number[] }
const layer = (l: Partial<LayerConfig>): LayerConfig =>
  ({ cell: 'lstm', units: 4, activation: 'tanh', bias: true, bidirectional: false, merge: 'concat', dropout: 0, ...l }) as LayerConfig;

// sizes that exercise every path: hidden sizes not a multiple of 4 (padding), of 8 and not (the
// products' 8/4/1-column tails), T*B > 256 (the products' K blocks), bidirectional merges, 3 layers,
// mixed cells, relu, no bias, initial states, T = 1 and B = 1
const CASES: Case[] = [
  { name: 'lstm H3 B1 T1 h0', layers: [{ cell: 'lstm', units: 3 }], I: 2, B: 1, T: 1, init: true },
  { name: 'gru H5 bi concat + lstm H6 bi sum, h0', layers: [{ cell: 'gru', units: 5, bidirectional: true }, { cell: 'lstm', units: 6, bidirectional: true, merge: 'sum' }], I: 3, B: 3, T: 7, init: true },
  { name: 'rnn relu H9 no bias, 3 layers mixed', layers: [{ cell: 'rnn', units: 9, activation: 'relu', bias: false }, { cell: 'gru', units: 4 }, { cell: 'rnn', units: 12, bidirectional: true, merge: 'avg' }], I: 5, B: 2, T: 6 },
  { name: 'lstm H37 B33 T40 (K blocks, tails)', layers: [{ cell: 'lstm', units: 37 }], I: 11, B: 33, T: 40, init: true },
  { name: 'gru H64 B17 T20 bi mul', layers: [{ cell: 'gru', units: 64, bidirectional: true, merge: 'mul' }], I: 1, B: 17, T: 20 },
  // variable lengths (packed): frozen states, zero outputs, the reverse direction starting at each
  // sequence's own last step, a 0-length sequence (an empty truncated-BPTT window), h0/c0
  { name: 'lengths: lstm H5 bi concat + gru H6 bi sum, h0', layers: [{ cell: 'lstm', units: 5, bidirectional: true }, { cell: 'gru', units: 6, bidirectional: true, merge: 'sum' }], I: 3, B: 4, T: 6, init: true, lengths: [6, 1, 3, 0] },
  { name: 'lengths: rnn relu H7 bi avg no bias + rnn tanh H4', layers: [{ cell: 'rnn', units: 7, activation: 'relu', bias: false, bidirectional: true, merge: 'avg' }, { cell: 'rnn', units: 4 }], I: 2, B: 3, T: 5, lengths: [2, 5, 4] },
  { name: 'lengths: lstm H37 B33 T40 h0 (K blocks, tails)', layers: [{ cell: 'lstm', units: 37 }], I: 11, B: 33, T: 40, init: true, lengths: Array.from({ length: 33 }, (_, b) => 1 + ((b * 7) % 40)) },
  { name: 'lengths: gru H64 B9 T12 bi mul', layers: [{ cell: 'gru', units: 64, bidirectional: true, merge: 'mul' }], I: 2, B: 9, T: 12, lengths: [12, 11, 1, 5, 12, 3, 8, 2, 7] },
];

/**
 * Outputs, final states, traces and the gradient of a fixed random loss wrt every parameter, x and
 * h0/c0; for full-length batches also wrt zeros injected into every h_t (the probe's dL/dh_t).
 */
function runStack(c: Case, seed: number): Record<string, Float32Array> {
  const layers = c.layers.map(layer);
  const stack = new RecurrentStack('rnn', c.I, layers, new Rng(seed));
  const rng = new Rng(seed + 1);
  const rand = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)), shape);
  try {
    return tf.scoped(() => {
      const x = rand([c.T, c.B, c.I]) as tf.Tensor3D;
      const nStates = stack.numStates;
      const h0 = c.init ? Array.from({ length: nStates }, (_, k) => rand([c.B, layers[layerOf(layers, k)].units]) as tf.Tensor2D) : [];
      // c_0 only for LSTM states (a GRU/RNN state has none, and an unused input has no gradient)
      const lstmStates = Array.from({ length: nStates }, (_, k) => k).filter((k) => layers[layerOf(layers, k)].cell === 'lstm');
      const c0 = c.init ? lstmStates.map((k) => rand([c.B, layers[layerOf(layers, k)].units]) as tf.Tensor2D) : [];
      const wOut = rand([c.T, c.B, stack.outputSize]);
      const wN = Array.from({ length: nStates }, (_, k) => rand([c.B, layers[layerOf(layers, k)].units]));
      const out: Record<string, Float32Array> = {};
      // a zero per layer, direction and step, in processing order (as Trainer.probe makes them)
      const inject = c.lengths ? undefined : new Map(layers.flatMap((l, k) => (l.bidirectional ? ['forward', 'backward'] : ['forward'])
        .map((d) => [`${k}:${d}`, Array.from({ length: c.T }, () => tf.zeros([c.B, l.units]) as tf.Tensor2D)] as const)));
      let injecting = false;
      const f = (...args: tf.Tensor[]) => {
        const [xi, ...rest] = args;
        const init: CellState[] | undefined = c.init
          ? h0.map((_, k) => ({ h: rest[k] as tf.Tensor2D, c: lstmStates.includes(k) ? (rest[nStates + lstmStates.indexOf(k)] as tf.Tensor2D) : undefined }))
          : undefined;
        const r = stack.run(xi as tf.Tensor3D, { init, trace: true, lengths: c.lengths, ...(injecting ? { inject } : {}) });
        out.output = r.output.dataSync() as Float32Array;
        r.final.forEach((s, k) => {
          out[`h_n${k}`] = s.h.dataSync() as Float32Array;
          if (s.c) out[`c_n${k}`] = s.c.dataSync() as Float32Array;
        });
        for (const t of r.traces ?? []) {
          const key = `${t.layer}:${t.direction}`;
          out[`trace h ${key}`] = t.h.dataSync() as Float32Array;
          if (t.c) out[`trace c ${key}`] = t.c.dataSync() as Float32Array;
          for (const [g, v] of Object.entries(t.gates)) out[`trace ${g} ${key}`] = v!.dataSync() as Float32Array;
        }
        let loss = tf.sum(tf.mul(r.output, wOut));
        r.final.forEach((s, k) => {
          loss = tf.add(loss, tf.sum(tf.mul(s.h, wN[k])));
          if (s.c) loss = tf.add(loss, tf.sum(tf.mul(s.c, tf.mul(wN[k], 0.5))));
        });
        return loss as tf.Scalar;
      };
      const params = [...stack.params.entries()];
      const inputs = [x, ...(c.init ? [...h0, ...c0] : [])];
      const g = tf.grads((...a: tf.Tensor[]) => f(...a.slice(0, inputs.length)))(inputs);
      g.forEach((t, k) => { out[`grad input ${k}`] = t.dataSync() as Float32Array; });
      const { grads } = tf.paramGrads(() => f(...inputs), stack.params);
      for (const [n] of params) out[`grad ${n}`] = grads[n].dataSync() as Float32Array;
      if (inject) {
        injecting = true;
        const zs = [...inject.values()].flat();
        const gz = tf.grads((...a: tf.Tensor[]) => { void a; return f(...inputs); })(zs);
        let at = 0;
        for (const [key, list] of inject) {
          out[`grad inject ${key}`] = tf.concat(gz.slice(at, at + list.length)).dataSync() as Float32Array;
          at += list.length;
        }
        injecting = false;
      }
      return out;
    });
  } finally {
    for (const v of stack.params.values()) v.dispose();
  }
}

function layerOf(layers: LayerConfig[], state: number): number {
  let k = 0;
  for (let l = 0; l < layers.length; l++) {
    const d = layers[l].bidirectional ? 2 : 1;
    if (state < k + d) return l;
    k += d;
  }
  throw new Error('state index out of range');
}

for (const backend of BACKENDS) {
  for (const c of CASES) {
    test(`${backend} fused = op-by-op: ${c.name} (outputs, states, traces, every gradient)`, async () => {
      await useBackend(backend, { fused: false });
      const want = runStack(c, 7);
      await useBackend(backend, { fused: true });
      const before = tf.memory().numTensors;
      let got: Record<string, Float32Array> = {};
      takeFallbacks();
      const prof = await tf.profile(() => { got = runStack(c, 7); return []; });
      assert.equal(tf.memory().numTensors, before, 'no tensor leak');
      assert.deepEqual(takeFallbacks(), [], 'no fallback noted');
      assert.ok(prof.kernelNames.includes(CPU_FORWARD) && prof.kernelNames.includes(CPU_BACKWARD));
      assert.ok(!prof.kernelNames.includes('Tanh') && !prof.kernelNames.includes('Sigmoid'), 'no op-by-op cells');
      assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
      for (const [k, w] of Object.entries(want)) {
        const gv = got[k];
        assert.equal(gv.length, w.length, k);
        let worst = 0;
        for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(gv[i] - w[i]) / Math.max(1, Math.abs(w[i])));
        assert.ok(worst <= 2e-5, `${k}: max relative error ${worst}`);
      }
    });
  }
}

test('the fused kernel declines what it does not support (the op-by-op cells run): a bias on only one side, the gradient probe of a variable-length batch', async () => {
  await useBackend('wasm');
  const stack = new RecurrentStack('', 2, [layer({ cell: 'gru', units: 3 })], new Rng(1));
  const x = tf.randomUniform([3, 2, 2]) as tf.Tensor3D;
  const w = stack.weights(0, 0);
  const kernel = getRecurrenceKernel()!;
  assert.equal(kernel.direction({ cell: 'gru', activation: 'tanh', units: 3, x, reverse: false, w: { ...w, bHh: undefined }, trace: false }), undefined);
  assert.equal(kernel.direction({ cell: 'gru', activation: 'tanh', units: 3, x: tf.zeros([0, 2, 2]) as tf.Tensor3D, reverse: false, w, trace: false }), undefined);
  // the dL/dh_t probe (inject) of a variable-length batch runs op by op; of a full-length one, fused
  const inject = new Map([['0:forward', [0, 1, 2].map(() => tf.zeros([2, 3]) as tf.Tensor2D)]]);
  const packed = await tf.profile(() => { stack.run(x, { inject, lengths: [3, 1] }); return []; });
  assert.ok(!packed.kernelNames.includes(CPU_FORWARD));
  const full = await tf.profile(() => { stack.run(x, { inject }); return []; });
  assert.ok(full.kernelNames.includes(CPU_FORWARD));
  // the zeros are there for their gradient: anything else is refused, not silently dropped
  const ones = new Map([['0:forward', [0, 1, 2].map(() => tf.ones([2, 3]) as tf.Tensor2D)]]);
  assert.throws(() => stack.run(x, { inject: ones }), /inject must be zeros/);
  tf.dispose(ones.get('0:forward')!);
  setRecurrenceKernel(undefined);
  await useBackend('wasm');
  tf.dispose([x, ...inject.get('0:forward')!]);
  for (const v of stack.params.values()) v.dispose();
});

test('the forward states kept for backpropagation: none outside a recording, taken by the backward, and an unreached one dropped by the next recording', async () => {
  for (const backend of BACKENDS) {
    await useBackend(backend);
    const stack = new RecurrentStack('', 2, [layer({ cell: 'lstm', units: 5 }), layer({ cell: 'gru', units: 3 })], new Rng(3));
    const x = tf.randomUniform([4, 2, 2]) as tf.Tensor3D;
    const loss = () => tf.sum(stack.run(x).output) as tf.Scalar;
    const grad = (params: typeof stack.params) => { const r = tf.paramGrads(loss, params); tf.dispose([r.value, ...Object.values(r.grads)]); };
    const before = savedStateCount();
    tf.dispose(stack.run(x).output); // inference: nothing kept
    assert.equal(savedStateCount(), before);
    grad(stack.params);
    assert.equal(savedStateCount(), 0, 'both layers\' backward took their states');
    // the gradient of layer 1's weights only: layer 0's backward never runs, its state stays ...
    const top = new Map([...stack.params].filter(([n]) => n.endsWith('_l1')));
    assert.equal(top.size, 4);
    grad(top);
    assert.equal(savedStateCount(), 1);
    // ... until the next recording, which drops it
    grad(stack.params);
    assert.equal(savedStateCount(), 0);
    // a backward that finds no state says so (here: a handle that was never kept)
    assert.throws(() => tf.engine().runKernel(CPU_BACKWARD, {
      S: tf.tensor1d([123456], 'int32'), x: tf.zeros([8, 2]), wIh: tf.zeros([20, 2]), wHh: tf.zeros([20, 5]),
    }, { cell: 'lstm', relu: false, reverse: false, T: 4, B: 2, H: 5, bias: false, hasInit: false, trace: false, save: true, hasDhs: false, hasDhN: false, hasDcN: false }), /forward state 123456 .* is gone/);
    tf.dispose(x);
    for (const v of stack.params.values()) v.dispose();
  }
});

test('the module\'s SIMD exp-based tanh and sigmoid agree with Math to float32 precision over the whole range', async () => {
  await useBackend('cpu');
  const m = recurrenceModule()!;
  const xs = Float32Array.from([-100, -88, -30, -10, -5, -1, -0.5, -1e-3, -1e-7, 0, 1e-7, 1e-3, 0.3, 0.5, 1, 2, 5, 9, 20, 88, 100, 1e4, -1e4, 0.7, 3.3, -2.2]);
  const n = xs.length;
  const [xa, ya] = m.layout([n, n]);
  m.mem.set(xs, xa);
  m.x.tanhArray(xa, ya, n);
  const tanh = m.mem.slice(ya, ya + n);
  m.x.sigmoidArray(xa, ya, n);
  const sigm = m.mem.slice(ya, ya + n);
  xs.forEach((x, i) => {
    assert.ok(Math.abs(tanh[i] - Math.tanh(x)) <= 3e-7, `tanh(${x}) = ${tanh[i]}, Math: ${Math.tanh(x)}`);
    const s = 1 / (1 + Math.exp(-x));
    assert.ok(Math.abs(sigm[i] - s) <= 2e-7 + 2e-7 * s, `sigmoid(${x}) = ${sigm[i]}, Math: ${s}`);
  });
  assert.equal(Math.sign(tanh[8]), -1, 'tanh keeps the sign of tiny inputs (-1e-7)');
});

test('the module\'s matrix products (float32, and float64 on widened operands) equal a plain loop for A and A^T, every tail size, K over one block, accumulate', async () => {
  await useBackend('cpu');
  const m = recurrenceModule()!;
  const rng = new Rng(3);
  // float32: A or A^T, any N; float64 (the recurrence's gemm64w on widened operands): A [M, K], N a multiple of 4
  const f32Cases = [[1, 1, 1, false, false], [5, 13, 300, false, true], [9, 8, 7, true, false], [12, 20, 513, true, true], [4, 3, 2, false, false], [7, 6, 5, true, true]] as const;
  const f64Cases = [[1, 4, 1, false, false], [5, 12, 300, false, true], [9, 8, 7, false, false], [12, 20, 513, false, true], [4, 4, 3, false, false], [7, 8, 5, false, true]] as const;
  for (const f64 of [false, true]) for (const [M, N, K, trans, acc] of f64 ? f64Cases : f32Cases) {
    const A = Float32Array.from({ length: M * K }, () => rng.uniform(-1, 1));
    const Bm = Float32Array.from({ length: K * N }, () => rng.uniform(-1, 1));
    const C0 = Float32Array.from({ length: M * N }, () => rng.uniform(-1, 1));
    const [a, b, c] = m.layout([M * K, K * N, M * N]);
    m.mem.set(A, a);
    m.mem.set(Bm, b);
    m.mem.set(C0, c);
    // A stored as [M, K] (sam = K, sak = 1) or as A^T [K, M] (sam = 1, sak = M)
    if (trans) for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) m.mem[a + k * M + i] = A[i * K + k];
    if (f64) {
      const [a64, b64] = m.layout([M * K, K * N, M * N, 2 * M * K, 2 * K * N]).slice(3);
      m.x.widen(a, M * K, a64);
      m.x.widen(b, K * N, b64);
      m.x.gemm64w(M, N, K, a64, b64, c, N, acc ? 1 : 0);
    } else m.x.gemm(M, N, K, a, trans ? 1 : K, trans ? M : 1, b, N, c, N, acc ? 1 : 0);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = acc ? C0[i * N + j] : 0;
      for (let k = 0; k < K; k++) s += A[i * K + k] * Bm[k * N + j];
      // float64 sums: one rounding to float32 at the end (plain float32 sums: a few ulps per term)
      const tol = f64 ? 1e-7 : 1e-4;
      assert.ok(Math.abs(m.mem[c + i * N + j] - s) <= tol * Math.max(1, Math.abs(s)), `${f64 ? 'f64' : 'f32'} ${M}x${N}x${K} trans=${trans} acc=${acc} at ${i},${j}: ${m.mem[c + i * N + j]} vs ${s}`);
    }
  }
});

/**
 * The fused WebGPU recurrent kernels (src/gpu) in headless Chromium (WebGPU on SwiftShader here),
 * held to the numerics of the op-by-op path:
 *  - every PyTorch fixture of ../shared/fixtures/torch (outputs, final states, every gradient);
 *  - float64-reference fixtures for sizes the shared ones lack (T = 1, odd hidden sizes);
 *  - random stacks against the CPU backend in the same page (batch 1..64, T 2..200, hidden sizes
 *    that are not multiples of 4 or 32, bidirectional, 3 layers, mixed cells, initial states,
 *    traces), in both execution modes (one dispatch per sequence, one per step);
 *  - Trainer gradients, 3 optimizer steps and the panel's probe on webgpu vs cpu;
 *  - every PyTorch training trajectory of ../shared/fixtures/torch-train (losses, gradient norms,
 *    final weights after K optimizer steps), trained on webgpu.
 * Each check also asserts that the fused programs really ran and that no tensor leaked.
 *
 *   npm run test:gpu
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openGpuPage, ROOT, type GpuPage } from './harness';
import { makeFixture, type RefModule } from '../support/reference';
import { Rng } from '../../src/core/rng';
import type { TorchAttentionFixture, TorchFixture } from '../../src/core/torch';
import type { TrajectoryCheck, TrajectoryFixture } from '../../src/core/trajectory';

const FIXTURES = join(ROOT, '..', 'shared', 'fixtures', 'torch');
const TRAJECTORIES = join(ROOT, '..', 'shared', 'fixtures', 'torch-train');
const PACKED = join(ROOT, '..', 'shared', 'fixtures', 'torch-packed');
const ATTENTION = join(ROOT, '..', 'shared', 'fixtures', 'torch-attention');
const ATTENTION_EXTRA = join(ROOT, 'test', 'fixtures', 'torch-attention-extra');
const TOL = 1e-4;

interface Diff { name: string; maxAbs: number; scale: number }
type Mode = 'sequence' | 'sequence-workgroup' | 'step' | 'auto';

let gpu: GpuPage;
const call = <T>(fn: string, ...args: unknown[]): Promise<T> =>
  gpu.page.evaluate(([f, a]) => (window as any).seqlabGpu[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;

before(async () => {
  gpu = await openGpuPage(join(__dirname, 'page.ts'));
  assert.equal(await call('backend'), 'webgpu', 'WebGPU must be available (Chromium with --enable-unsafe-webgpu)');
});
after(async () => gpu?.close());

function assertDiffs(diffs: Diff[], what: string, tol = TOL): void {
  assert.ok(diffs.length > 0);
  for (const d of diffs) {
    assert.ok(d.maxAbs <= tol * Math.max(1, d.scale), `${what}: ${d.name} differs by ${d.maxAbs} (values up to ${d.scale})`);
  }
}

async function fixtureCheck(fx: TorchFixture, mode: Mode): Promise<void> {
  await call('mode', mode);
  const r = await call<{ checks: { tensor: string; maxAbsError: number }[]; cpuChecks: { tensor: string; maxAbsError: number }[]; programs: Record<string, number>; leaked: number }>('fixture', fx);
  const names = r.checks.map((c) => c.tensor);
  for (const k of ['output', 'h_n', 'loss', ...Object.keys(fx.grads).map((g) => `grad ${g}`)]) assert.ok(names.includes(k), `checked ${k}`);
  if (fx.c_n) assert.ok(names.includes('c_n'));
  if (mode === 'sequence-workgroup') assert.ok((r.programs.wsh ?? 0) > 0, `W_hh in workgroup memory (${JSON.stringify(r.programs)})`);
  for (const c of r.checks) assert.ok(c.maxAbsError <= TOL, `webgpu ${c.tensor}: max abs error ${c.maxAbsError} > ${TOL}`);
  for (const c of r.cpuChecks) assert.ok(c.maxAbsError <= TOL, `cpu ${c.tensor}: max abs error ${c.maxAbsError} > ${TOL}`);
  const dirs = fx.module.num_layers * (fx.module.bidirectional ? 2 : 1);
  // forward runs 3 times in the check (values, variable grads, input grads), backward twice
  const perDir = mode === 'step' ? (fx.input.shape[1]) : 1;
  assert.equal(r.programs.fwd, 3 * dirs * perDir, `fused forward programs ran (${JSON.stringify(r.programs)})`);
  assert.ok((r.programs.bwd ?? 0) >= 2 * dirs * perDir, `fused backward programs ran (${JSON.stringify(r.programs)})`);
  assert.equal(r.leaked, 0, 'no tensor leak');
}

describe('fused WebGPU kernels: PyTorch fixtures', () => {
  const files = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith('.json')) : [];
  test('the shared fixtures are present', () => assert.ok(files.length >= 8, `expected fixtures in ${FIXTURES}`));
  // sequence-workgroup: W_hh copied into workgroup memory (every fixture's fits)
  for (const mode of ['sequence', 'sequence-workgroup', 'step'] as const) {
    for (const f of files) {
      test(`${mode}: ${f}: outputs, final states and every gradient match PyTorch`, async () => {
        await fixtureCheck(JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as TorchFixture, mode);
      });
    }
  }
});

describe('WebGPU training: PyTorch trajectories (optimizers, clipping, K steps)', () => {
  const files = existsSync(TRAJECTORIES) ? readdirSync(TRAJECTORIES).filter((f) => f.endsWith('.json')) : [];
  test('the shared trajectories are present', () => assert.ok(files.length >= 8, `expected trajectories in ${TRAJECTORIES}`));
  // the shared ones, then ours of unseen settings (test/core/reference/trajectory.py: adamw, nesterov, schedules, ...)
  const own = JSON.parse(readFileSync(join(ROOT, 'test', 'core', 'reference', 'trajectories.json'), 'utf8')) as TrajectoryFixture[];
  const all: [string, () => TrajectoryFixture][] = [
    ...files.map((f) => [f, () => JSON.parse(readFileSync(join(TRAJECTORIES, f), 'utf8')) as TrajectoryFixture] as [string, () => TrajectoryFixture]),
    ...own.map((fx) => [`unseen ${fx.name}`, () => fx] as [string, () => TrajectoryFixture]),
  ];
  for (const [f, load] of all) {
    test(`${f}: every loss, gradient norm and final weight matches PyTorch`, async () => {
      await call('mode', 'auto');
      const fx = load();
      const r = await call<{ checks: TrajectoryCheck[]; programs: Record<string, number>; leaked: number }>('trajectory', fx);
      assert.equal(r.checks.length, 2 + Object.keys(fx.final_state_dict).length);
      for (const c of r.checks) assert.ok(c.error <= TOL, `webgpu ${c.what}: ${c.error} > ${TOL}`);
      assert.ok((r.programs.fwd ?? 0) > 0 && (r.programs.bwd ?? 0) > 0, `fused programs ran (${JSON.stringify(r.programs)})`);
      assert.equal(r.leaked, 0, 'no tensor leak');
    });
  }
});

describe('variable-length (packed) fixtures on webgpu: the fused kernel declines, the op-by-op path matches PyTorch', () => {
  const files = existsSync(PACKED) ? readdirSync(PACKED).filter((f) => f.endsWith('.json')) : [];
  test('the packed fixtures are present', () => assert.ok(files.length >= 4, `expected fixtures in ${PACKED}`));
  for (const f of files) {
    test(`${f}: outputs, own final states and every gradient match PyTorch on webgpu`, async () => {
      await call('mode', 'auto');
      const fx = JSON.parse(readFileSync(join(PACKED, f), 'utf8')) as TorchFixture;
      const r = await call<{ checks: { tensor: string; maxAbsError: number }[]; cpuChecks: { tensor: string; maxAbsError: number }[]; programs: Record<string, number>; leaked: number; fallbacks: string[] }>('fixture', fx);
      assert.ok(r.checks.length >= 3 + Object.keys(fx.grads).length);
      for (const c of r.checks) assert.ok(c.maxAbsError <= TOL, `webgpu ${c.tensor}: max abs error ${c.maxAbsError} > ${TOL}`);
      for (const c of r.cpuChecks) assert.ok(c.maxAbsError <= TOL, `cpu ${c.tensor}: max abs error ${c.maxAbsError} > ${TOL}`);
      assert.equal(r.programs.fwd ?? 0, 0, 'the fused kernel was not given a variable-length batch');
      assert.ok(r.fallbacks.some((w) => /does not take per-sequence lengths/.test(w)), `the fallback is reported (${JSON.stringify(r.fallbacks)})`);
      assert.equal(r.leaked, 0, 'no tensor leak');
    });
  }
});

describe('attention fixtures on webgpu: logits, attention weights, loss and every gradient match PyTorch', () => {
  const files = [ATTENTION, ATTENTION_EXTRA].flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => join(d, f)) : []));
  test('the attention fixtures are present', () => assert.ok(files.length >= 3, `expected fixtures in ${ATTENTION}`));
  for (const f of files) {
    test(f.split('/').slice(-2).join('/'), async () => {
      await call('mode', 'auto');
      const fx = JSON.parse(readFileSync(f, 'utf8')) as TorchAttentionFixture;
      const r = await call<{ checks: { tensor: string; maxAbsError: number }[]; programs: Record<string, number>; leaked: number; fallbacks: string[] }>('attentionFixture', fx);
      assert.equal(r.checks.length, 3 + Object.keys(fx.grads).length);
      for (const c of r.checks) assert.ok(c.maxAbsError <= TOL, `webgpu ${c.tensor}: max abs error ${c.maxAbsError} > ${TOL}`);
      // luong runs the decoder as a whole sequence (the fused kernel, lengths all equal); a padded
      // source runs the encoder op by op, and says so
      if (fx.model.attention !== 'bahdanau') assert.ok((r.programs.fwd ?? 0) > 0, `the fused kernel ran the decoder (${JSON.stringify(r.programs)})`);
      if (fx.source_lengths.some((n) => n < fx.source[0].length)) assert.ok(r.fallbacks.length > 0, 'a padded source is reported as a fallback');
      assert.equal(r.leaked, 0, 'no tensor leak');
    });
  }
});

describe('fused WebGPU kernels: float64 reference on unseen sizes', () => {
  const cases: [string, RefModule, number, number, boolean][] = [
    ['LSTM T=1 B=1 H=5', { type: 'LSTM', input_size: 3, hidden_size: 5, num_layers: 1, bidirectional: false, bias: true }, 1, 1, true],
    ['GRU T=1 bidirectional H=3', { type: 'GRU', input_size: 2, hidden_size: 3, num_layers: 1, bidirectional: true, bias: true }, 2, 1, false],
    ['RNN relu no bias 2 layers H=7', { type: 'RNN', input_size: 2, hidden_size: 7, num_layers: 2, bidirectional: false, bias: false, nonlinearity: 'relu' }, 3, 4, true],
    ['GRU no bias 2 layers bidirectional H=6 with h0', { type: 'GRU', input_size: 3, hidden_size: 6, num_layers: 2, bidirectional: true, bias: false }, 2, 3, true],
  ];
  for (const [name, m, B, T, h0] of cases) {
    test(name, async () => {
      const fx = makeFixture(name, m, B, T, 11, h0);
      await fixtureCheck(fx, 'sequence');
      await fixtureCheck(fx, 'step');
    });
  }
});

describe('fused WebGPU kernels: random stacks against the CPU backend', () => {
  const rng = new Rng(2026);
  const odd = () => { let h; do h = 1 + rng.int(40); while (h % 4 === 0); return h; };
  const cells = ['rnn', 'lstm', 'gru'] as const;
  const cases = [
    { cells: ['lstm'], units: [33], B: 64, T: 200, I: 3, bidirectional: false, withInit: false },
    { cells: ['gru', 'lstm', 'rnn'], units: [5, 7, 3], B: 3, T: 5, I: 4, bidirectional: true, withInit: true, trace: true },
    { cells: ['lstm', 'lstm', 'lstm'], units: [odd(), odd(), odd()], B: 1, T: 2, I: 5, bidirectional: true, withInit: true },
    { cells: ['gru', 'gru'], units: [31, 17], B: 17, T: 60, I: 6, bidirectional: true, withInit: true },
    { cells: ['rnn'], units: [odd()], B: 64, T: 2, I: 2, bidirectional: false, withInit: false, activation: 'relu', bias: false },
    ...Array.from({ length: 3 }, () => {
      const L = 1 + rng.int(3);
      return {
        cells: Array.from({ length: L }, () => cells[rng.int(3)]), units: Array.from({ length: L }, odd),
        B: 1 + rng.int(64), T: 2 + rng.int(40), I: 1 + rng.int(9), bidirectional: rng.int(2) === 1, withInit: rng.int(2) === 1, trace: true,
      };
    }),
    // hidden sizes that are multiples of 4: the programs then take 4 units per invocation (vec4 W_hh)
    { cells: ['lstm', 'gru'], units: [32, 12], B: 37, T: 45, I: 7, bidirectional: true, withInit: true, trace: true },
    { cells: ['gru', 'rnn', 'lstm'], units: [4, 8, 20], B: 5, T: 30, I: 3, bidirectional: true, withInit: true },
    { cells: ['rnn'], units: [16], B: 64, T: 50, I: 2, bidirectional: false, withInit: false, activation: 'relu', bias: false },
  ];
  for (const mode of ['auto', 'sequence', 'sequence-workgroup', 'step'] as const) {
    for (const c of cases) {
      const cfg = { activation: 'tanh', bias: true, seed: 5, ...c };
      const label = `${mode}: ${cfg.cells.join('+')} units ${cfg.units} B=${cfg.B} T=${cfg.T}${cfg.bidirectional ? ' bidirectional' : ''}${cfg.withInit ? ' h0' : ''}${cfg.trace ? ' traces' : ''}`;
      test(label, async () => {
        await call('mode', mode);
        const r = await call<{ diffs: Diff[]; programs: Record<string, number>; leaked: number }>('compare', cfg);
        assertDiffs(r.diffs, label);
        assert.ok(r.diffs.some((d) => d.name === 'grad weight_hh_l0') && r.diffs.some((d) => d.name === 'grad x'));
        if (cfg.trace) assert.ok(r.diffs.some((d) => d.name.startsWith('trace 0:forward')), 'traces compared');
        assert.ok((r.programs.fwd ?? 0) > 0 && (r.programs.bwd ?? 0) > 0, `fused programs ran (${JSON.stringify(r.programs)})`);
        assert.equal(r.leaked, 0, 'no tensor leak');
      });
    }
  }
});

describe('fused WebGPU kernels: a Trainer on webgpu equals one on cpu (cast/transpose bug guard)', () => {
  const defs: [string, Record<string, unknown>][] = [
    ['hello, LSTM, Adam', { data: { task: 'hello' }, layers: [{ cell: 'lstm', units: 10 }], training: { batchSize: 1, optimizer: 'adam', learningRate: 0.05 } }],
    // at most 7 parameter tensors: train.ts's gradient norm, tf.addN over every gradient, needs
    // n+1 storage buffers and SwiftShader allows 8 per stage; beyond that the pipeline is invalid,
    // its whole command buffer is dropped and training on webgpu goes wrong on any path (reported).
    // SGD, not Adam: Adam's first steps move by ~lr * sign(g), which amplifies ~0 gradients.
    ['tagging, bidirectional GRU without biases, value clipping, SGD', { data: { task: 'tagging', samples: 32 }, layers: [{ cell: 'gru', units: 6, bidirectional: true, bias: false }], training: { batchSize: 8, optimizer: 'sgd', learningRate: 0.1, clip: { type: 'value', threshold: 0.5 } } }],
    ['parity, many-to-one RNN, learned initial state', { data: { task: 'parity', length: 6, samples: 32 }, layers: [{ cell: 'rnn', units: 9 }], initialState: 'learned', training: { batchSize: 8, optimizer: 'sgd', learningRate: 0.1 } }],
  ];
  for (const [name, def] of defs) {
    test(name, async () => {
      await call('mode', 'auto');
      const r = await call<{ diffs: Diff[]; programs: Record<string, number> }>('trainer', def, 3);
      assertDiffs(r.diffs, name);
      for (const k of ['first loss', 'trainer losses', 'probe gradNorms', 'probe 0 h']) assert.ok(r.diffs.some((d) => d.name === k), `compared ${k}`);
      assert.ok(r.diffs.filter((d) => d.name.startsWith('grad ')).length >= 4, 'gradients compared');
      assert.ok((r.programs.fwd ?? 0) > 0 && (r.programs.bwd ?? 0) > 0, `fused programs ran in the trainer (${JSON.stringify(r.programs)})`);
    });
  }
});

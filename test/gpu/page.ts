/**
 * Browser side of test/gpu/fused.test.ts: the core's fixture check, random stacks and Trainer runs
 * on WebGPU (fused kernels registered) against the CPU backend (op-by-op path), in one page.
 */
import * as tf from '../../src/core/tf';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { registerWebGpuKernels } from '../../src/gpu';
import { setRecurrenceKernel, takeFallbacks } from '../../src/core/fused';
import { assignStateDict, checkFixture, fixtureLayers, runAttentionFixture, type TensorJson, type TorchAttentionFixture, type TorchFixture } from '../../src/core/torch';
import { RecurrentStack, type LayerConfig } from '../../src/core/recurrent';
import { Rng } from '../../src/core/rng';
import { parseDefinition } from '../../src/core/dsl';
import { buildDataset } from '../../src/core/tasks';
import { Trainer } from '../../src/core/train';
import { checkTrajectory, type TrajectoryCheck, type TrajectoryFixture } from '../../src/core/trajectory';
import type { CellState } from '../../src/core/cells';
import type { CellType, RnnActivation } from '../../src/core/spec';

/** Programs run on webgpu, by raw shaderKey prefix (fused forward/backward, others). */
const programs: Record<string, number> = {};
let wrapped = false;
function countPrograms(): void {
  if (wrapped) return;
  wrapped = true;
  const be = tf.findBackend('webgpu') as unknown as { runWebGPUProgram: (p: { shaderKey: string }, ...r: unknown[]) => unknown };
  const orig = be.runWebGPUProgram.bind(be);
  be.runWebGPUProgram = (p, ...r) => {
    const k = p.shaderKey.startsWith('seqlab_rnn_fwd') ? 'fwd' : p.shaderKey.startsWith('seqlab_rnn_bwd') ? 'bwd' : 'other';
    programs[k] = (programs[k] ?? 0) + 1;
    if (p.shaderKey.includes('_wsh')) programs.wsh = (programs.wsh ?? 0) + 1;
    return orig(p, ...r);
  };
}

async function use(backend: 'webgpu' | 'cpu'): Promise<void> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed`);
  await tf.ready();
  if (backend === 'webgpu') countPrograms();
}

function resetCounts(): void {
  for (const k of Object.keys(programs)) delete programs[k];
}

export interface CaseConfig {
  cells: CellType[];
  units: number[];
  activation: RnnActivation;
  bidirectional: boolean;
  bias: boolean;
  B: number;
  T: number;
  I: number;
  withInit: boolean;
  seed: number;
  trace?: boolean;
}

/**
 * Reads tensors kept under names, asynchronously: dataSync() on tfjs-backend-webgpu 4.22 reads
 * through a WebGPU canvas, which returns garbage in headless Chromium here and then loses the
 * device ("A valid external Instance reference no longer exists").
 */
async function readAll(kept: Record<string, tf.Tensor>): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  try {
    for (const [k, t] of Object.entries(kept)) out[k] = (await t.data()) as Float32Array;
  } finally {
    tf.dispose(Object.values(kept));
  }
  return out;
}

/** Forward + loss + every gradient of a random stack on the current backend, as flat arrays. */
async function runCase(cfg: CaseConfig): Promise<Record<string, Float32Array>> {
  const layers: LayerConfig[] = cfg.cells.map((cell, k) => ({
    cell, units: cfg.units[k], activation: cfg.activation, bias: cfg.bias, bidirectional: cfg.bidirectional, merge: 'concat', dropout: 0,
  }));
  const stack = new RecurrentStack('', cfg.I, layers, new Rng(cfg.seed));
  const rng = new Rng(cfg.seed + 7);
  const rand = (shape: number[], scale = 1) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const d = new Float32Array(n);
    for (let i = 0; i < n; i++) d[i] = scale * rng.normal();
    return tf.tensor(d, shape);
  };
  const out: Record<string, tf.Tensor> = {};
  const vars: tf.Variable[] = [];
  try {
    tf.tidy(() => {
      const D = cfg.bidirectional ? 2 : 1;
      const x = tf.variable(rand([cfg.T, cfg.B, cfg.I]), true, 'x');
      vars.push(x);
      const init: CellState[] | undefined = cfg.withInit ? [] : undefined;
      layers.forEach((l, k) => {
        for (let d = 0; d < D; d++) {
          const h = tf.variable(rand([cfg.B, l.units], 0.5), true, `h0_${k}_${d}`);
          vars.push(h);
          let c: tf.Variable | undefined;
          if (l.cell === 'lstm') { c = tf.variable(rand([cfg.B, l.units], 0.5), true, `c0_${k}_${d}`); vars.push(c); }
          init?.push({ h: h as tf.Tensor as tf.Tensor2D, c: c as tf.Tensor as tf.Tensor2D | undefined });
        }
      });
      const top = layers[layers.length - 1];
      const gOut = rand([cfg.T, cfg.B, D * top.units]);
      const gFinal = layers.flatMap((l) => Array.from({ length: D }, () => ({ h: rand([cfg.B, l.units]), c: l.cell === 'lstm' ? rand([cfg.B, l.units]) : undefined })));
      const all = new Map<string, tf.Variable>([...stack.params, ...vars.map((v) => [v.name, v] as const)]);
      const { value, grads } = tf.paramGrads(() => {
        const r = stack.run(x as tf.Tensor as tf.Tensor3D, { init });
        let loss = tf.sum(tf.mul(r.output, gOut));
        r.final.forEach((s, i) => {
          loss = tf.add(loss, tf.sum(tf.mul(s.h, gFinal[i].h)));
          if (s.c && gFinal[i].c) loss = tf.add(loss, tf.sum(tf.mul(s.c, gFinal[i].c!)));
        });
        out.output = tf.keep(r.output);
        r.final.forEach((s, i) => {
          out[`h_n[${i}]`] = tf.keep(s.h);
          if (s.c) out[`c_n[${i}]`] = tf.keep(s.c);
        });
        return loss as tf.Scalar;
      }, all);
      out.loss = tf.keep(value);
      for (const [k, g] of Object.entries(grads)) out[`grad ${k}`] = tf.keep(g);
      if (cfg.trace) {
        const r = stack.run(x as tf.Tensor as tf.Tensor3D, { init, trace: true });
        for (const t of r.traces!) {
          const p = `trace ${t.layer}:${t.direction}`;
          out[`${p} h`] = tf.keep(t.h);
          if (t.c) out[`${p} c`] = tf.keep(t.c);
          for (const [g, v] of Object.entries(t.gates)) out[`${p} ${g}`] = tf.keep(v!);
        }
      }
    });
  } finally {
    tf.dispose(vars);
    stack.params.forEach((v) => v.dispose());
  }
  return readAll(out);
}

export interface Diff { name: string; maxAbs: number; scale: number }

function diff(a: Record<string, Float32Array>, b: Record<string, Float32Array>): Diff[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].map((name) => {
    const x = a[name], y = b[name];
    if (!x || !y || x.length !== y.length) return { name, maxAbs: Infinity, scale: 0 };
    let m = 0, s = 0;
    for (let i = 0; i < x.length; i++) {
      const e = Math.abs(x[i] - y[i]);
      if (!(e <= m)) m = Number.isNaN(e) ? Infinity : e;
      s = Math.max(s, Math.abs(y[i]));
    }
    return { name, maxAbs: m, scale: s };
  });
}

/** Random case: webgpu (fused) vs cpu (op path). */
async function compare(cfg: CaseConfig): Promise<{ diffs: Diff[]; programs: Record<string, number>; leaked: number }> {
  await use('cpu');
  const ref = await runCase(cfg);
  await use('webgpu');
  resetCounts();
  const before = tf.memory().numTensors;
  const got = await runCase(cfg);
  const leaked = tf.memory().numTensors - before;
  const small = got.output.length <= 64 ? { got: Array.from(got.output), ref: Array.from(ref.output) } : undefined;
  return { diffs: diff(got, ref), programs: { ...programs }, leaked, ...small };
}

/**
 * src/core/torch.ts checkFixture, step for step, with asynchronous reads (checkFixture reads with
 * dataSync(), which tfjs-backend-webgpu cannot do here: see readAll). On cpu, the same fixture
 * also goes through checkFixture itself, and both must agree.
 */
async function fixture(fx: TorchFixture): Promise<{ checks: { tensor: string; maxAbsError: number }[]; cpuChecks: { tensor: string; maxAbsError: number }[]; programs: Record<string, number>; leaked: number; fallbacks: string[] }> {
  takeFallbacks();
  // core's checkFixture on cpu too, except where the op path cannot take gradients: tfjs's
  // unstack gradient fails for a single slice (T = 1, or one h0 unstacked from [1, B, H])
  const L = fx.module.num_layers * (fx.module.bidirectional ? 2 : 1);
  let cpuChecks: { tensor: string; maxAbsError: number }[] = [];
  if (fx.input.shape[1] > 1 && (!fx.h0 || L > 1)) {
    await use('cpu');
    cpuChecks = checkFixture(fx);
  }
  await use('webgpu');
  resetCounts();
  const before = tf.memory().numTensors;
  const layers = fixtureLayers(fx.module);
  const stack = new RecurrentStack('', fx.module.input_size, layers, new Rng(0));
  const kept: Record<string, tf.Tensor> = {};
  try {
    assignStateDict(stack.params, fx.state_dict);
    const tensorOf = (t: TensorJson) => tf.tensor(Float32Array.from(t.data), t.shape);
    tf.tidy(() => {
      const x = tensorOf(fx.input) as tf.Tensor3D;
      const h0 = fx.h0 ? (tensorOf(fx.h0) as tf.Tensor3D) : undefined;
      const c0 = fx.c0 ? (tensorOf(fx.c0) as tf.Tensor3D) : undefined;
      const lstm = fx.module.type === 'LSTM';
      // slices, not tf.unstack (whose gradient fails for a single slice)
      const row = (t: tf.Tensor3D, i: number) => tf.reshape(tf.slice(t, [i, 0, 0], [1, -1, -1]), [t.shape[1], t.shape[2]]) as tf.Tensor2D;
      const forward = (xIn: tf.Tensor3D, h0In?: tf.Tensor3D, c0In?: tf.Tensor3D) => {
        const init: (CellState | undefined)[] | undefined = h0In
          ? Array.from({ length: h0In.shape[0] }, (_, i) => ({ h: row(h0In, i), c: c0In ? row(c0In, i) : undefined }))
          : undefined;
        const r = stack.run(tf.transpose(xIn, [1, 0, 2]), { init, lengths: fx.lengths });
        return { output: tf.transpose(r.output, [1, 0, 2]), hN: tf.stack(r.final.map((s) => s.h)), cN: lstm ? tf.stack(r.final.map((s) => s.c!)) : undefined };
      };
      const lossOf = (o: { output: tf.Tensor; hN: tf.Tensor; cN?: tf.Tensor }) => {
        let l = tf.add(tf.sum(tf.mul(o.output, tensorOf(fx.g_output))), tf.sum(tf.mul(o.hN, tensorOf(fx.g_h_n))));
        if (o.cN && fx.g_c_n) l = tf.add(l, tf.sum(tf.mul(o.cN, tensorOf(fx.g_c_n))));
        return l as tf.Scalar;
      };
      const out = forward(x, h0, c0);
      kept.output = tf.keep(out.output);
      kept.h_n = tf.keep(out.hN);
      if (out.cN && fx.c_n) kept.c_n = tf.keep(out.cN);
      kept.loss = tf.keep(lossOf(out));
      const names = [...stack.params.keys()];
      const inputs: tf.Tensor[] = [x, ...(h0 ? [h0] : []), ...(c0 ? [c0] : [])];
      const f = (...args: tf.Tensor[]) => {
        const [xi, hi, ci] = args as tf.Tensor3D[];
        return lossOf(forward(xi, h0 ? hi : undefined, c0 ? ci : undefined));
      };
      const { grads: varGrads } = tf.paramGrads(() => f(...inputs), stack.params);
      const inGrads = tf.grads(f)(inputs);
      kept['grad input'] = tf.keep(inGrads[0]);
      if (h0) kept['grad h0'] = tf.keep(inGrads[1]);
      if (c0) kept['grad c0'] = tf.keep(inGrads[2]);
      for (const n of names) kept[`grad ${n}`] = tf.keep(varGrads[n]);
    });
  } finally {
    stack.params.forEach((v) => v.dispose());
  }
  const got = await readAll(kept);
  const refs: Record<string, TensorJson | number> = { output: fx.output, h_n: fx.h_n, loss: fx.loss_value, ...(fx.c_n ? { c_n: fx.c_n } : {}) };
  for (const [k, v] of Object.entries(fx.grads)) refs[`grad ${k}`] = v;
  const checks = Object.entries(refs).map(([tensor, ref]) => {
    const a = got[tensor];
    const r = typeof ref === 'number' ? [ref] : ref.data;
    if (!a || a.length !== r.length) return { tensor, maxAbsError: Infinity };
    let m = 0;
    for (let i = 0; i < a.length; i++) {
      const e = Math.abs(a[i] - r[i]);
      if (!(e <= m)) m = Number.isNaN(e) ? Infinity : e;
    }
    return { tensor, maxAbsError: m };
  });
  return { checks, cpuChecks, programs: { ...programs }, leaked: tf.memory().numTensors - before, fallbacks: takeFallbacks() };
}

/**
 * An attention fixture (src/core/torch.ts runAttentionFixture) on webgpu, read asynchronously:
 * max abs error per checked tensor, the programs that ran and the fallbacks noted.
 */
async function attentionFixture(fx: TorchAttentionFixture): Promise<{ checks: { tensor: string; maxAbsError: number }[]; programs: Record<string, number>; leaked: number; fallbacks: string[] }> {
  await use('webgpu');
  resetCounts();
  takeFallbacks();
  const before = tf.memory().numTensors;
  const run = runAttentionFixture(fx);
  let got: Record<string, Float32Array>;
  try {
    got = await readAll({ ...run.tensors });
  } finally {
    run.dispose();
  }
  const checks = Object.entries(run.refs).map(([tensor, ref]) => {
    const a = got[tensor];
    const r = typeof ref === 'number' ? [ref] : ref.data;
    if (!a || a.length !== r.length) return { tensor, maxAbsError: Infinity };
    let m = 0;
    for (let i = 0; i < a.length; i++) {
      const e = Math.abs(a[i] - r[i]);
      if (!(e <= m)) m = Number.isNaN(e) ? Infinity : e;
    }
    return { tensor, maxAbsError: m };
  });
  return { checks, programs: { ...programs }, leaked: tf.memory().numTensors - before, fallbacks: takeFallbacks() };
}

/** A Trainer on each backend: gradients of the first batch, then `steps` optimizer steps. */
async function trainer(def: Record<string, unknown>, steps: number): Promise<{ diffs: Diff[]; programs: Record<string, number> }> {
  const run = async (backend: 'cpu' | 'webgpu') => {
    await use(backend);
    resetCounts();
    const r = parseDefinition(JSON.stringify({ name: 'gpu-test', ...def }));
    if (!r.spec) throw new Error(JSON.stringify(r.diagnostics));
    const data = buildDataset(r.spec);
    const t = new Trainer(r.spec, data);
    const kept: Record<string, tf.Tensor> = {};
    tf.tidy(() => {
      const batch = t.model.makeBatch(data.train.slice(0, r.spec!.training.batchSize));
      const { value, grads } = tf.paramGrads(() => t.model.loss(t.model.forward(batch, { training: true }).logits, batch.y), t.model.params);
      kept['first loss'] = tf.keep(value);
      for (const [k, g] of Object.entries(grads)) kept[`grad ${k}`] = tf.keep(g);
      batch.dispose();
    });
    const out = await readAll(kept);
    // the panel's probe: traces (fused kernels) and ||dL/dh_t|| (inject: the op path)
    const probe = await t.probe(undefined, { gradients: true });
    out['probe loss'] = Float32Array.of(probe.loss);
    out['probe gradNorms'] = Float32Array.from(probe.gradNorms ?? []);
    probe.layers.forEach((l, i) => {
      out[`probe ${i} h`] = Float32Array.from(l.h.flat());
      if (l.c) out[`probe ${i} c`] = Float32Array.from(l.c.flat());
      for (const [g, v] of Object.entries(l.gates ?? {})) out[`probe ${i} ${g}`] = Float32Array.from(v!.flat());
    });
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) losses.push((await t.runSteps(1)).loss);
    out['trainer losses'] = Float32Array.from(losses);
    for (const [k, v] of t.model.params) out[`after ${steps} steps ${k}`] = (await v.data()) as Float32Array;
    t.dispose();
    return out;
  };
  const ref = await run('cpu');
  const got = await run('webgpu');
  return { diffs: diff(got, ref), programs: { ...programs } };
}

/** A PyTorch training trajectory (../shared/fixtures/torch-train) trained on webgpu through the core's check. */
async function trajectory(fx: TrajectoryFixture): Promise<{ checks: TrajectoryCheck[]; programs: Record<string, number>; leaked: number }> {
  await use('webgpu');
  resetCounts();
  const before = tf.memory().numTensors;
  const checks = await checkTrajectory(fx);
  return { checks, programs: { ...programs }, leaked: tf.memory().numTensors - before };
}

async function main(): Promise<void> {
  await use('webgpu');
  registerWebGpuKernels();
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  device.lost.then((i) => console.error(`WebGPU device lost: ${i.reason} ${i.message}`));
  device.addEventListener('uncapturederror', (e) => console.error(`WebGPU error: ${(e as GPUUncapturedErrorEvent).error.message}`));
  Object.assign(window, { tf, RecurrentStack, Rng, seqlabGpu: { mode: (m: 'auto' | 'sequence' | 'sequence-workgroup' | 'step' | 'off') => { if (m === 'off') setRecurrenceKernel(undefined); else registerWebGpuKernels(m === 'sequence-workgroup' ? { mode: 'sequence', workgroupWeights: true } : { mode: m }); }, compare, fixture, attentionFixture, trajectory, trainer, backend: () => tf.getBackend() }, seqlabReady: true });
}

main().catch((e) => {
  console.error(String(e?.stack ?? e));
});

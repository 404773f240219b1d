/**
 * Browser side of `npm run bench:gpu`: one training step of our LSTM/GRU with the fused WebGPU
 * kernels, the same model op by op (today's path: the hook unregistered), and tf.layers.lstm /
 * tf.layers.gru (sigmoid gates, glorotUniform), all on the tfjs WebGPU backend in one page.
 */
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tf from '../../src/core/tf';
import '@tensorflow/tfjs-backend-webgpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { registerWebGpuKernels } from '../../src/gpu';
import { setRecurrenceKernel } from '../../src/core/fused';
import { parseDefinition } from '../../src/core/dsl';
import { Trainer } from '../../src/core/train';
import type { SeqData } from '../../src/core/data';
import { Rng } from '../../src/core/rng';

export interface BenchConfig { who: 'fused' | 'fused-sequence' | 'fused-sequence-storage' | 'fused-step' | 'ops' | 'layers'; cell: 'lstm' | 'gru'; B: number; T: number; V: number; H: number; steps: number }
export interface BenchResult { dispatches: number; ms: number; first: number; peakBytes: number; gpuPeakBytes: number; gpuRestingBytes: number; gpuBytesAfter: number; times: number[] }

let dispatches = 0;
function countDispatches(): void {
  const be = tf.backend() as unknown as { runWebGPUProgram: (...a: unknown[]) => unknown };
  const orig = be.runWebGPUProgram.bind(be);
  be.runWebGPUProgram = (...a: unknown[]) => { dispatches++; return orig(...a); };
}

/**
 * Peak GPU bytes held by live buffers (the WebGPU backend's buffer manager: tensors, uniforms,
 * staging), which, unlike tf.profile's peakBytes, counts a buffer shared by several tensors once.
 */
let gpuPeak = 0;
function trackGpuBytes(): { used(): number } {
  const bm = (tf.backend() as unknown as { bufferManager: { numBytesUsed: number; acquireBuffer: (...a: unknown[]) => unknown } }).bufferManager;
  const orig = bm.acquireBuffer.bind(bm);
  bm.acquireBuffer = (...a: unknown[]) => { const r = orig(...a); gpuPeak = Math.max(gpuPeak, bm.numBytesUsed); return r; };
  return { used: () => bm.numBytesUsed };
}
let gpuBytes: { used(): number };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function syntheticData(c: BenchConfig): SeqData {
  const rng = new Rng(1);
  const vocab = Array.from({ length: c.V }, (_, i) => String.fromCharCode(97 + i));
  const ex = () => {
    const ids = Array.from({ length: c.T + 1 }, () => rng.int(c.V));
    return { x: ids.slice(0, -1).map((i) => [i]), y: ids.slice(1).map((i) => [i]) };
  };
  return {
    task: 'bench', structure: 'many-to-many', input: { kind: 'tokens', vocab }, output: { kind: 'classes', classes: vocab },
    generative: true, train: Array.from({ length: c.B * 2 }, ex), valid: [], about: 'random tokens',
  };
}

/**
 * First step (pipelines compile), then `steps` timed steps (the first also counts dispatches), one
 * profiled step (tf.profile peakBytes), and one step watched by the buffer manager (peak GPU bytes).
 */
async function measure(step: () => Promise<unknown>, steps: number): Promise<BenchResult> {
  let t0 = performance.now();
  await step();
  const first = performance.now() - t0;
  const times: number[] = [];
  let d = 0;
  for (let i = 0; i < steps; i++) {
    dispatches = 0;
    t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
    if (i === 0) d = dispatches;
  }
  const prof = await tf.profile(async () => { await step(); return []; });
  const resting = gpuBytes.used();
  gpuPeak = resting;
  await step();
  return { dispatches: d, ms: median(times), first, peakBytes: prof.peakBytes, gpuPeakBytes: gpuPeak, gpuRestingBytes: resting, gpuBytesAfter: (tf.memory() as { numBytesInGPU?: number }).numBytesInGPU ?? -1, times };
}

/**
 * Our model for `c` on the path `c.who` names (the fused kernels in the named mode, or op by op),
 * one LSTM/GRU layer, softmax head, Adam.
 */
function ourTrainer(c: BenchConfig): Trainer {
  if (c.who === 'ops') setRecurrenceKernel(undefined);
  else {
    registerWebGpuKernels({
      mode: c.who === 'fused-sequence' || c.who === 'fused-sequence-storage' ? 'sequence' : c.who === 'fused-step' ? 'step' : 'auto',
      workgroupWeights: c.who !== 'fused-sequence-storage',
    });
  }
  const r = parseDefinition(JSON.stringify({
    name: 'bench', data: { task: 'hello' }, layers: [{ cell: c.cell, units: c.H }],
    // sequenceLength = T: full BPTT over all T steps (its default, 32, would truncate to 32-step windows)
    training: { batchSize: c.B, steps: 1_000_000, optimizer: 'adam', learningRate: 1e-3, sequenceLength: c.T },
  }));
  if (!r.spec || r.spec.training.tbptt !== c.T) throw new Error(`bench definition: ${JSON.stringify(r.diagnostics)}`);
  return new Trainer(r.spec, syntheticData(c));
}

async function ours(c: BenchConfig): Promise<BenchResult> {
  const t = ourTrainer(c);
  try {
    return await measure(() => t.runSteps(1), c.steps);
  } finally {
    t.dispose();
  }
}

async function layers(c: BenchConfig): Promise<BenchResult> {
  const rng = new Rng(2);
  const x = new Float32Array(c.B * c.T * c.V);
  const y = new Float32Array(c.B * c.T * c.V);
  for (let i = 0; i < c.B * c.T; i++) {
    x[i * c.V + rng.int(c.V)] = 1;
    y[i * c.V + rng.int(c.V)] = 1;
  }
  // float inputs from Float32Arrays (no cast of int one-hots: see shared/notes/tfjs-webgpu-facts.md)
  const xs = tf.tensor3d(x, [c.B, c.T, c.V]);
  const ys = tf.tensor3d(y, [c.B, c.T, c.V]);
  const rnn = (c.cell === 'lstm' ? tfl.layers.lstm : tfl.layers.gru)({
    units: c.H, returnSequences: true, inputShape: [c.T, c.V], recurrentActivation: 'sigmoid',
    kernelInitializer: 'glorotUniform', recurrentInitializer: 'glorotUniform',
  });
  const model = tfl.sequential({ layers: [rnn, tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: c.V, activation: 'softmax' }) })] });
  model.compile({ optimizer: tf.train.adam(1e-3, 0.9, 0.999, 1e-7), loss: 'categoricalCrossentropy' });
  try {
    return await measure(() => model.trainOnBatch(xs, ys), c.steps);
  } finally {
    model.dispose();
    tf.dispose([xs, ys]);
  }
}

/** Per-kernel GPU time of one step (tf.profile; timestamp queries where the adapter has them). */
async function breakdown(c: BenchConfig): Promise<{ name: string; n: number; ms: number }[]> {
  const t = ourTrainer(c);
  await t.runSteps(1);
  const prof = await tf.profile(async () => { await t.runSteps(1); return []; });
  const agg = new Map<string, { n: number; ms: number }>();
  for (const k of prof.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : (k.kernelTimeMs as { error: string }).error ? NaN : 0;
    const a = agg.get(k.name) ?? { n: 0, ms: 0 };
    a.n++;
    a.ms += ms;
    agg.set(k.name, a);
  }
  t.dispose();
  return [...agg.entries()].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.ms - a.ms);
}

/** Wall ms of single ops of the LSTM step's shapes (B 32, T 32, H 128, one-hot 16), read back each time. */
async function micro(): Promise<string[]> {
  const out: string[] = [];
  const time = async (name: string, f: () => tf.Tensor) => {
    let ms = 0;
    for (let rep = 0; rep < 3; rep++) {
      const t0 = performance.now();
      const y = f();
      await y.data();
      ms = performance.now() - t0;
      y.dispose();
    }
    out.push(`${name}: ${ms.toFixed(0)} ms`);
  };
  const [a, h, x, w, hw, dl] = [[1024, 512], [1024, 128], [1024, 16], [512, 16], [16, 128], [1024, 16]].map((s) => tf.randomNormal(s));
  await time('add [1024,512] (one dispatch + read back)', () => tf.add(a, 1));
  await time('dWhh = dHP^T Hprev [512x1024]x[1024x128]', () => tf.matMul(a, h, true, false));
  await time('dWih = dXP^T X [512x1024]x[1024x16]', () => tf.matMul(a, x, true, false));
  await time('XP = X W^T [1024x16]x[16x512]', () => tf.matMul(x, w, false, true));
  await time('head dW = dL^T F [16x1024]x[1024x128]', () => tf.matMul(dl, h, true, false));
  await time('head dF = dL W [1024x16]x[16x128]', () => tf.matMul(dl, hw, false, false));
  await time('sum(dXP, 0) [1024,512]', () => tf.sum(a, 0));
  await time('sum(square(g)) [512,128]', () => tf.tidy(() => tf.sum(tf.square(tf.slice(a, [0, 0], [512, 128])))));
  tf.dispose([a, h, x, w, hw, dl]);
  return out;
}

/** What makes the peak: the GPU buffers in use (size x count) at the peak of one fused step, and where it was reached. */
async function peakSnapshot(c: BenchConfig): Promise<{ bytes: number; n: number; at: string }[]> {
  const t = ourTrainer(c);
  await t.runSteps(1);
  const bm = (tf.backend() as any).bufferManager;
  let best = 0; let snap: { bytes: number; n: number; at: string }[] = [];
  const orig = bm.acquireBuffer;
  bm.acquireBuffer = function (...a: unknown[]) {
    const res = orig.apply(this, a);
    if (bm.numBytesUsed > best) {
      best = bm.numBytesUsed;
      const at = (new Error().stack ?? '').split('\n').slice(2, 9).map((l) => l.trim().replace(/\(.*\)/, '')).join(' < ');
      snap = [...bm.usedBuffers.entries()].filter(([, v]: any) => v.length).map(([k, v]: any) => ({ bytes: Number(k.split('_')[0]), n: v.length, at }));
    }
    return res;
  };
  await t.runSteps(1);
  bm.acquireBuffer = orig;
  t.dispose();
  return snap.sort((a, b) => b.bytes * b.n - a.bytes * a.n);
}

async function run(c: BenchConfig): Promise<BenchResult> {
  return c.who === 'layers' ? layers(c) : ours(c);
}

async function main(): Promise<void> {
  if (!(await tf.setBackend('webgpu'))) throw new Error('no webgpu backend');
  await tf.ready();
  countDispatches();
  gpuBytes = trackGpuBytes();
  const info = (navigator as unknown as { gpu: { requestAdapter(): Promise<{ info?: Record<string, unknown> } | null> } }).gpu;
  const adapter = await info.requestAdapter();
  Object.assign(window, { seqlabBench: { run, breakdown, peakSnapshot, micro, adapter: () => ({ ...(adapter?.info ? { vendor: adapter.info.vendor, architecture: adapter.info.architecture, description: adapter.info.description } : {}) }) }, seqlabReady: true });
}

main().catch((e) => console.error(String(e?.stack ?? e)));

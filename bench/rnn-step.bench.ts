/**
 * Training-step benchmark (not a test): our LSTM/GRU (tfjs-core ops, PyTorch numerics) against
 * tf.layers.lstm / tf.layers.gru (sigmoid gates) on the same backend, in the same process.
 * Prints ms per training step (median) and kernel dispatches per step, and their ratios.
 *
 *   npm run bench                       # wasm and cpu
 *   npm run bench -- --backend wasm --steps 10
 */
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '../src/core/tf';
import { useBackend, type NodeBackend } from '../src/node/backend';
import { Trainer } from '../src/core/train';
import { parseDefinition } from '../src/core/dsl';
import type { SeqData } from '../src/core/data';
import { Rng } from '../src/core/rng';

const B = 32, T = 32, V = 16, H = 128;

function syntheticData(): SeqData {
  const rng = new Rng(1);
  const vocab = Array.from({ length: V }, (_, i) => String.fromCharCode(97 + i));
  const ex = () => {
    const ids = Array.from({ length: T + 1 }, () => rng.int(V));
    return { x: ids.slice(0, -1).map((i) => [i]), y: ids.slice(1).map((i) => [i]) };
  };
  return {
    task: 'bench', structure: 'many-to-many', input: { kind: 'tokens', vocab }, output: { kind: 'classes', classes: vocab },
    generative: true, train: Array.from({ length: B * 4 }, ex), valid: [], about: 'random tokens',
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Result { ms: number; kernels: number; first: number }

async function ours(cell: 'lstm' | 'gru', steps: number): Promise<Result> {
  const r = parseDefinition(JSON.stringify({
    name: 'bench', data: { task: 'hello' }, layers: [{ cell, units: H }],
    training: { batchSize: B, steps: 1_000_000, optimizer: 'adam', learningRate: 1e-3 },
  }));
  const spec = { ...r.spec!, data: { ...r.spec!.data } };
  const t = new Trainer(spec, syntheticData());
  let t0 = performance.now();
  await t.runSteps(1);
  const first = performance.now() - t0;
  const prof = await tf.profile(async () => { await t.runSteps(1); return []; });
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    t0 = performance.now();
    await t.runSteps(1); // one step, loss read back: a full round trip
    times.push(performance.now() - t0);
  }
  t.dispose();
  return { ms: median(times), kernels: prof.kernels.length, first };
}

async function layers(cell: 'lstm' | 'gru', steps: number): Promise<Result> {
  const rng = new Rng(2);
  const x = new Float32Array(B * T * V);
  const y = new Float32Array(B * T * V);
  for (let i = 0; i < B * T; i++) {
    x[i * V + rng.int(V)] = 1;
    y[i * V + rng.int(V)] = 1;
  }
  // float inputs from Float32Arrays (no cast of int one-hots: see shared/notes/tfjs-webgpu-facts.md)
  const xs = tf.tensor3d(x, [B, T, V]);
  const ys = tf.tensor3d(y, [B, T, V]);
  const rnn = (cell === 'lstm' ? tfl.layers.lstm : tfl.layers.gru)({
    units: H, returnSequences: true, inputShape: [T, V], recurrentActivation: 'sigmoid',
    kernelInitializer: 'glorotUniform', recurrentInitializer: 'glorotUniform',
  });
  const model = tfl.sequential({ layers: [rnn, tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: V, activation: 'softmax' }) })] });
  model.compile({ optimizer: tf.train.adam(1e-3, 0.9, 0.999, 1e-7), loss: 'categoricalCrossentropy' });
  let t0 = performance.now();
  await model.trainOnBatch(xs, ys);
  const first = performance.now() - t0;
  const prof = await tf.profile(async () => { await model.trainOnBatch(xs, ys); return []; });
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    t0 = performance.now();
    await model.trainOnBatch(xs, ys);
    times.push(performance.now() - t0);
  }
  model.dispose();
  tf.dispose([xs, ys]);
  return { ms: median(times), kernels: prof.kernels.length, first };
}

async function main() {
  const args = process.argv.slice(2);
  const only = args.includes('--backend') ? [args[args.indexOf('--backend') + 1] as NodeBackend] : (['wasm', 'cpu'] as NodeBackend[]);
  const stepsArg = args.includes('--steps') ? Number(args[args.indexOf('--steps') + 1]) : undefined;
  console.log(`Training step, batch ${B}, T ${T}, one-hot ${V}, hidden ${H}, softmax cross-entropy, Adam. Median of N steps after a warm-up step.`);
  console.log('backend cell  | ours ms/step  kernels  first ms | tf.layers ms/step  kernels  first ms | time ratio  kernel ratio (ours / tf.layers)');
  for (const backend of only) {
    await useBackend(backend);
    const steps = stepsArg ?? (backend === 'cpu' ? 3 : 8);
    for (const cell of ['lstm', 'gru'] as const) {
      const a = await ours(cell, steps);
      const b = await layers(cell, steps);
      console.log(
        `${backend.padEnd(7)} ${cell.padEnd(5)} | ${a.ms.toFixed(1).padStart(12)}  ${String(a.kernels).padStart(7)}  ${a.first.toFixed(0).padStart(8)} | ` +
        `${b.ms.toFixed(1).padStart(17)}  ${String(b.kernels).padStart(7)}  ${b.first.toFixed(0).padStart(8)} | ` +
        `${(a.ms / b.ms).toFixed(2).padStart(10)}  ${(a.kernels / b.kernels).toFixed(2).padStart(12)}`,
      );
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

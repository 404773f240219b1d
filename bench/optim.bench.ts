/**
 * Optimizer-update benchmark (not a test): our PyTorch-formula optimizers (src/core/optim.ts)
 * against tfjs's own tf.train optimizers, applying the same gradients to the same parameters (the
 * shapes of a 2-layer LSTM with 128 units, embedding and head) on the same backend, in one process.
 * Prints ms per update (median) and kernel dispatches per update, and their ratios.
 *
 *   npm run bench:optim                       # wasm and cpu
 *   npm run bench:optim -- --backend wasm --steps 30
 */
import * as tf from '../src/core/tf';
import { useBackend, type NodeBackend } from '../src/node/backend';
import { makeOptimizer, type SeqOptimizer } from '../src/core/optim';
import { parseDefinition } from '../src/core/dsl';
import { Rng } from '../src/core/rng';

const H = 128, E = 32, V = 64;
const SHAPES: Record<string, number[]> = {
  'embedding.weight': [V, E],
  'rnn.weight_ih_l0': [4 * H, E], 'rnn.weight_hh_l0': [4 * H, H], 'rnn.bias_ih_l0': [4 * H], 'rnn.bias_hh_l0': [4 * H],
  'rnn.weight_ih_l1': [4 * H, H], 'rnn.weight_hh_l1': [4 * H, H], 'rnn.bias_ih_l1': [4 * H], 'rnn.bias_hh_l1': [4 * H],
  'head.weight': [V, H], 'head.bias': [V],
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function randomTensor(shape: number[], rng: Rng, scale: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.normal() * scale;
  return tf.tensor(d, shape);
}

interface Result { ms: number; kernels: number }

/** `apply` one update per call; times a read of one parameter after each, so the work is done. */
async function time(params: Map<string, tf.Variable>, apply: () => void, steps: number): Promise<Result> {
  const probe = params.get('head.bias')!;
  apply();
  await probe.data();
  const prof = await tf.profile(() => { apply(); return []; });
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    apply();
    await probe.data();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), kernels: prof.kernels.length };
}

async function compare(name: string, training: Record<string, unknown>, theirs: () => tf.Optimizer, steps: number): Promise<string> {
  const r = parseDefinition(JSON.stringify({ name: 'bench', data: { task: 'hello' }, layers: [{ cell: 'lstm', units: 4 }], training }));
  const rng = new Rng(3);
  const grads = Object.fromEntries(Object.entries(SHAPES).map(([k, s]) => [k, randomTensor(s, rng, 0.01)]));
  const mk = () => new Map(Object.entries(SHAPES).map(([k, s]) => [k, tf.variable(randomTensor(s, rng, 0.1), true, `bench-${k}-${Math.random()}`)]));

  const ourParams = mk();
  const ours: SeqOptimizer = makeOptimizer(r.spec!, ourParams);
  const a = await time(ourParams, () => ours.apply(grads, 1e-3), steps);
  ours.dispose();
  ourParams.forEach((v) => v.dispose());

  const tfParams = mk();
  const opt = theirs();
  const named = Object.entries(grads).map(([k, g]) => ({ name: tfParams.get(k)!.name, tensor: g }));
  const b = await time(tfParams, () => opt.applyGradients(named), steps);
  opt.dispose();
  tfParams.forEach((v) => v.dispose());
  tf.dispose(Object.values(grads));
  return `${name.padEnd(8)} | ${a.ms.toFixed(2).padStart(8)}  ${String(a.kernels).padStart(7)} | ${b.ms.toFixed(2).padStart(8)}  ${String(b.kernels).padStart(7)} | ` +
    `${(a.ms / b.ms).toFixed(2).padStart(10)}  ${(a.kernels / b.kernels).toFixed(2).padStart(12)}`;
}

async function main() {
  const args = process.argv.slice(2);
  const only = args.includes('--backend') ? [args[args.indexOf('--backend') + 1] as NodeBackend] : (['wasm', 'cpu'] as NodeBackend[]);
  const steps = args.includes('--steps') ? Number(args[args.indexOf('--steps') + 1]) : 20;
  const n = Object.values(SHAPES).reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0);
  console.log(`One optimizer update of ${Object.keys(SHAPES).length} tensors, ${n} parameters. Median of ${steps} updates after a warm-up.`);
  for (const backend of only) {
    await useBackend(backend);
    console.log(`${backend}: optimizer | ours ms  kernels | tf.train ms  kernels | time ratio  kernel ratio (ours / tf.train)`);
    console.log(await compare('sgd', { optimizer: 'sgd' }, () => tf.train.sgd(1e-3), steps));
    console.log(await compare('momentum', { optimizer: 'momentum', momentum: 0.9 }, () => tf.train.momentum(1e-3, 0.9), steps));
    console.log(await compare('rmsprop', { optimizer: 'rmsprop', rho: 0.9, momentum: 0.9 }, () => tf.train.rmsprop(1e-3, 0.9, 0.9, 1e-8), steps));
    console.log(await compare('adam', { optimizer: 'adam' }, () => tf.train.adam(1e-3, 0.9, 0.999, 1e-8), steps));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

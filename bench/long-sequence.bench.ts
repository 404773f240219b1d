/**
 * Long-sequence benchmark (not a test): one training step (forward, BPTT, Adam) of a many-to-one
 * LSTM at T = 1000, 2000 and 4000 on wasm (the op-by-op cells of src/core/recurrent.ts, and the
 * fused kernels of src/wasm), with cpu as the peer in the same process. Per-step work must not
 * depend on T (issue 15 item 4), so ms per step should grow linearly: the printed ratio
 * ms(T) / ms(1000) should stay near T / 1000 (2 and 4), not T^2 / 1000^2 (4 and 16).
 *
 *   node --import tsx bench/long-sequence.bench.ts [--backend wasm|cpu] [--lengths 1000,2000,4000]
 */
import { useBackend, type NodeBackend } from '../src/node/backend';
import { Trainer } from '../src/core/train';
import { parseDefinition } from '../src/core/dsl';
import type { SeqData } from '../src/core/data';
import { Rng } from '../src/core/rng';

const B = 4, F = 2, H = 32;

function data(T: number): SeqData {
  const rng = new Rng(1);
  const ex = () => ({ x: Array.from({ length: T }, () => [rng.uniform(-1, 1), rng.uniform(-1, 1)]), y: [[rng.uniform(-1, 1)]] });
  return {
    task: 'bench', structure: 'many-to-one', input: { kind: 'real', features: F }, output: { kind: 'real', features: 1 },
    generative: false, train: Array.from({ length: B }, ex), valid: [], about: 'random series',
  };
}

/** ms of one training step: the median of 3, after one warm-up step (which also builds the kernels). */
async function step(T: number): Promise<number> {
  const r = parseDefinition(JSON.stringify({
    name: 'bench', data: { task: 'sine' }, structure: 'many-to-one', layers: [{ cell: 'lstm', units: H }],
    head: { activation: 'linear', loss: 'mse' }, training: { batchSize: B, steps: 10, optimizer: 'adam', learningRate: 1e-3 },
  }));
  if (!r.spec) throw new Error(JSON.stringify(r.diagnostics));
  const t = new Trainer({ ...r.spec, structure: 'many-to-one' }, data(T));
  await t.runSteps(1);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await t.runSteps(1);
    times.push(performance.now() - t0);
  }
  t.dispose();
  return times.sort((a, b) => a - b)[1];
}

async function main() {
  const args = process.argv.slice(2);
  const arg = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
  const backends = arg('--backend') ? [arg('--backend') as NodeBackend] : (['wasm', 'cpu'] as NodeBackend[]);
  const lengths = (arg('--lengths') ?? '1000,2000,4000').split(',').map(Number);
  console.log(`One training step, many-to-one LSTM, batch ${B}, ${F} features, hidden ${H}, MSE, Adam.`);
  console.log(`backend     ${lengths.map((T) => `T=${T} ms`.padStart(12)).join(' ')} | ${lengths.slice(1).map((T) => `ms(${T})/ms(${lengths[0]})`.padStart(16)).join(' ')}`);
  for (const backend of backends) {
    // op by op (the reference cells), then through the fused kernels where the backend has them
    for (const fused of [false, true]) {
      await useBackend(backend, { fused });
      const label = `${backend}${fused ? ' fused' : ' ops'}`;
      const ms: number[] = [];
      for (const T of lengths) ms.push(await step(T));
      console.log(`${label.padEnd(11)} ${ms.map((m) => m.toFixed(0).padStart(12)).join(' ')} | ${ms.slice(1).map((m) => (m / ms[0]).toFixed(2).padStart(16)).join(' ')}`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

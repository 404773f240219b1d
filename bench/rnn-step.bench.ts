/**
 * Training-step benchmark (not a test). One training step (one-hot input, one LSTM or GRU layer,
 * linear head, softmax cross-entropy, Adam, loss read back) at three shapes, all in one run:
 *
 *   ours          our model on the fused wasm/cpu kernels (src/wasm), what the CLI runs
 *   ours-ops      our op-by-op cells (src/core/recurrent.ts, the reference)
 *   tf.layers     tf.layers.lstm / gru (sigmoid gates) + timeDistributed dense, same backend
 *   pytorch-1t    PyTorch (/usr/bin/python3, when torch imports) on one thread
 *   pytorch-all   PyTorch on all threads
 *
 * Prints ms per step (median of N steps after a warm-up step), steps/s, peak memory and the ratio
 * ours / peer (above 1: ours is slower). Peak memory: tfjs-tracked bytes at the peak of a step
 * (tf.profile) plus, for ours, the fused module's own memory; PyTorch: growth of the process's peak
 * resident size while it built the model and trained (one process per case).
 *
 *   npm run bench                               # wasm and cpu, every shape
 *   npm run bench -- --backend wasm --shapes hello,mid --steps 10
 *   npm run bench -- --json                     # one JSON object per measurement
 *   npm run bench -- --all                      # also ours-ops and tf.layers at the large shape (minutes)
 *   npm run bench -- --no-torch
 */
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tfl from '@tensorflow/tfjs-layers';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import * as tf from '../src/core/tf';
import { useBackend, type NodeBackend } from '../src/node/backend';
import { recurrenceModule } from '../src/wasm/kernels';
import { Trainer } from '../src/core/train';
import { parseDefinition } from '../src/core/dsl';
import type { SeqData } from '../src/core/data';
import { Rng } from '../src/core/rng';

interface Shape { name: string; B: number; T: number; V: number; H: number; steps: number; slowPeers: boolean }
const SHAPES: Shape[] = [
  // hello.seqlab.json's size: batch 1, 4 steps, 4 symbols, 8 units
  { name: 'hello', B: 1, T: 4, V: 4, H: 8, steps: 100, slowPeers: true },
  { name: 'mid', B: 32, T: 32, V: 16, H: 128, steps: 5, slowPeers: true },
  { name: 'large', B: 64, T: 128, V: 16, H: 256, steps: 2, slowPeers: false },
];
type Cell = 'lstm' | 'gru';
const shapeLabel = (s: Shape) => `B${s.B} T${s.T} V${s.V} H${s.H}`;

function syntheticData(s: Shape): SeqData {
  const rng = new Rng(1);
  const vocab = Array.from({ length: s.V }, (_, i) => String.fromCharCode(97 + i));
  const ex = () => {
    const ids = Array.from({ length: s.T + 1 }, () => rng.int(s.V));
    return { x: ids.slice(0, -1).map((i) => [i]), y: ids.slice(1).map((i) => [i]) };
  };
  return {
    task: 'bench', structure: 'many-to-many', input: { kind: 'tokens', vocab }, output: { kind: 'classes', classes: vocab },
    generative: true, train: Array.from({ length: s.B * 4 }, ex), valid: [], about: 'random tokens',
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** ms: wall-clock per step; cpuMs: this process's CPU time per step (user + system), which a loaded machine disturbs far less. */
interface Result { ms: number; cpuMs: number; first: number; kernels: number; peakBytes: number }

async function timeSteps(step: () => Promise<unknown>, steps: number, extraBytes: () => number): Promise<Result> {
  let t0 = performance.now();
  await step();
  const first = performance.now() - t0;
  const prof = await tf.profile(async () => { await step(); return []; });
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    t0 = performance.now();
    const c0 = process.cpuUsage();
    await step();
    const c = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { ms: median(times), cpuMs: median(cpu), first, kernels: prof.kernels.length, peakBytes: prof.peakBytes + extraBytes() };
}

async function ours(s: Shape, cell: Cell, steps: number): Promise<Result> {
  const r = parseDefinition(JSON.stringify({
    name: 'bench', data: { task: 'hello' }, layers: [{ cell, units: s.H }],
    training: { batchSize: s.B, steps: 1_000_000, optimizer: 'adam', learningRate: 1e-3 },
  }));
  const spec = { ...r.spec!, data: { ...r.spec!.data } };
  const t = new Trainer(spec, syntheticData(s));
  try {
    return await timeSteps(() => t.runSteps(1), steps, () => recurrenceModule()?.x.memory.buffer.byteLength ?? 0);
  } finally {
    t.dispose();
  }
}

async function layers(s: Shape, cell: Cell, steps: number): Promise<Result> {
  const rng = new Rng(2);
  const x = new Float32Array(s.B * s.T * s.V);
  const y = new Float32Array(s.B * s.T * s.V);
  for (let i = 0; i < s.B * s.T; i++) {
    x[i * s.V + rng.int(s.V)] = 1;
    y[i * s.V + rng.int(s.V)] = 1;
  }
  // float inputs from Float32Arrays (no cast of int one-hots: see shared/notes/tfjs-webgpu-facts.md)
  const xs = tf.tensor3d(x, [s.B, s.T, s.V]);
  const ys = tf.tensor3d(y, [s.B, s.T, s.V]);
  const rnn = (cell === 'lstm' ? tfl.layers.lstm : tfl.layers.gru)({
    units: s.H, returnSequences: true, inputShape: [s.T, s.V], recurrentActivation: 'sigmoid',
    kernelInitializer: 'glorotUniform', recurrentInitializer: 'glorotUniform',
  });
  const model = tfl.sequential({ layers: [rnn, tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: s.V, activation: 'softmax' }) })] });
  model.compile({ optimizer: tf.train.adam(1e-3, 0.9, 0.999, 1e-7), loss: 'categoricalCrossentropy' });
  try {
    return await timeSteps(() => model.trainOnBatch(xs, ys), steps, () => 0);
  } finally {
    model.dispose();
    tf.dispose([xs, ys]);
  }
}

const PYTHON = '/usr/bin/python3';

function torchAvailable(): string | undefined {
  try {
    return execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function pytorch(s: Shape, cell: Cell, steps: number, threads: number): Result {
  // torch.set_num_threads(1) bounds PyTorch's own (OpenMP) threads, not OpenBLAS's pthreads, which
  // Debian's python3-torch multiplies matrices with: one thread means the BLAS's too
  const env = threads === 1 ? { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } : process.env;
  const out = execFileSync(PYTHON, [`${__dirname}/torch_step.py`, JSON.stringify({ B: s.B, T: s.T, V: s.V, H: s.H, cell, steps, threads })], { encoding: 'utf8', env });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { ms: number; cpu_ms: number; first_ms: number; peak_bytes: number };
  return { ms: r.ms, cpuMs: r.cpu_ms, first: r.first_ms, kernels: NaN, peakBytes: r.peak_bytes };
}

interface Row { backend: string; cell: Cell; shape: Shape; who: string; r: Result }

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main() {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const all = args.includes('--all');
  const backends = (arg(args, '--backend')?.split(',') ?? ['wasm', 'cpu']) as NodeBackend[];
  const shapes = arg(args, '--shapes') ? SHAPES.filter((s) => arg(args, '--shapes')!.split(',').includes(s.name)) : SHAPES;
  const cells = (arg(args, '--cells')?.split(',') ?? ['lstm', 'gru']) as Cell[];
  const stepsArg = arg(args, '--steps') ? Number(arg(args, '--steps')) : undefined;
  const torch = args.includes('--no-torch') ? undefined : torchAvailable();
  const say = (line: string) => { if (!json) console.log(line); };
  say(`Training step: one-hot input, one recurrent layer, linear head, softmax cross-entropy, Adam; median of N steps after a warm-up step.`);
  say(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at start; PyTorch: ${torch ?? 'not available'}.`);
  say(`ratio = ours / peer in wall-clock ms per step (above 1 = ours slower); cpu ratio: the same in process CPU time per step`);
  say(`(PyTorch on all threads adds its threads' CPU time, so its cpu ms is not a wall time).`);
  say('');
  say('backend cell shape              | who          |   ms/step |  steps/s |   cpu ms | first ms | kernels | peak MiB | ratio | cpu ratio');
  const rows: Row[] = [];
  const emit = (row: Row, ours?: Result) => {
    rows.push(row);
    const { r } = row;
    const ratio = ours && row.who !== 'ours' ? ours.ms / r.ms : undefined;
    const cpuRatio = ours && row.who !== 'ours' ? ours.cpuMs / r.cpuMs : undefined;
    if (json) {
      if (ours && row.who !== 'ours') {
        console.log(JSON.stringify({
          backend: row.backend, cell: row.cell, shape: shapeLabel(row.shape), ours_ms: ours.ms, peer: row.who, peer_ms: r.ms, ratio,
          ours_cpu_ms: ours.cpuMs, peer_cpu_ms: r.cpuMs, cpu_ratio: cpuRatio,
          ours_steps_per_s: 1000 / ours.ms, peer_steps_per_s: 1000 / r.ms, ours_peak_bytes: ours.peakBytes, peer_peak_bytes: r.peakBytes,
        }));
      }
      return;
    }
    console.log(
      `${row.backend.padEnd(7)} ${row.cell.padEnd(4)} ${shapeLabel(row.shape).padEnd(18)} | ${row.who.padEnd(12)} | ${r.ms.toFixed(r.ms < 10 ? 2 : 1).padStart(9)} | ` +
      `${(1000 / r.ms).toFixed(1).padStart(8)} | ${r.cpuMs.toFixed(r.cpuMs < 10 ? 2 : 1).padStart(8)} | ${r.first.toFixed(0).padStart(8)} | ${(Number.isNaN(r.kernels) ? '' : String(r.kernels)).padStart(7)} | ` +
      `${(r.peakBytes / 2 ** 20).toFixed(1).padStart(8)} | ${ratio === undefined ? '     ' : ratio.toFixed(2).padStart(5)} | ${cpuRatio === undefined ? '' : cpuRatio.toFixed(2)}`,
    );
  };
  const torchRows = new Map<string, Result[]>();
  for (const backend of backends) {
    for (const s of shapes) {
      const steps = stepsArg ?? (backend === 'cpu' && s.name !== 'hello' ? Math.min(3, s.steps) : s.steps);
      for (const cell of cells) {
        await useBackend(backend, { fused: true });
        const a = await ours(s, cell, steps);
        emit({ backend, cell, shape: s, who: 'ours', r: a });
        if (s.slowPeers || all) {
          await useBackend(backend, { fused: false });
          emit({ backend, cell, shape: s, who: 'ours-ops', r: await ours(s, cell, steps) }, a);
          emit({ backend, cell, shape: s, who: 'tf.layers', r: await layers(s, cell, steps) }, a);
        }
        if (torch) {
          // PyTorch does not depend on the tfjs backend: measured once per shape and cell
          const key = `${s.name}:${cell}`;
          if (!torchRows.has(key)) torchRows.set(key, [pytorch(s, cell, Math.max(steps, 3), 1), pytorch(s, cell, Math.max(steps, 3), 0)]);
          const [one, allT] = torchRows.get(key)!;
          emit({ backend, cell, shape: s, who: 'pytorch-1t', r: one }, a);
          emit({ backend, cell, shape: s, who: `pytorch-${cpus().length}t`, r: allT }, a);
        }
      }
    }
  }
  say('');
  say(`load average at end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * `npm run bench:gpu`: training-step benchmark in headless Chromium on WebGPU (SwiftShader on a
 * machine without a GPU), our fused kernels vs the same model op by op vs tf.layers.lstm/gru, in
 * one page. Prints dispatches per step, median ms per step, first-step ms, peak GPU bytes during a
 * step (the WebGPU backend's buffer manager: every buffer in use, weights and optimizer state
 * included, each counted once), and the ratios against tf.layers.
 *
 * tf.profile's peakBytes is printed too (last column): it sums tensors, so a buffer shared by
 * several tensors (a saved clone, a reshape) counts several times; it overstates real memory.
 *
 *   npm run bench:gpu                       # both sizes (the large one takes minutes here)
 *   npm run bench:gpu -- --small            # batch 32, T 32, one-hot 16, hidden 128 only
 *   npm run bench:gpu -- --steps 5 --modes  # also time both fused execution modes (small size)
 *   npm run bench:gpu -- --large-only --who fused --cells lstm   # a subset (ratios need 'layers' too)
 *   npm run bench:gpu -- --small --peak     # also list the GPU buffers in use at the fused step's peak
 *   npm run bench:gpu -- --workgroup        # hello-sized models: one dispatch per sequence with W_hh
 *                                           # in workgroup memory vs read from storage vs per step
 */
import { join } from 'node:path';
import { openGpuPage } from '../../test/gpu/harness';
import type { BenchConfig, BenchResult } from './page';

const args = process.argv.slice(2);
const flag = (n: string) => args.includes(n);
const num = (n: string, d: number) => (args.includes(n) ? Number(args[args.indexOf(n) + 1]) : d);

/** Sizes where W_hh fits in workgroup memory (LSTM H <= 32) and 'auto' picks one dispatch per sequence. */
const WORKGROUP_SIZES = [1, 8, 32].flatMap((B) => [16, 32].map((H) => ({ B, T: 32, V: 16, H, steps: num('--steps', 9), opsSteps: 0 })));

const SIZES = flag('--workgroup') ? WORKGROUP_SIZES : [
  ...(flag('--large-only') ? [] : [{ B: 32, T: 32, V: 16, H: 128, steps: num('--steps', 5), opsSteps: 2 }]),
  ...(flag('--small') ? [] : [{ B: 64, T: 128, V: 16, H: 256, steps: num('--large-steps', 1), opsSteps: 0 }]),
];
const str = (n: string) => (args.includes(n) ? args[args.indexOf(n) + 1] : undefined);
/** --who fused,layers / --cells gru: run a subset (tf.layers at the large size takes ~10 min a cell here). */
const WHO = str('--who')?.split(',');
const CELLS = (str('--cells')?.split(',') ?? ['lstm', 'gru']) as ('lstm' | 'gru')[];

const mb = (b: number) => (b / 2 ** 20).toFixed(1);

async function main() {
  const gpu = await openGpuPage(join(__dirname, 'page.ts'));
  const adapter = await gpu.page.evaluate(() => (window as any).seqlabBench.adapter());
  console.log(`WebGPU adapter: ${JSON.stringify(adapter)} (headless Chromium). Training step: softmax cross-entropy, Adam; median of N timed steps after a warm-up step.`);
  console.log('Peak = GPU bytes in use at the peak of one step (buffer manager); activations = B*T*H*gates float32 (what BPTT must keep).');
  const rows: string[] = [];
  const head = 'cell  B   T   H    | who            | dispatches |   ms/step |  first ms | peak MiB | vs tf.layers: dispatches  ms    | peak / activations | tf.profile peak / activations';
  console.log(head);
  for (const s of SIZES) {
    for (const cell of CELLS) {
      const G = cell === 'lstm' ? 4 : 3;
      const act = s.B * s.T * s.H * G * 4;
      // both execution modes on the small size only (one workgroup for a whole large sequence is slow)
      const modes = flag('--modes') && s.opsSteps > 0;
      const whos: BenchConfig['who'][] = flag('--workgroup') ? ['layers', 'fused-sequence', 'fused-sequence-storage', 'fused-step']
        : ['layers', 'fused', ...(modes ? ['fused-sequence', 'fused-step'] as const : []), ...(s.opsSteps ? ['ops'] as const : [])];
      const res: Partial<Record<BenchConfig['who'], BenchResult>> = {};
      for (const who of whos.filter((w) => !WHO || WHO.includes(w))) {
        const cfg: BenchConfig = { who, cell, B: s.B, T: s.T, V: s.V, H: s.H, steps: who === 'ops' ? s.opsSteps : s.steps };
        const t0 = Date.now();
        const r = await gpu.page.evaluate((c) => (window as any).seqlabBench.run(c), cfg) as BenchResult;
        res[who] = r;
        const L = res.layers ?? r;
        const line = `${cell.padEnd(5)} ${String(s.B).padEnd(3)} ${String(s.T).padEnd(3)} ${String(s.H).padEnd(4)} | ${who.padEnd(14)} | ${String(r.dispatches).padStart(10)} | ${r.ms.toFixed(0).padStart(9)} | ${r.first.toFixed(0).padStart(9)} | ${mb(r.gpuPeakBytes).padStart(8)} | ` +
          `${who === 'layers' ? '         -       -' : `${(r.dispatches / L.dispatches).toFixed(3).padStart(10)}  ${(r.ms / L.ms).toFixed(3).padStart(6)}`} | ${(r.gpuPeakBytes / act).toFixed(2).padStart(18)} | ${(r.peakBytes / act).toFixed(2)}`;
        console.log(line + `   (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
        rows.push(line);
      }
      if (flag('--peak')) {
        const snap = await gpu.page.evaluate((c) => (window as any).seqlabBench.peakSnapshot(c), { who: 'fused', cell, B: s.B, T: s.T, V: s.V, H: s.H, steps: 1 } as BenchConfig) as { bytes: number; n: number; at: string }[];
        console.log(`  buffers in use at the fused step's peak (reached in: ${snap[0]?.at ?? '?'}):`);
        for (const b of snap.filter((x) => x.bytes * x.n >= act / 100)) console.log(`    ${String(b.n).padStart(3)} x ${mb(b.bytes).padStart(7)} MiB = ${(b.bytes * b.n / act).toFixed(3)} x activations`);
      }
    }
  }
  await gpu.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

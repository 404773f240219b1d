/**
 * Choosing a backend by measuring: a short timed run of the ACTUAL model (its layers, batch and
 * sequence length, on its data) on each candidate backend, fastest wins. Results are cached per
 * machine and model size, so the probe runs once, not every time.
 *
 * A cached figure can go stale: measured while the machine was busy, it says nothing true about
 * a quiet one (on a 2-core machine shared by builds, wasm and cpu were timed 2-5x slow, and not
 * alike, so the choice itself was wrong). Three guards, each cheap (a probe costs about a second):
 *  - the decision compares backends timed in the same interleaved rounds, so the load falls on
 *    all of them alike; the absolute rates are kept only to be checked against later runs;
 *  - the entry records the load it was measured under (load average per core, where the platform
 *    has one): a figure taken at load >= 1 per core is measured again once the load is under half
 *    of that (PROBE_BUSY_LOAD);
 *  - a run reports its real training speed (reviewProbe): a run on the chosen backend more than
 *    PROBE_DRIFT times faster than the cached figure proves that figure was taken on a busier
 *    machine, and the entry is dropped, so the next run measures again. A slower run proves
 *    nothing (the run also validates and records; the machine may be busy now) and keeps it.
 * Entries older than PROBE_MAX_AGE_MS are measured again regardless.
 *
 * Platform-neutral: the caller says how to switch backends (Node: src/node/backend.ts's useBackend;
 * the panel's worker: webview/backend.ts) and where the cache lives.
 */
import * as tf from './tf';
import { Trainer } from './train';
import type { SeqData } from './data';
import type { ModelSpec } from './spec';
import type { BackendName } from './backend';

export interface ProbeResult {
  backend: BackendName;
  /** Median ms per training step (each step's loss read back) after one warm-up step. */
  msPerStep: number;
  stepsPerSecond: number;
  /** Timed steps (the warm-up not counted). */
  steps: number;
}

export interface BackendChoice {
  backend: BackendName;
  results: ProbeResult[];
  /** Backends that could not start, with why. */
  failed: { backend: BackendName; reason: string }[];
  /** One line for people: what was measured and why this one. */
  reason: string;
  cached: boolean;
  /** When the measurement was made (ms since the epoch). */
  measuredAt: number;
  key: string;
}

export interface ProbeCacheEntry {
  results: ProbeResult[];
  measuredAt: number;
  /** The machine's load average per core when measured (absent where the platform has none). */
  load?: number;
}
export interface ProbeCache {
  get(key: string): ProbeCacheEntry | undefined;
  set(key: string, entry: ProbeCacheEntry): void;
  /** Forget an entry (reviewProbe found it stale). */
  delete?(key: string): void;
}

/** A cached measurement older than this is measured again (drivers, load and versions change). */
export const PROBE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** Load average per core from which a measurement counts as taken on a busy machine. */
export const PROBE_BUSY_LOAD = 1;
/** A run this many times faster than its cached probe figure drops the entry. */
export const PROBE_DRIFT = 1.5;

/** Why a cached entry is measured again, or undefined when it still holds. */
export function staleReason(e: ProbeCacheEntry, now: number, load?: number): string | undefined {
  if (now - e.measuredAt >= PROBE_MAX_AGE_MS) return 'older than a week';
  if (e.load !== undefined && load !== undefined && e.load >= PROBE_BUSY_LOAD && load < e.load / 2) {
    return `measured at load ${e.load.toFixed(1)} per core, now ${load.toFixed(1)}`;
  }
  return undefined;
}

/**
 * After a run on a backend chosen by probeBackends: its real speed (steps over training time)
 * against the figure the choice came from. Returns why the cache entry was dropped, or undefined
 * when it was kept (see the header for the rule).
 */
export function reviewProbe(cache: ProbeCache | undefined, choice: Pick<BackendChoice, 'key' | 'backend' | 'results'>, stepsPerSecond: number): string | undefined {
  const probed = choice.results.find((r) => r.backend === choice.backend);
  if (!cache?.delete || !probed || !(stepsPerSecond > probed.stepsPerSecond * PROBE_DRIFT)) return undefined;
  cache.delete(choice.key);
  return `the run trained at ${stepsPerSecond.toFixed(0)} steps/s on ${choice.backend}, the probe had measured ${probed.stepsPerSecond.toFixed(0)}: measured again next time`;
}

/**
 * The cache key: the machine (the caller's description: CPU model and count, GPU adapter...) and
 * the model's size: layers (cell, units, directions), input width, batch, and sequence length
 * rounded up to a power of two (time per step scales with it; exact lengths need not re-probe).
 * An encoder-decoder adds its decoder: layers, attention (a per-step loop for bahdanau) and target length.
 */
export function probeKey(machine: string, spec: ModelSpec, data: SeqData): string {
  const stack = (ls: ModelSpec['layers']) => ls.map((l) => `${l.cell}${l.units}${l.bidirectional ? 'x2' : ''}`).join('-');
  const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));
  const t2 = pow2(data.train[0]?.x.length ?? 0);
  const input = data.input.kind === 'tokens' ? `v${data.input.vocab.length}` : `f${data.input.features}`;
  const decoder = spec.structure === 'encoder-decoder'
    ? `|dec-${stack(spec.decoderLayers)}-${spec.attention ?? 'none'}|u${pow2(data.train[0]?.y.length ?? 0)}`
    : '';
  return `${machine}|${stack(spec.layers)}|${input}|b${spec.training.batchSize}|t${t2}${decoder}`;
}

export interface ProbeOptions {
  spec: ModelSpec;
  data: SeqData;
  /** In order of preference on a tie (within 5%). */
  candidates: BackendName[];
  /** Switch to a backend (with its kernels); false or a throw = it cannot run here. */
  activate(name: BackendName): Promise<boolean>;
  machine: string;
  cache?: ProbeCache;
  /** Wall-clock budget per backend for the timed steps (default 400 ms; at least 3 steps unless one step alone exceeds it). */
  budgetMs?: number;
  /**
   * Hard cap on the whole probe, warm-up included (default 5000 ms): past it no further rounds are
   * timed and what was measured decides (for a large model, its second warm-up steps). The panel
   * waits for this before its first step, so it must stay short.
   */
  maxMs?: number;
  /** Ignore the cache. */
  fresh?: boolean;
  now?: () => number;
  /** The machine's load average per core now, where the platform has one (recorded with the figures). */
  load?: () => number | undefined;
}

/** Time the model on each candidate (or take the cached times) and pick the fastest. */
export async function probeBackends(o: ProbeOptions): Promise<BackendChoice> {
  const key = probeKey(o.machine, o.spec, o.data);
  const now = o.now ?? Date.now;
  const hit = o.fresh ? undefined : o.cache?.get(key);
  if (hit && !staleReason(hit, now(), o.load?.()) && o.candidates.every((c) => hit.results.some((r) => r.backend === c))) {
    const results = hit.results.filter((r) => o.candidates.includes(r.backend));
    return decide(o.candidates, results, [], key, true, hit.measuredAt);
  }
  const failed: BackendChoice['failed'] = [];
  const results = await timeModel(o, failed);
  if (!results.length) throw new Error(`no backend could run the model: ${failed.map((f) => `${f.backend}: ${f.reason}`).join('; ')}`);
  const measuredAt = now();
  const load = o.load?.();
  if (!failed.length) o.cache?.set(key, { results, measuredAt, ...(load !== undefined ? { load } : {}) });
  return decide(o.candidates, results, failed, key, false, measuredAt);
}

/** Fastest wins; within 5% the earlier candidate (the caller's preference) keeps it. */
function decide(candidates: BackendName[], results: ProbeResult[], failed: BackendChoice['failed'], key: string, cached: boolean, measuredAt: number): BackendChoice {
  const ordered = [...results].sort((a, b) => candidates.indexOf(a.backend) - candidates.indexOf(b.backend));
  let best = ordered[0];
  for (const r of ordered.slice(1)) if (r.msPerStep < best.msPerStep * 0.95) best = r;
  const fmt = (r: ProbeResult) => `${r.backend} ${r.stepsPerSecond >= 100 ? r.stepsPerSecond.toFixed(0) : r.stepsPerSecond.toPrecision(3)} steps/s`;
  const others = ordered.filter((r) => r !== best);
  const vs = others.length ? ` vs ${others.map(fmt).join(', ')}` : '';
  const why = `${fmt(best)}${vs} on this model (${cached ? 'measured earlier on this machine' : 'measured now'})`;
  const fails = failed.length ? `; could not run: ${failed.map((f) => `${f.backend} (${f.reason})`).join(', ')}` : '';
  return { backend: best.backend, results: ordered, failed, reason: `fastest: ${why}${fails}`, cached, measuredAt, key };
}

/**
 * One throwaway Trainer of the real model, moved between the backends: two warm-up steps on each
 * (kernel compilation, first allocations; a backend that fails here is reported), then rounds that
 * visit every backend in turn (one untimed step after each switch, while the weights move, then
 * timed steps), so that JIT warm-up and the machine's load fall on all of them alike. A backend
 * whose second warm-up step took over 5x the best one's (and over 100 ms) is not timed further:
 * that step stands as its time.
 */
async function timeModel(o: ProbeOptions, failed: BackendChoice['failed']): Promise<ProbeResult[]> {
  const budget = (o.budgetMs ?? 400) * o.candidates.length;
  const began = performance.now();
  const capped = () => performance.now() - began > (o.maxMs ?? 5000);
  const spec: ModelSpec = { ...o.spec, training: { ...o.spec.training, steps: 1_000_000, epochs: undefined } };
  let before = 0;
  const times = new Map<BackendName, number[]>();
  const warm = new Map<BackendName, number>();
  let t: Trainer | undefined;
  const step = async () => {
    const t0 = performance.now();
    await t!.runSteps(1);
    return performance.now() - t0;
  };
  try {
    for (const b of o.candidates) {
      try {
        if (!(await o.activate(b))) { failed.push({ backend: b, reason: 'did not start' }); continue; }
        if (!t) {
          before = tf.memory().numTensors;
          t = new Trainer(spec, o.data);
        }
        await step(); // first-use costs: kernel compilation, allocation, JIT
        warm.set(b, await step());
        times.set(b, []);
      } catch (e) {
        failed.push({ backend: b, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    const fastestWarm = Math.min(...warm.values());
    const timed = [...times.keys()].filter((b) => warm.get(b)! <= Math.max(5 * fastestWarm, 100));
    const start = performance.now();
    for (let round = 0; timed.length > 1 && !capped() && (round < 2 || performance.now() - start < budget); round++) {
      for (const b of timed) {
        if (capped()) break;
        await o.activate(b);
        await step(); // the weights and optimizer state move to b
        times.get(b)!.push(await step(), await step());
      }
    }
    return [...times.entries()].map(([b, ts]) => {
      const ms = ts.length ? [...ts].sort((x, y) => x - y)[Math.floor(ts.length / 2)] : warm.get(b)!;
      return { backend: b, msPerStep: ms, stepsPerSecond: 1000 / ms, steps: ts.length || 1 };
    });
  } finally {
    t?.dispose();
    if (t && tf.memory().numTensors !== before) {
      // nothing of the probe may stay alive on the backend it leaves
      throw new Error(`backend probe leaked ${tf.memory().numTensors - before} tensors`);
    }
  }
}

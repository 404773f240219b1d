/**
 * The CLI's (and any Node caller's) backend by measurement: src/core/backendProbe.ts on wasm and
 * cpu, cached in a small JSON file per machine (SEQLAB_CACHE_DIR, else $XDG_CACHE_HOME/seqlab, else
 * ~/.cache/seqlab). The machine key names the CPU and the fused kernels' build, so new kernels or
 * another machine measure again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, homedir, loadavg } from 'node:os';
import { join } from 'node:path';
import { probeBackends, reviewProbe, type BackendChoice, type ProbeCache, type ProbeCacheEntry } from '../core/backendProbe';
import type { ModelSpec } from '../core/spec';
import type { SeqData } from '../core/data';
import { writeFileAtomic } from './atomic';
import { NODE_BACKENDS, useBackend, type NodeBackend } from './backend';
import { recurrenceWasm } from './kernels';

export function probeCacheFile(): string {
  const dir = process.env.SEQLAB_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'seqlab');
  return join(dir, 'backend-probe.json');
}

/** A JSON object of key -> entry; unreadable or foreign content counts as empty. */
export class FileProbeCache implements ProbeCache {
  constructor(readonly file = probeCacheFile()) {}

  private read(): Record<string, ProbeCacheEntry> {
    try {
      if (!existsSync(this.file)) return {};
      const v = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, ProbeCacheEntry>) : {};
    } catch {
      return {};
    }
  }

  get(key: string): ProbeCacheEntry | undefined {
    const e = this.read()[key];
    return e && Array.isArray(e.results) && typeof e.measuredAt === 'number' ? e : undefined;
  }

  set(key: string, entry: ProbeCacheEntry): void {
    this.write({ ...this.read(), [key]: entry });
  }

  delete(key: string): void {
    const all = this.read();
    if (!(key in all)) return;
    delete all[key];
    this.write(all);
  }

  private write(all: Record<string, ProbeCacheEntry>): void {
    try {
      writeFileAtomic(this.file, JSON.stringify(all, null, 1) + '\n');
    } catch {
      // a cache that cannot be written only means measuring again next time
    }
  }
}

/** This machine for the cache: CPU model and count, architecture, Node, and the fused kernels' build. */
export async function machineKey(): Promise<string> {
  const c = cpus();
  const kernels = createHash('sha256').update(await recurrenceWasm()).digest('hex').slice(0, 12);
  return `${c.length}x ${c[0]?.model?.trim() ?? 'cpu'} ${process.arch} node${process.versions.node} kernels ${kernels}`;
}

/** The 1-minute load average per core (none on Windows, where Node reports zeros). */
export function loadPerCore(): number | undefined {
  if (process.platform === 'win32') return undefined;
  return loadavg()[0]! / Math.max(1, cpus().length);
}

/** Measure (or recall) the model on wasm and cpu and switch to the faster one. */
export async function chooseNodeBackend(spec: ModelSpec, data: SeqData, opts: { cache?: ProbeCache; fresh?: boolean; budgetMs?: number } = {}): Promise<BackendChoice> {
  const choice = await probeBackends({
    spec, data, candidates: [...NODE_BACKENDS], machine: await machineKey(), cache: opts.cache ?? new FileProbeCache(), fresh: opts.fresh, budgetMs: opts.budgetMs,
    activate: async (b) => (await useBackend(b as NodeBackend)) === b, load: loadPerCore,
  });
  await useBackend(choice.backend as NodeBackend);
  return choice;
}

/** After a run on an 'auto' backend: drop the cached figure when the run proved it stale (core reviewProbe). */
export function reviewNodeProbe(choice: BackendChoice, stepsPerSecond: number, cache: ProbeCache = new FileProbeCache()): string | undefined {
  return reviewProbe(cache, choice, stepsPerSecond);
}

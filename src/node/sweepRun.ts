/**
 * Train a definition's sweep (src/core/sweep.ts): each trial is an ordinary run of the experiment
 * (`trainFile`), its definition the file's with the trial's overrides written in, its summary
 * naming the sweep, the trial and the overrides. Trials train one after another, or `parallel` at
 * a time (interleaved in this process). The CLI's `sweep` and VS Code's "Run Sweep" both come here;
 * `sweepResults` reads a sweep's results back from the run store (the tree, Compare, reports).
 */
import { parseTree } from 'jsonc-parser/lib/esm/main.js';
import { plainValue } from '../core/dsl/tree';
import { expandSweep, trialText, type SweepResult, type SweepTrial } from '../core/sweep';
import { resultOf } from './sweepStore';
import type { MetricRow } from '../core/train';
import { RunStore, type RunSweep } from './runStore';
export { listSweeps, resultOf, sweepResults } from './sweepStore';
import { findWorkspaceRoot, loadDefinition, TrainInputError, trainFile, type Loaded, type TrainOptions } from './trainRun';
import { resolve } from 'node:path';

export interface SweepOptions extends Omit<TrainOptions, 'resume' | 'initFrom' | 'definitionText' | 'sweep' | 'onStart' | 'onMetrics' | 'onReport' | 'onEvent'> {
  /**
   * Trials training at the same time (default 1: one after another, in this process). Above 1 each
   * trial trains in its own process (tfjs models of one process share one variable registry and one
   * backend): `launch` starts it.
   */
  parallel?: number;
  /** Starts one trial in a child process and resolves when it ends (required for parallel > 1). */
  launch?: (trial: SweepTrial, sweepId: string) => ChildTrial;
  /** Train only these trials (1-based), e.g. to train one again. */
  only?: number[];
  /** Record the trials under this sweep id (a trial launched by a parallel sweep). */
  id?: string;
  /** The sweep's trials, before any trains. */
  onPlan?(info: { id: string; trials: SweepTrial[]; loaded: Loaded }): void;
  onTrialStart?(trial: SweepTrial, run: { id: string; dir: string; steps: number }): void;
  onTrialMetrics?(trial: SweepTrial, row: MetricRow): void;
  onTrialEnd?(trial: SweepTrial, result: SweepResult): void;
}

/** A trial training in another process: its start (the run it records) and its end. */
export interface ChildTrial {
  started: Promise<{ id: string; dir: string; steps: number } | undefined>;
  ended: Promise<{ code: number; stderr: string }>;
  kill(): void;
}

export interface SweepOutcome {
  id: string;
  experiment: string;
  /** In trial order (rankResults sorts them by validation loss). */
  results: SweepResult[];
}

/** A sweep's id: when it started, and the experiment's name. */
function sweepId(name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'sweep';
  return `${stamp}-${slug}-sweep`;
}

/** Train every trial of `file`'s sweep; resolves when all have ended (a failed trial does not stop the others). */
export async function runSweep(file: string, opts: SweepOptions = {}): Promise<SweepOutcome> {
  const root = opts.workspaceRoot ?? findWorkspaceRoot(resolve(file));
  // the whole definition, every trial included, is checked before anything trains
  const loaded = loadDefinition(file, root, { memoryBudgetMB: opts.memoryBudgetMB, onProgress: opts.onProgress });
  const sweep = loaded.spec.sweep;
  if (!sweep) throw new TrainInputError(`${file} has no "sweep" section: add one (docs/dsl.md, Sweeps) or train it with \`seqlab train\``);
  const trials = expandSweep(sweep);
  const store = new RunStore(root, opts.runsDir);
  const experiment = store.experimentId(loaded.file);
  const busy = store.list(experiment).find((e) => e.summary?.status === 'running' && !(opts.id && e.summary.sweep?.id === opts.id));
  if (busy) throw new TrainInputError(`${experiment} is already training (run ${busy.id}). Stop it first.`);
  if (opts.id !== undefined && !/^[\w.-]{1,100}$/.test(opts.id)) throw new TrainInputError(`--sweep-id ${JSON.stringify(opts.id)}: letters, digits, '.', '_' and '-' only`);
  const bad = (opts.only ?? []).find((k) => !Number.isSafeInteger(k) || k < 1 || k > trials.length);
  if (bad !== undefined) throw new TrainInputError(`the sweep of ${file} has trials 1 to ${trials.length} (got ${bad})`);
  const id = opts.id ?? sweepId(loaded.spec.name);
  const chosen = opts.only ? trials.filter((t) => opts.only!.includes(t.index)) : trials;
  const parallel = Math.max(1, Math.min(opts.parallel ?? 1, chosen.length));
  if (parallel > 1 && !opts.launch) throw new TrainInputError('training trials in parallel needs a way to start them in other processes');
  opts.onPlan?.({ id, trials: chosen, loaded });
  const tree = parseTree(loaded.text, [], { allowTrailingComma: true, disallowComments: false });
  const value = tree ? plainValue(tree) : undefined;
  const results: SweepResult[] = chosen.map((t) => ({ trial: t.index, overrides: t.overrides, status: 'not started' }));
  const children = new Set<ChildTrial>();
  const stopChildren = () => { for (const c of children) c.kill(); };
  opts.signal?.addEventListener('abort', stopChildren);
  let next = 0;
  const trainOne = async (t: SweepTrial): Promise<SweepResult> => {
    const t0 = Date.now();
    if (parallel > 1) {
      // another process trains it and records the run; its summary is read back from the store
      const child = opts.launch!(t, id);
      children.add(child);
      try {
        const run = await child.started;
        if (run) opts.onTrialStart?.(t, run);
        const end = await child.ended;
        const s = run ? store.read(run.id).summary : undefined;
        if (s) return resultOf(t.index, t.overrides, s, (Date.now() - t0) / 1000);
        return { trial: t.index, overrides: t.overrides, status: 'failed', message: end.stderr.trim().split('\n').pop() || `exit code ${end.code}` };
      } finally {
        children.delete(child);
      }
    }
    const info: RunSweep = { id, trial: t.index, trials: trials.length, overrides: t.overrides };
    try {
      const summary = await trainFile(loaded.file, {
        ...opts, workspaceRoot: root, definitionText: trialText(loaded.text, value, t.overrides), sweep: info,
        onStart: (w, trainer) => opts.onTrialStart?.(t, { id: w.id, dir: w.dir, steps: trainer.totalSteps }),
        onMetrics: (row) => opts.onTrialMetrics?.(t, row),
      });
      return resultOf(t.index, t.overrides, summary, (Date.now() - t0) / 1000);
    } catch (e) {
      return { trial: t.index, overrides: t.overrides, status: 'failed', message: (e as Error).message };
    }
  };
  const worker = async () => {
    while (next < chosen.length && !opts.signal?.aborted) {
      const k = next++;
      const r = await trainOne(chosen[k]);
      results[k] = r;
      opts.onTrialEnd?.(chosen[k], r);
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, worker));
  } finally {
    opts.signal?.removeEventListener('abort', stopChildren);
  }
  return { id, experiment, results };
}

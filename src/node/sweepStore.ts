/**
 * Sweeps as the run store records them: the runs whose summary names a sweep, grouped by sweep id,
 * and each trial's result (the tree, Compare Runs and the reports read these). Light: no tfjs.
 */
import { rankResults, type SweepResult } from '../core/sweep';
import type { RunStore, RunSummary } from './runStore';

/** The result of a trial as its run recorded it. */
export function resultOf(trial: number, overrides: SweepResult['overrides'], s: RunSummary | undefined, seconds?: number): SweepResult {
  if (!s) return { trial, overrides, status: 'not started' };
  return {
    trial, overrides, run: s.id, status: s.status,
    ...(s.bestValidLoss !== undefined || s.validLoss !== undefined ? { validLoss: s.bestValidLoss ?? s.validLoss } : {}),
    ...(s.validAccuracy !== undefined ? { validAccuracy: s.validAccuracy } : {}),
    ...(s.finalLoss !== undefined || s.lastLoss !== undefined ? { finalLoss: s.finalLoss ?? s.lastLoss } : {}),
    ...(s.parameters !== undefined ? { parameters: s.parameters } : {}),
    step: s.step, steps: s.steps,
    ...(seconds !== undefined ? { seconds } : s.endedAt ? { seconds: (Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000 } : {}),
  };
}

/** The sweeps recorded in a store: id -> experiment, trial count and the runs of its trials (a trial may have several runs once resumed elsewhere: the latest). */
export function listSweeps(store: Pick<RunStore, 'list'>): { id: string; experiment: string; trials: number; runs: RunSummary[] }[] {
  const by = new Map<string, { id: string; experiment: string; trials: number; runs: RunSummary[] }>();
  for (const e of store.list()) {
    const s = e.summary;
    if (!s?.sweep) continue;
    let g = by.get(s.sweep.id);
    if (!g) by.set(s.sweep.id, (g = { id: s.sweep.id, experiment: s.experiment, trials: s.sweep.trials, runs: [] }));
    g.runs.push(s);
  }
  for (const g of by.values()) g.runs.sort((a, b) => a.sweep!.trial - b.sweep!.trial);
  return [...by.values()].sort((a, b) => b.id.localeCompare(a.id));
}

/** A recorded sweep's results, ranked by validation loss. */
export function sweepResults(store: Pick<RunStore, 'list'>, id: string): SweepResult[] {
  const g = listSweeps(store).find((x) => x.id === id);
  if (!g) return [];
  return rankResults(g.runs.map((s) => resultOf(s.sweep!.trial, s.sweep!.overrides, s)));
}

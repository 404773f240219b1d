/**
 * What a (re)opened or restored panel shows of earlier runs: the experiment's newest run with its
 * metrics and up to ten runs as overlays, thinned. No `vscode` import (tested under Node).
 */
import type { HostToView, OverlayRun } from '../../protocol';
import { cleanRow } from './recorder';
import { describeOverrides } from '../../core/sweep';
import type { PanelMetricRow, PanelRunStore, PanelRunSummary } from './store';
import type { EvaluationReport } from '../../core/evaluate';

export type RestoredRun = NonNullable<Extract<HostToView, { type: 'init' }>['restore']>;

/** The last run of an experiment (restored into the panel) and up to ten runs as overlays. */
export function restoreData(store: PanelRunStore, experiment: string): { restore?: RestoredRun; overlays: OverlayRun[] } {
  const entries = store.list(experiment).filter((e) => e.summary);
  entries.sort((a, b) => (a.summary!.startedAt < b.summary!.startedAt ? 1 : -1));
  const last = entries[0];
  let evaluation: EvaluationReport | undefined;
  try {
    evaluation = last && store.readEvaluation?.(last.id);
  } catch {
    evaluation = undefined; // a damaged evaluation.json: the run is restored without it
  }
  return {
    ...(last?.summary ? { restore: { summary: liteSummary(last.summary), metrics: thinRows(store.readMetrics(last.id), 20000).map(cleanRow), ...(evaluation ? { evaluation } : {}) } } : {}),
    overlays: entries.slice(0, 10).map((e) => overlayOf(e.summary!, store.readMetrics(e.id))),
  };
}

/** Thin a run's curve to at most `max` points (every k-th row, always keeping the last). */
export function thinRows(rows: PanelMetricRow[], max: number): PanelMetricRow[] {
  if (rows.length <= max) return rows;
  const k = Math.ceil(rows.length / max);
  const out = rows.filter((_, i) => i % k === 0);
  if (out[out.length - 1] !== rows[rows.length - 1]) out.push(rows[rows.length - 1]!);
  return out;
}

function liteSummary(s: PanelRunSummary) {
  const pick = <K extends keyof PanelRunSummary>(k: K) => (s[k] === undefined || s[k] === null ? {} : { [k]: s[k] });
  return {
    id: s.id, name: s.name, status: s.status, backend: s.backend, startedAt: s.startedAt, step: s.step, steps: s.steps,
    ...pick('endedAt'), ...pick('finalLoss'), ...pick('lastLoss'), ...pick('validLoss'), ...pick('accuracy'), ...pick('message'),
    ...((s.status === 'stopped' || s.status === 'interrupted') && s.checkpointStep !== undefined ? { checkpointStep: s.checkpointStep } : {}),
  };
}

/** A run as a dashed overlay on the panel's chart, thinned; `label` names it (default: name, status, backend). */
export function overlayOf(s: PanelRunSummary, rows: PanelMetricRow[], label?: string): OverlayRun {
  const t = thinRows(rows, 2000);
  const hasValid = t.some((r) => r.validLoss !== undefined);
  return {
    id: s.id,
    // a sweep's trials share the experiment's name: their settings tell them apart
    label: label ?? (s.sweep ? `#${s.sweep.trial} ${describeOverrides(s.sweep.overrides)} (${s.status})` : `${s.name || s.id} (${s.status}, ${s.backend})`),
    status: s.status,
    steps: t.map((r) => r.step),
    loss: t.map((r) => r.loss),
    ...(hasValid ? { validLoss: t.map((r) => r.validLoss ?? null) } : {}),
  };
}

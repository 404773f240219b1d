/**
 * The slice of the run store (src/node/runStore.ts) the panel uses, as structural types so the
 * panel's tests can run against the real store or an in-memory one.
 */
import type { ModelSpec } from '../../core/spec';

export interface PanelMetricRow {
  step: number; loss: number; accuracy?: number; perplexity?: number;
  validLoss?: number; validAccuracy?: number; validPerplexity?: number; gradNorm?: number; learningRate?: number; elapsedMs: number;
}

export type PanelRunStatus = 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted';

export interface PanelRunSummary {
  id: string; experiment: string; name: string; status: PanelRunStatus; backend: string; startedAt: string; endedAt?: string;
  step: number; steps: number; lastLoss?: number; finalLoss?: number; validLoss?: number; accuracy?: number; message?: string;
  /** The step the saved weights are from (the last checkpoint while training). */
  weightsStep?: number;
}

export interface PanelRunWriter {
  readonly id: string;
  appendMetrics(rows: PanelMetricRow[]): void;
  update(p: Partial<PanelRunSummary>): void;
  saveWeights(sd: Record<string, { shape: number[]; data: number[] }>): void;
  finish(status: PanelRunStatus, message?: string): PanelRunSummary;
}

export interface PanelRunStore {
  list(experiment?: string): { id: string; summary?: PanelRunSummary }[];
  create(opts: { definitionFile: string; definitionText: string; spec: ModelSpec; backend: string; steps: number; source?: string; parameters?: number }): PanelRunWriter;
  readMetrics(id: string): PanelMetricRow[];
  /** The store's experiment id of a definition file (defaults to the workspace-relative path). */
  experimentId?(definitionFile: string): string;
}

/**
 * The slice of the run store (src/node/runStore.ts) the panel uses, as structural types so the
 * panel's tests can run against the real store or an in-memory one.
 */
import type { ModelSpec } from '../../core/spec';
import type { MetricRow } from '../../core/train';
import type { Checkpoint, BestSoFar } from '../../core/checkpoint';
import type { EvaluationReport } from '../../core/evaluate';
import type { RunStatus } from '../../protocol';
import type { DataInfo } from '../../core/data';
import type { Vocabulary } from '../../core/stateDict';

/** One metric row: the core's MetricRow (the protocol checks the same type on receipt). */
export type PanelMetricRow = MetricRow;
export type PanelRunStatus = RunStatus;

export interface PanelRunSummary {
  id: string; experiment: string; name: string; status: PanelRunStatus; backend: string; startedAt: string; endedAt?: string;
  step: number; steps: number; lastLoss?: number; finalLoss?: number; validLoss?: number; accuracy?: number; message?: string;
  /** The step the saved weights are from (the last checkpoint while training). */
  weightsStep?: number;
  checkpointStep?: number;
  bestStep?: number;
  bestValidLoss?: number;
  earlyStoppedAt?: number;
  /** Set when the run is a trial of a sweep (src/node/runStore.ts RunSweep). */
  sweep?: { trial: number; overrides: { path: string; value: unknown }[] };
}

export interface PanelRunWriter {
  readonly id: string;
  appendMetrics(rows: PanelMetricRow[]): void;
  update(p: Partial<PanelRunSummary>): void;
  saveWeights(sd: Record<string, { shape: number[]; data: number[] }>): void;
  /** checkpoint.json + weights.json: what resuming the run needs. */
  saveCheckpoint(cp: Checkpoint): void;
  /** best.json: the weights of the best validation loss so far. */
  saveBest(best: BestSoFar, sd: Record<string, { shape: number[]; data: number[] }>): void;
  /** evaluation.json: the end-of-run evaluation (src/core/evaluate.ts). */
  saveEvaluation(report: EvaluationReport): void;
  /** data.json: the vocabularies, tokenizer and scaling of the run's data (its one record of them). */
  saveDataInfo(info: DataInfo): void;
  finish(status: PanelRunStatus, message?: string): PanelRunSummary;
}

export interface PanelRunStore {
  list(experiment?: string): { id: string; summary?: PanelRunSummary }[];
  /** A stopped or interrupted run's checkpoint (throws saying why it cannot be resumed). */
  resumable(id: string): { checkpoint: Checkpoint };
  /** Reopen a resumable run to continue it from `cp` (metric rows after it are dropped). */
  reopen(id: string, cp: Checkpoint): PanelRunWriter;
  definitionText(id: string): string | undefined;
  create(opts: { definitionFile: string; definitionText: string; spec: ModelSpec; backend: string; steps: number; source?: string; parameters?: number }): PanelRunWriter;
  readMetrics(id: string): PanelMetricRow[];
  /** The run's evaluation.json (throws naming the file when it is damaged). */
  readEvaluation?(id: string): EvaluationReport | undefined;
  /** The run's record of its vocabulary (data.json; older runs: weights.json), src/node/runStore.ts. */
  readDataRecord(id: string): { vocabulary: Vocabulary; from: string } | undefined;
  /** The store's experiment id of a definition file (defaults to the workspace-relative path). */
  experimentId?(definitionFile: string): string;
}

/**
 * The run store: `.seqlab/runs/<run-id>/` under the workspace root, one folder per run:
 *
 *   definition.seqlab.json   the definition exactly as trained
 *   summary.json             status, progress, final figures (rewritten atomically)
 *   metrics.jsonl            one MetricRow per line (appended; a torn last line is ignored)
 *   weights.json             PyTorch-named state_dict (atomic): the last checkpoint's while training,
 *                            the final (or, after early stopping, the best) weights once it ended
 *   checkpoint.json          what resuming needs: weights, optimizer state, step, data order, RNG (atomic)
 *   best.json                the weights of the best validation loss so far (atomic)
 *   data.json                vocabularies, tokenizer, scaling of the data: the run's one record of its
 *                            vocabulary (readDataRecord; weights files do not repeat it)
 *   evaluation.json          the end-of-run evaluation (test split, else validation)
 *
 * Used by the CLI and the extension host alike, so runs from either show up in both.
 * Reading never throws on a damaged run: it becomes an entry with `broken` set to the reason.
 */
import { appendFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { isInside } from '../core/paths';
import { hostname } from 'node:os';
import { stripBom } from '../core/bom';
import { processStart, type ProcessStart } from './processStart';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from './atomic';
import type { MetricRow } from '../core/train';
import type { ModelSpec } from '../core/spec';
import { CHECKPOINT_FORMAT, type BestSoFar, type Checkpoint } from '../core/checkpoint';
import { STATE_DICT_FORMAT, parseStateDictJson, stateDictVocabulary, type StateDict, type StateDictFile, type Vocabulary } from '../core/stateDict';
import { dataVocabulary, type DataInfo } from '../core/data';
import type { EvaluationReport } from '../core/evaluate';
import type { SweepOverride } from '../core/sweep';
import { evaluationReport } from '../protocol';

export type RunStatus = 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted';
export const RUN_STATUSES: RunStatus[] = ['running', 'completed', 'failed', 'stopped', 'interrupted'];

export interface RunSummary {
  format: 'seqlab-run/1';
  id: string;
  /** Definition path relative to the workspace root, '/' separators. */
  experiment: string;
  name: string;
  status: RunStatus;
  backend: string;
  startedAt: string;
  endedAt?: string;
  updatedAt?: string;
  step: number;
  steps: number;
  lastLoss?: number;
  finalLoss?: number;
  validLoss?: number;
  accuracy?: number;
  validAccuracy?: number;
  parameters?: number;
  /** The step the saved weights (weights.json) are from: the last checkpoint while training. */
  weightsStep?: number;
  message?: string;
  /**
   * Who is writing the run while it is running: a dead writer means the run was interrupted. A PID
   * alone can be reused: `pidStart` (the process's start time, with the boot it belongs to) tells the
   * writer from a later process that happens to get the same PID.
   */
  pid?: number;
  host?: string;
  pidStart?: ProcessStart;
  /** 'cli' | 'host' | 'panel' */
  source?: string;
  /** The step of checkpoint.json, from which `--resume` continues. */
  checkpointStep?: number;
  /** The best validation loss so far and its step (best.json holds its weights). */
  bestStep?: number;
  bestValidLoss?: number;
  /** Set when early stopping ended the run: the step it stopped at (the weights are bestStep's). */
  earlyStoppedAt?: number;
  /** The run or state_dict file the weights started from (`--init-from`, "Train from these weights"). */
  initFrom?: string;
  /** Steps at which the run was resumed. */
  resumedAt?: number[];
  /** Set when the run is a trial of a sweep: which sweep, which trial, and the settings it overrides. */
  sweep?: RunSweep;
}

/** A sweep trial's place in its sweep (src/core/sweep.ts), recorded in its run's summary. */
export interface RunSweep {
  /** The sweep's id: the same for all its trials. */
  id: string;
  /** 1-based trial number, and how many trials the sweep has. */
  trial: number;
  trials: number;
  /** The definition's settings this trial changes (also written into its definition.seqlab.json). */
  overrides: SweepOverride[];
}

export interface RunEntry {
  id: string;
  dir: string;
  summary?: RunSummary;
  /** Why the run could not be read (missing or corrupt summary). */
  broken?: string;
}

export class RunStoreError extends Error {}

export class RunStore {
  readonly dir: string;

  constructor(readonly workspaceRoot: string, runsDir = '.seqlab/runs') {
    this.dir = resolve(workspaceRoot, runsDir);
  }

  experimentId(definitionFile: string): string {
    return relative(this.workspaceRoot, resolve(definitionFile)).split(sep).join('/');
  }

  /** The run ids in the store: its sub-folders. Every id given from outside is matched against this listing. */
  ids(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    // a run is a real folder: a symbolic link in the store (to anywhere) is not a run
    return names.filter((id) => {
      try {
        return lstatSync(join(this.dir, id)).isDirectory();
      } catch {
        return false;
      }
    });
  }

  /**
   * Refuse to write when the store's folder lies inside the workspace as written but a symbolic link
   * (`.seqlab` or `runs` linked elsewhere) takes it outside once resolved.
   */
  private checkConfined(): void {
    if (!isInside(this.workspaceRoot, this.dir)) return; // a runs folder configured outside on purpose
    const realRoot = realOr(this.workspaceRoot);
    const realDir = realOr(this.dir);
    if (!isInside(realRoot, realDir)) {
      throw new RunStoreError(`${this.dir} resolves through a symbolic link to ${realDir}, outside the workspace root ${realRoot}: run records are not written there`);
    }
  }

  /** True when `id` is one of the store's runs ('', '.', '..', '../x', 'a/b' never are). */
  has(id: string): boolean {
    return typeof id === 'string' && id !== '' && id !== '.' && id !== '..' && !/[\\/]/.test(id) && this.ids().includes(id);
  }

  /** The folder of run `id`, or a RunStoreError naming the store when there is no such run. */
  runDir(id: string): string {
    if (!this.has(id)) throw new RunStoreError(`no run ${JSON.stringify(id)} in ${this.dir} (\`seqlab runs\` lists them)`);
    return join(this.dir, id);
  }

  list(experiment?: string): RunEntry[] {
    const out: RunEntry[] = [];
    for (const id of this.ids()) {
      const e = this.read(id);
      if (experiment && e.summary?.experiment !== experiment) continue;
      out.push(e);
    }
    return out.sort((a, b) => (b.summary?.startedAt ?? '').localeCompare(a.summary?.startedAt ?? '') || b.id.localeCompare(a.id));
  }

  read(id: string): RunEntry {
    const dir = this.runDir(id);
    const file = join(dir, 'summary.json');
    if (!existsSync(file)) return { id, dir, broken: `${file} is missing` };
    let raw: unknown;
    try {
      raw = JSON.parse(stripBom(readFileSync(file, 'utf8')));
    } catch (e) {
      return { id, dir, broken: `${file} is not valid JSON (${(e as Error).message}); the file may be truncated` };
    }
    const why = checkSummary(raw);
    if (why) return { id, dir, broken: `${file}: ${why}` };
    const summary = raw as RunSummary;
    if (summary.status === 'running' && !writerAlive(summary)) {
      return { id, dir, summary: { ...summary, status: 'interrupted', message: summary.message ?? 'The process writing this run ended before it finished.' } };
    }
    return { id, dir, summary };
  }

  /** Persist 'interrupted' for runs whose writer is gone. Returns their ids. */
  recoverInterrupted(): string[] {
    const fixed: string[] = [];
    for (const e of this.list()) {
      if (!e.summary || e.summary.status !== 'interrupted') continue;
      let onDisk: RunSummary;
      try {
        onDisk = JSON.parse(stripBom(readFileSync(join(e.dir, 'summary.json'), 'utf8'))) as RunSummary;
      } catch {
        continue;
      }
      if (onDisk.status !== 'running') continue;
      writeFileAtomic(join(e.dir, 'summary.json'), JSON.stringify({ ...e.summary, endedAt: e.summary.updatedAt ?? e.summary.startedAt }, null, 2) + '\n');
      fixed.push(e.id);
    }
    return fixed;
  }

  active(experiment: string): RunEntry | undefined {
    return this.list(experiment).find((e) => e.summary?.status === 'running');
  }

  create(opts: { definitionFile: string; definitionText: string; spec: ModelSpec; backend: string; steps: number; source?: string; parameters?: number; sweep?: RunSweep }): RunWriter {
    const experiment = this.experimentId(opts.definitionFile);
    // the trials of one sweep may train side by side; anything else waits for the experiment's run
    const busy = this.list(experiment).find((e) => e.summary?.status === 'running' && !(opts.sweep && e.summary.sweep?.id === opts.sweep.id));
    if (busy) throw new RunStoreError(`${experiment} is already training (run ${busy.id}). Stop it first.`);
    this.checkConfined();
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const slug = opts.spec.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
    // a sweep's trials start side by side, from several processes: the trial number keeps their ids apart
    let id = `${stamp}-${slug}${opts.sweep ? `-t${opts.sweep.trial}` : ''}`;
    for (let n = 2; existsSync(join(this.dir, id)); n++) id = `${stamp}-${slug}-${n}`;
    const dir = join(this.dir, id);
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, 'definition.seqlab.json'), opts.definitionText);
    const now = new Date().toISOString();
    const summary: RunSummary = {
      format: 'seqlab-run/1', id, experiment, name: opts.spec.name, status: 'running', backend: opts.backend,
      startedAt: now, updatedAt: now, step: 0, steps: opts.steps, parameters: opts.parameters,
      pid: process.pid, host: hostname(), pidStart: processStart(process.pid), source: opts.source,
      ...(opts.sweep ? { sweep: opts.sweep } : {}),
    };
    return new RunWriter(id, dir, summary);
  }

  delete(id: string): void {
    const dir = this.runDir(id);
    if (!dir.startsWith(this.dir + sep)) throw new RunStoreError(`No run '${id}'.`);
    const e = this.read(id);
    if (e.summary?.status === 'running') throw new RunStoreError(`Run ${id} is still training: stop it first.`);
    rmSync(dir, { recursive: true, force: true });
  }

  /** Keep the newest `keep` finished runs of an experiment; delete older finished ones. */
  prune(experiment: string, keep: number): string[] {
    const finished = this.list(experiment).filter((e) => e.summary && e.summary.status !== 'running');
    const gone = finished.slice(Math.max(0, keep)).map((e) => e.id);
    for (const id of gone) rmSync(join(this.dir, id), { recursive: true, force: true });
    return gone;
  }

  /** The run's metric rows; lines that are not a row (a torn last line from a killed writer, damage) are skipped. */
  readMetrics(id: string): MetricRow[] {
    const file = join(this.runDir(id), 'metrics.jsonl');
    if (!existsSync(file)) return [];
    const rows: MetricRow[] = [];
    for (const line of stripBom(readFileSync(file, 'utf8')).split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line);
        if (isMetricRow(r)) rows.push(r);
      } catch {
        // a torn last line from a killed writer: skip it
      }
    }
    return rows;
  }

  /**
   * One JSON file of a run (inside the confined run folder, BOM stripped): `raw` is undefined when
   * the file is absent; a RunStoreError naming the file when it is not JSON.
   */
  private readRunJson(id: string, name: string): { file: string; raw: unknown } {
    const file = join(this.runDir(id), name);
    if (!existsSync(file)) return { file, raw: undefined };
    try {
      return { file, raw: JSON.parse(stripBom(readFileSync(file, 'utf8'))) };
    } catch (e) {
      throw new RunStoreError(`${file} is not valid JSON (${(e as Error).message})`);
    }
  }

  /** The run's checkpoint (undefined when it has none); throws RunStoreError naming the file when it is damaged. */
  readCheckpoint(id: string): Checkpoint | undefined {
    const { file, raw } = this.readRunJson(id, 'checkpoint.json');
    if (raw === undefined) return undefined;
    const why = checkCheckpoint(raw);
    if (why) throw new RunStoreError(`${file}: ${why}`);
    return raw as Checkpoint;
  }

  /**
   * A stopped or interrupted run's checkpoint, or a RunStoreError saying in one line why the run
   * cannot be resumed (running, completed, failed, no checkpoint, damaged checkpoint). Writes nothing.
   */
  resumable(id: string): { summary: RunSummary; checkpoint: Checkpoint } {
    const e = this.read(id);
    if (!e.summary) throw new RunStoreError(`Run ${id} cannot be read: ${e.broken}.`);
    const s = e.summary;
    if (s.status === 'running') throw new RunStoreError(`Run ${id} is still training: stop it first.`);
    if (s.status === 'completed') throw new RunStoreError(`Run ${id} already completed all its ${s.steps} steps: nothing to resume (train from its weights with --init-from ${id}).`);
    if (s.status === 'failed') throw new RunStoreError(`Run ${id} failed${s.message ? ` (${s.message})` : ''}: it cannot be resumed.`);
    const cp = this.readCheckpoint(id);
    if (!cp) throw new RunStoreError(`Run ${id} has no checkpoint to resume from (it ${s.status} at step ${s.step} before its first checkpoint).`);
    return { summary: s, checkpoint: cp };
  }

  /**
   * Reopen a run `resumable` accepted, to continue it from checkpoint `cp`: metric rows after the
   * checkpoint's step are dropped (they will be trained again), the summary says 'running' again.
   */
  reopen(id: string, cp: Checkpoint): RunWriter {
    const { summary: s } = this.resumable(id);
    const dir = this.runDir(id);
    const kept = this.readMetrics(id).filter((r) => r.step <= cp.step);
    writeFileAtomic(join(dir, 'metrics.jsonl'), kept.map((r) => JSON.stringify(r) + '\n').join(''));
    const last = kept[kept.length - 1];
    const summary: RunSummary = {
      ...s, status: 'running', step: cp.step, pid: process.pid, host: hostname(), pidStart: processStart(process.pid), updatedAt: new Date().toISOString(),
      lastLoss: last?.loss, resumedAt: [...(s.resumedAt ?? []), cp.step],
    };
    delete summary.endedAt;
    delete summary.message;
    delete summary.finalLoss;
    return new RunWriter(id, dir, summary);
  }

  /** The run's weights, undefined when it has none; a RunStoreError naming the file when they are damaged. */
  readWeights(id: string): StateDict | undefined {
    const file = join(this.runDir(id), 'weights.json');
    if (!existsSync(file)) return undefined;
    try {
      return parseStateDictJson(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new RunStoreError(`${file} is not a weights file: ${(e as Error).message}`);
    }
  }

  /** The run's data.json (vocabularies, tokenizer, scaling), or undefined for runs recorded before it existed. */
  readDataInfo(id: string): DataInfo | undefined {
    const { file, raw } = this.readRunJson(id, 'data.json');
    if (raw === undefined) return undefined;
    const d = raw as Partial<DataInfo> | null;
    if (!d || d.format !== 'seqlab-data/1' || typeof d.input !== 'object' || typeof d.output !== 'object') {
      throw new RunStoreError(`${file} is not a seqlab-data/1 record (format, input and output expected)`);
    }
    return d as DataInfo;
  }

  /** The run's evaluation.json (the end-of-run evaluation), undefined when it has none; a RunStoreError naming the file when it is damaged. */
  readEvaluation(id: string): EvaluationReport | undefined {
    const { file, raw } = this.readRunJson(id, 'evaluation.json');
    if (raw === undefined) return undefined;
    const why = evaluationReport(raw, 'evaluation');
    if (why) throw new RunStoreError(`${file}: ${why}`);
    return raw as EvaluationReport;
  }

  /**
   * The run's one record of its data: the vocabulary its weights read and write, with the rest of
   * data.json (tokenizer, scaling, ...) in `info`. data.json is the record; runs written before it
   * held the vocabulary alone (no data.json) fall back to the vocabulary their weights.json carried,
   * without `info`. Undefined when neither says anything (a run whose vocabulary was never recorded).
   * `--init-from`, predict, sample, export and the panel all read a run's vocabulary here.
   */
  readDataRecord(id: string): { vocabulary: Vocabulary; info?: DataInfo; from: string } | undefined {
    const info = this.readDataInfo(id);
    if (info) return { vocabulary: dataVocabulary(info), info, from: join(this.runDir(id), 'data.json') };
    const file = join(this.runDir(id), 'weights.json');
    if (!existsSync(file)) return undefined;
    const vocabulary = stateDictVocabulary(readFileSync(file, 'utf8'));
    return vocabulary ? { vocabulary, from: file } : undefined;
  }

  definitionText(id: string): string | undefined {
    const file = join(this.runDir(id), 'definition.seqlab.json');
    return existsSync(file) ? stripBom(readFileSync(file, 'utf8')) : undefined;
  }

  /**
   * Mark a run whose writer is gone (or cannot be checked: another machine) as interrupted, releasing
   * its experiment. Refused while the writer is provably alive on this machine unless `force`.
   */
  clearLock(id: string, force = false): RunSummary {
    const e = this.read(id);
    if (!e.summary) throw new RunStoreError(`run ${id} cannot be read: ${e.broken}`);
    const file = join(e.dir, 'summary.json');
    const onDisk = JSON.parse(stripBom(readFileSync(file, 'utf8'))) as RunSummary;
    if (onDisk.status !== 'running') throw new RunStoreError(`run ${id} is not running (it is ${onDisk.status}): nothing to clear`);
    if (!force && writerState(onDisk) === 'alive') {
      throw new RunStoreError(`run ${id} is still being written by process ${onDisk.pid} on this machine: stop it (or pass --force if that process is not Sequence Lab)`);
    }
    const now = new Date().toISOString();
    const cleared: RunSummary = { ...onDisk, status: 'interrupted', endedAt: onDisk.updatedAt ?? now, updatedAt: now, pid: undefined, pidStart: undefined, message: `Marked interrupted by hand (its writer, process ${onDisk.pid} on ${onDisk.host ?? 'an unknown machine'}, was not training it any more).` };
    writeFileAtomic(file, JSON.stringify(cleared, null, 2) + '\n');
    return cleared;
  }
}

/**
 * Progress (step, losses) reaches summary.json at most this often while metrics stream in; each
 * write is atomic with an fsync, which cost hello in the CLI 40% of its time when done per row.
 * metrics.jsonl gets every row at once; status changes and the end are written immediately.
 */
export const SUMMARY_PROGRESS_MS = 1000;

export class RunWriter {
  private closed = false;
  private lastFlush = 0;
  /** A new best not yet on disk (see saveBest), and when best.json was last written. */
  private pendingBest?: { best: BestSoFar; sd: StateDict };
  private lastBestWrite = 0;

  constructor(readonly id: string, readonly dir: string, private summary: RunSummary) {
    this.flushSummary();
  }

  get current(): RunSummary {
    return { ...this.summary };
  }

  appendMetrics(rows: MetricRow[]): void {
    if (!rows.length) return;
    appendFileSync(join(this.dir, 'metrics.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const last = rows[rows.length - 1];
    const valid = [...rows].reverse().find((r) => r.validLoss !== undefined);
    const flush = Date.now() - this.lastFlush >= SUMMARY_PROGRESS_MS;
    if (this.pendingBest && Date.now() - this.lastBestWrite >= SUMMARY_PROGRESS_MS) this.writeBest();
    this.update({
      step: last.step,
      lastLoss: Number.isFinite(last.loss) ? last.loss : this.summary.lastLoss,
      accuracy: last.accuracy ?? this.summary.accuracy,
      validLoss: valid?.validLoss ?? this.summary.validLoss,
      validAccuracy: valid?.validAccuracy ?? this.summary.validAccuracy,
    }, flush);
  }

  update(p: Partial<RunSummary>, flush = true): void {
    this.summary = { ...this.summary, ...p, updatedAt: new Date().toISOString() };
    if (flush) this.flushSummary();
  }

  saveWeights(sd: StateDict, model?: string): void {
    // the vocabulary is not repeated here: data.json is the run's one record of it (readDataRecord)
    const file: StateDictFile = { format: STATE_DICT_FORMAT, model, state_dict: sd };
    writeFileAtomic(join(this.dir, 'weights.json'), JSON.stringify(file));
  }

  /** checkpoint.json (what resuming needs) and weights.json at the checkpoint's step. */
  saveCheckpoint(cp: Checkpoint): void {
    this.writeBest(); // the checkpoint's best-so-far is on disk with it
    writeFileAtomic(join(this.dir, 'checkpoint.json'), JSON.stringify(cp));
    this.saveWeights(cp.weights, this.summary.name);
    this.update({ checkpointStep: cp.step, weightsStep: cp.step });
  }

  /**
   * best.json: the weights of the best validation loss so far. Written at most every
   * SUMMARY_PROGRESS_MS while training (a small model finds a new best at nearly every validation,
   * and each atomic write with its fsync cost hello 15% of its CLI time); a newer best waits in
   * memory and is written by the next metric row past the interval, a checkpoint, or the end.
   * summary.json's bestStep always names the best.json on disk.
   */
  saveBest(best: BestSoFar, sd: StateDict): void {
    this.pendingBest = { best: { ...best }, sd };
    if (Date.now() - this.lastBestWrite >= SUMMARY_PROGRESS_MS) this.writeBest();
  }

  private writeBest(): void {
    const p = this.pendingBest;
    if (!p) return;
    this.pendingBest = undefined;
    this.lastBestWrite = Date.now();
    const file: StateDictFile = { format: STATE_DICT_FORMAT, model: this.summary.name, state_dict: p.sd };
    writeFileAtomic(join(this.dir, 'best.json'), JSON.stringify(file));
    this.update({ bestStep: p.best.step, bestValidLoss: p.best.validLoss });
  }

  /** The data's vocabularies, tokenizer and scaling (data.json), written once at the start. */
  saveDataInfo(info: DataInfo): void {
    writeFileAtomic(join(this.dir, 'data.json'), JSON.stringify(info) + '\n');
  }

  /** The end-of-run evaluation (evaluation.json). */
  saveEvaluation(report: EvaluationReport): void {
    writeFileAtomic(join(this.dir, 'evaluation.json'), JSON.stringify(report, null, 1) + '\n');
  }

  finish(status: Exclude<RunStatus, 'running'>, message?: string): RunSummary {
    if (this.closed) return this.current;
    this.closed = true;
    try {
      this.writeBest();
    } catch {
      // the end is recorded even when the last best cannot be (best.json keeps the previous one)
    }
    this.update({ status, message, endedAt: new Date().toISOString(), finalLoss: status === 'completed' ? this.summary.lastLoss : this.summary.finalLoss, pid: undefined, pidStart: undefined });
    return this.current;
  }

  private flushSummary(): void {
    this.lastFlush = Date.now();
    writeFileAtomic(join(this.dir, 'summary.json'), JSON.stringify(this.summary, null, 2) + '\n');
  }
}

const OPTIONAL_NUMBERS = ['lastLoss', 'finalLoss', 'validLoss', 'accuracy', 'validAccuracy', 'parameters', 'weightsStep', 'pid'] as const;
const OPTIONAL_STRINGS = ['endedAt', 'updatedAt', 'message', 'host', 'source'] as const;

/** What is wrong with a parsed summary.json, or undefined. Every field a reader uses is checked. */
function checkSummary(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'expected an object';
  const s = raw as Record<string, unknown>;
  for (const k of ['id', 'experiment', 'name', 'startedAt', 'backend'] as const) {
    if (typeof s[k] !== 'string') return `'${k}' must be a string (got ${describe(s[k])})`;
  }
  if (!RUN_STATUSES.includes(s.status as RunStatus)) return `'status' must be one of ${RUN_STATUSES.join(', ')} (got ${JSON.stringify(s.status)})`;
  if (typeof s.step !== 'number' || typeof s.steps !== 'number') return "'step' and 'steps' must be numbers";
  for (const k of OPTIONAL_NUMBERS) if (s[k] !== undefined && s[k] !== null && typeof s[k] !== 'number') return `'${k}' must be a number (got ${describe(s[k])})`;
  for (const k of OPTIONAL_STRINGS) if (s[k] !== undefined && typeof s[k] !== 'string') return `'${k}' must be a string (got ${describe(s[k])})`;
  if (s.sweep !== undefined) {
    const w = s.sweep as Record<string, unknown> | null;
    if (!w || typeof w !== 'object' || typeof w.id !== 'string' || typeof w.trial !== 'number' || typeof w.trials !== 'number' || !Array.isArray(w.overrides) ||
      !w.overrides.every((o) => typeof o === 'object' && o !== null && typeof (o as { path?: unknown }).path === 'string')) {
      return "'sweep' must be { id, trial, trials, overrides: [{ path, value }] }";
    }
  }
  return undefined;
}

function checkCheckpoint(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'expected an object';
  const c = raw as Record<string, unknown>;
  if (c.format !== CHECKPOINT_FORMAT) return `'format' must be '${CHECKPOINT_FORMAT}' (got ${JSON.stringify(c.format)})`;
  if (typeof c.step !== 'number' || !Number.isInteger(c.step) || c.step < 0) return "'step' must be a non-negative integer";
  for (const k of ['weights', 'optimizer', 'progress', 'session'] as const) {
    if (typeof c[k] !== 'object' || c[k] === null) return `'${k}' is missing`;
  }
  const p = c.progress as Record<string, unknown>;
  if (p.step !== c.step || !Array.isArray(p.order) || typeof p.cursor !== 'number' || typeof p.rng !== 'number') return "'progress' is incomplete";
  try {
    parseStateDictJson(JSON.stringify(c.weights));
  } catch (e) {
    return `'weights': ${(e as Error).message}`;
  }
  return undefined;
}

/** The real path of `p`; for a path that does not exist yet, its deepest existing folder resolved plus the rest. */
function realOr(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    const up = dirname(p);
    return up === p ? p : join(realOr(up), basename(p));
  }
}

function describe(v: unknown): string {
  return v === undefined ? 'nothing' : Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : JSON.stringify(v);
}

function isMetricRow(r: unknown): r is MetricRow {
  return typeof r === 'object' && r !== null && typeof (r as MetricRow).step === 'number' && Number.isFinite((r as MetricRow).step) &&
    (typeof (r as MetricRow).loss === 'number' || (r as MetricRow).loss === null);
}

/**
 * Whether the process recorded as writing a run is still that process: 'alive', 'dead' (gone, its
 * PID reused by a later process, or the machine rebooted since), or 'unknown' (another machine).
 */
export function writerState(s: Pick<RunSummary, 'pid' | 'host' | 'pidStart'>): 'alive' | 'dead' | 'unknown' {
  if (!s.pid) return 'dead';
  if (s.host && s.host !== hostname()) return 'unknown';
  try {
    process.kill(s.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  if (!s.pidStart) return 'alive'; // recorded before start times were: the PID is all there is
  const now = processStart(s.pid);
  if (!now) return 'alive'; // this platform cannot tell
  return now.boot === s.pidStart.boot && now.start === s.pidStart.start ? 'alive' : 'dead';
}

function writerAlive(s: RunSummary): boolean {
  return writerState(s) !== 'dead'; // another machine's process: cannot tell, assume alive
}

/**
 * Records the training panel's runs: turns the webview's validated run messages (runStart,
 * metrics, checkpoint, runEnd) into a run in the run store and a training-status entry. No `vscode` import,
 * so it is tested under Node against the real run store (test/webview/recorder.test.ts).
 *
 * Order of checks on runStart: the training-status service first (one active run per experiment,
 * also across background training: it throws AlreadyTrainingError), then the definition is parsed
 * by the host (never taken from the webview) and the store creates the run. Any refusal stops the
 * webview's training and tells the panel why (runRefused): training is never left unrecorded.
 */
import type { Outgoing, HostToView, ViewToHost } from '../../protocol';
import { CHECKPOINT_FORMAT } from '../../core/checkpoint';
import { dataVocabulary } from '../../core/data';
import { vocabularyMismatch } from '../../core/stateDict';
import type { ModelSpec } from '../../core/spec';
import type { PanelMetricRow, PanelRunStore, PanelRunSummary, PanelRunWriter } from './store';

export interface StatusHandle {
  report(step: number, loss?: number, steps?: number): void;
  end(): void;
}

export interface RecorderDeps {
  /** The definition file (absolute path) the panel trains. */
  definitionFile: string;
  store(): PanelRunStore;
  /** Parse the definition text for the run record (throws with the definition's errors). */
  parseSpec(text: string): ModelSpec;
  /** Register the run with the training status (throws when the experiment already trains). */
  beginStatus(o: { backend: string; steps: number; label: string; cancel(): void }): StatusHandle;
  send(body: Outgoing<HostToView>): void;
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
  /** A refusal the user must see (a notification in VS Code). */
  showError(message: string): void;
  /** A run ended and its record is on disk. */
  onEnded(summary: PanelRunSummary): void;
  /** False in an untrusted (restricted) workspace: no run is started or recorded there. */
  trusted?(): boolean;
}

type RunMsg = Extract<ViewToHost, { type: 'runStart' | 'metrics' | 'checkpoint' | 'best' | 'evaluation' | 'runEnd' }>;

export class RunRecorder {
  private run?: { clientRunId: string; writer: PanelRunWriter; status: StatusHandle; step: number; steps: number };
  /** Runs the host refused: their later messages are expected and ignored quietly. */
  private readonly refused = new Set<string>();

  constructor(private readonly deps: RecorderDeps) {}

  get active(): { clientRunId: string; runId: string; step: number } | undefined {
    const r = this.run;
    return r && { clientRunId: r.clientRunId, runId: r.writer.id, step: r.step };
  }

  /**
   * Handles a run message. `definitionText` is the text the host sent to the webview (the
   * record stores exactly what trained).
   */
  handle(m: RunMsg, definitionText: string, label: string): void {
    switch (m.type) {
      case 'runStart':
        return this.start(m, definitionText, label);
      case 'metrics':
        return this.metrics(m);
      case 'checkpoint': {
        const r = this.run;
        if (!r || r.clientRunId !== m.clientRunId) return;
        if (m.resume) {
          // everything resuming needs: checkpoint.json (with weights.json and the summary's steps)
          this.guard('save a checkpoint', () => r.writer.saveCheckpoint({ format: CHECKPOINT_FORMAT, step: m.step, weights: m.weights, ...m.resume! }));
        } else if (this.saveWeights(r, m.weights)) r.writer.update({ weightsStep: m.step });
        return;
      }
      case 'best': {
        const r = this.run;
        if (!r || r.clientRunId !== m.clientRunId) return;
        this.guard('save the best weights', () => r.writer.saveBest({ step: m.step, validLoss: m.validLoss }, m.weights));
        return;
      }
      case 'evaluation': {
        const r = this.run;
        if (!r || r.clientRunId !== m.clientRunId) return;
        this.guard('save the evaluation', () => r.writer.saveEvaluation(m.report));
        return;
      }
      case 'runEnd': {
        const r = this.run;
        if (!r || r.clientRunId !== m.clientRunId) {
          if (!this.refused.has(m.clientRunId)) this.deps.log.warn(`training panel: runEnd for unknown run '${m.clientRunId}' ignored`);
          return;
        }
        const saved = m.weights !== undefined && this.saveWeights(r, m.weights);
        r.step = m.step;
        r.writer.update({
          step: m.step, ...(saved ? { weightsStep: m.bestStep !== undefined && m.earlyStoppedAt !== undefined ? m.bestStep : m.step } : {}),
          ...(m.earlyStoppedAt !== undefined ? { earlyStoppedAt: m.earlyStoppedAt } : {}),
        });
        this.end(m.status, m.message);
        return;
      }
    }
  }

  private start(m: Extract<RunMsg, { type: 'runStart' }>, definitionText: string, label: string): void {
    if (this.deps.trusted && !this.deps.trusted()) {
      return this.refuse(m.clientRunId, 'training is disabled in a restricted workspace: trust the workspace to train (Manage Workspace Trust)');
    }
    if (this.run) this.end('stopped', 'a new run started in the panel');
    let status: StatusHandle;
    try {
      status = this.deps.beginStatus({
        backend: m.backend, steps: m.steps, label,
        cancel: () => this.deps.send({ type: 'control', action: 'stop' }),
      });
    } catch (e) {
      const already = (e as Error).name === 'AlreadyTrainingError';
      return this.refuse(m.clientRunId, already
        ? `${(e as Error).message} (it is training in the background or in another panel; the panel did not start a second run)`
        : `cannot start training: ${(e as Error).message}`);
    }
    let writer: PanelRunWriter;
    try {
      if (m.resumeOf) {
        // the same record continues: rows after its checkpoint are dropped (the worker trains them again);
        // not when the data now reads other tokens than the run recorded (its weights would mean other ones)
        const store = this.deps.store();
        const record = m.data && store.readDataRecord(m.resumeOf);
        const why = record && vocabularyMismatch(record.vocabulary, dataVocabulary(m.data!));
        if (why) throw new Error(`run ${m.resumeOf}'s weights do not fit the data as it reads now (${record!.from}): ${why}`);
        writer = store.reopen(m.resumeOf, store.resumable(m.resumeOf).checkpoint);
      } else {
        const spec = this.deps.parseSpec(definitionText);
        writer = this.deps.store().create({
          definitionFile: this.deps.definitionFile, definitionText, spec, backend: m.backend, steps: m.steps,
          source: 'panel', ...(m.parameters !== undefined ? { parameters: m.parameters } : {}),
        });
        writer.update({ steps: m.steps, step: 0 });
        if (m.data) writer.saveDataInfo(m.data);
      }
    } catch (e) {
      status.end();
      // e.g. the CLI trains the same experiment (its run is 'running' in the store): do not train unrecorded
      return this.refuse(m.clientRunId, `cannot record a run: ${(e as Error).message}`);
    }
    this.run = { clientRunId: m.clientRunId, writer, status, step: 0, steps: m.steps };
    this.deps.log.info(`training panel: run ${writer.id} ${m.resumeOf ? 'resumed' : 'started'} on ${m.backend} (${m.steps} steps)`);
    this.deps.send({ type: 'runCreated', clientRunId: m.clientRunId, runId: writer.id });
  }

  /** weights.json (written atomically); false, logged, when it could not be written. */
  private saveWeights(r: NonNullable<RunRecorder['run']>, weights: Record<string, { shape: number[]; data: number[] }>): boolean {
    try {
      r.writer.saveWeights(weights);
      return true;
    } catch (e) {
      this.deps.log.error(`training panel: could not save weights: ${(e as Error).message}`);
      return false;
    }
  }

  /** Run a store write; log a failure rather than let it end the panel's recording. */
  private guard(what: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.deps.log.error(`training panel: could not ${what}: ${(e as Error).message}`);
    }
  }

  private refuse(clientRunId: string, reason: string): void {
    this.refused.add(clientRunId);
    this.deps.log.error(`training panel: ${reason}`);
    this.deps.showError(reason);
    this.deps.send({ type: 'runRefused', clientRunId, reason });
  }

  private metrics(m: Extract<RunMsg, { type: 'metrics' }>): void {
    const r = this.run;
    if (!r || r.clientRunId !== m.clientRunId || !m.rows.length) return;
    const rows = m.rows.map(cleanRow);
    r.writer.appendMetrics(rows);
    const last = rows[rows.length - 1]!;
    const withValid = [...rows].reverse().find((x) => x.validLoss !== undefined);
    r.step = last.step;
    r.writer.update({
      step: last.step, lastLoss: last.loss,
      ...(withValid ? { validLoss: withValid.validLoss } : {}),
      ...(last.accuracy !== undefined ? { accuracy: last.accuracy } : {}),
    });
    r.status.report(last.step, last.loss, r.steps);
  }

  /** Finish the open run (the panel closed or reloaded, or the worker said it ended). */
  end(status: 'completed' | 'stopped' | 'failed', message?: string): PanelRunSummary | undefined {
    const r = this.run;
    if (!r) return undefined;
    this.run = undefined;
    r.status.end();
    try {
      const summary = r.writer.finish(status, message);
      this.deps.log.info(`training panel: run ${r.writer.id} ${status}${message ? `: ${message}` : ''}`);
      this.deps.onEnded(summary);
      return summary;
    } catch (e) {
      this.deps.log.error(`training panel: could not finish run ${r.writer.id}: ${(e as Error).message}`);
      return undefined;
    }
  }
}

/** JSON cannot hold NaN/Infinity: drop non-finite optional fields rather than write invalid lines. */
export function cleanRow(r: PanelMetricRow): PanelMetricRow {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && (Number.isFinite(v) || k === 'loss')) out[k] = v;
  return out as unknown as PanelMetricRow;
}

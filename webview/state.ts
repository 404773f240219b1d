/**
 * The training panel's state, in one object: what the worker and the host said, and what the page
 * shows. `apply(message)` takes a validated worker message, updates the state and returns what
 * must go to the host (run messages relayed under the worker's run name). No DOM here: the page
 * (main.ts) draws from this object, and test/webview/state.test.ts drives it in Node.
 */
import type {
  BackendInfo, EvaluationReportMsg, ExperimentMsg, FromWorker, MetricRowMsg, ModelInfo, Outgoing, PanelSettings, Phase, ToWorker, ViewToHost,
} from '../src/protocol';
import { formatPercent } from '../src/core/format';
import { displayLanguage, t } from './ui/l10n';

/** The phase in the status line, in the display language. */
const PHASE: Record<Phase, () => string> = {
  loading: () => t('loading'), ready: () => t('ready'), running: () => t('running'), paused: () => t('paused'), done: () => t('done'), error: () => t('error'),
};

export interface RunView {
  /** The worker's name for the run (every run message carries it). */
  clientRunId: string;
  /** The run store's id, once the host created the record. */
  runId?: string;
}

/** What changed and must be drawn. */
export type Part = 'status' | 'loss' | 'chart' | 'probe' | 'backend' | 'model' | 'errors' | 'evaluation';

export interface Applied {
  /** Messages for the host, in order. */
  toHost: Outgoing<ViewToHost>[];
  /** Parts of the page to redraw. */
  redraw: Part[];
  /** Rows for the chart. */
  rows?: MetricRowMsg[];
  /** The worker reached 'ready' while a Start was pending: send it now. */
  startNow?: boolean;
  /** A failure to show. */
  error?: { message: string; details?: string[] };
}

export class PanelState {
  experiment?: ExperimentMsg;
  settings?: PanelSettings;
  assets?: { workerUrl: string; wasmBase?: string };
  backend?: BackendInfo;
  model?: ModelInfo;
  phase: Phase = 'loading';
  step = 0;
  steps = 0;
  /** The run in progress (named by the worker), undefined between runs. */
  run?: RunView;
  /** The run store id of the current or last run (shown in the status line after it ends). */
  shownRunId?: string;
  /** A Start clicked while the worker was loading. */
  pendingStart = false;
  /** The definition changed on disk while a run was in progress. */
  staleDefinition = false;
  /** The latest metric row (the readout next to the chart). */
  lastRow?: MetricRowMsg;
  /** The best validation loss of the current run and its step. */
  best?: { step: number; validLoss: number };
  /** The last run, when it can be resumed here (stopped or interrupted, with a checkpoint). */
  resumable?: { runId: string; step: number };
  /** Set when early stopping ended the current (or last) run. */
  earlyStop?: { step: number; bestStep: number; bestLoss: number; patience: number };
  /** The latest evaluation of the current (or last) run: after each validation, and `final` at its end. */
  evaluation?: { step: number; final: boolean; report: EvaluationReportMsg };
  /** What the probe reads: a validation example (index) or typed input (any task); an encoder-decoder's beam width (1: greedy). */
  probe: { example?: number; text?: string; beam: number } = { beam: 1 };
  private probeBefore: { example?: number; text?: string; beam: number } = { beam: 1 };
  /** Why the typed probe input could not be read (shown by the input box), until the next probe request. */
  probeError?: { text: string; message: string };

  /** A worker message: state changes, and the messages the host must get. */
  apply(m: FromWorker): Applied {
    const r: Applied = { toHost: [], redraw: [] };
    switch (m.type) {
      case 'backend':
        this.backend = m.info;
        r.toHost.push({ type: 'backend', info: m.info });
        r.redraw.push('backend');
        break;
      case 'ready':
        this.model = m.model;
        this.steps = m.model.steps;
        r.redraw.push('model', 'status');
        break;
      case 'state':
        this.phase = m.phase;
        this.step = m.step;
        this.steps = m.steps;
        if (m.phase === 'ready' && this.pendingStart) {
          this.pendingStart = false;
          r.startNow = true;
        }
        r.toHost.push({ type: 'state', phase: m.phase, step: m.step, steps: m.steps });
        r.redraw.push('status');
        break;
      case 'runStart':
        this.run = { clientRunId: m.clientRunId };
        this.shownRunId = undefined;
        this.lastRow = undefined;
        this.best = undefined;
        this.earlyStop = undefined;
        this.evaluation = undefined;
        this.steps = m.steps;
        r.toHost.push({
          type: 'runStart', clientRunId: m.clientRunId, backend: this.backend?.name ?? 'unknown', steps: m.steps,
          ...(this.model ? { parameters: this.model.params } : {}), ...(m.resumeOf ? { resumeOf: m.resumeOf } : {}), ...(m.data ? { data: m.data } : {}),
        });
        if (m.resumeOf) this.resumable = undefined;
        r.redraw.push('loss', 'chart', 'status');
        break;
      case 'metrics':
        if (!this.isCurrent(m.clientRunId)) break;
        if (m.rows.length) {
          this.lastRow = m.rows[m.rows.length - 1]!;
          this.step = this.lastRow.step;
        }
        r.rows = m.rows;
        r.toHost.push({ type: 'metrics', clientRunId: m.clientRunId, rows: m.rows });
        r.redraw.push('loss', 'chart', 'status');
        break;
      case 'checkpoint':
        if (!this.isCurrent(m.clientRunId)) break;
        r.toHost.push({ type: 'checkpoint', clientRunId: m.clientRunId, step: m.step, weights: m.weights, ...(m.resume ? { resume: m.resume } : {}) });
        break;
      case 'best':
        if (!this.isCurrent(m.clientRunId)) break;
        this.best = { step: m.step, validLoss: m.validLoss };
        r.toHost.push({ type: 'best', clientRunId: m.clientRunId, step: m.step, validLoss: m.validLoss, weights: m.weights });
        r.redraw.push('loss');
        break;
      case 'earlyStop':
        if (!this.isCurrent(m.clientRunId)) break;
        this.earlyStop = { step: m.step, bestStep: m.bestStep, bestLoss: m.bestLoss, patience: m.patience };
        r.redraw.push('loss', 'status');
        break;
      case 'done':
        if (!this.isCurrent(m.clientRunId)) break;
        r.toHost.push({
          type: 'runEnd', clientRunId: m.clientRunId, status: m.status, step: m.step,
          ...(m.message ? { message: m.message } : {}), ...(m.weights ? { weights: m.weights } : {}),
          ...(m.earlyStoppedAt !== undefined ? { earlyStoppedAt: m.earlyStoppedAt } : {}), ...(m.bestStep !== undefined ? { bestStep: m.bestStep } : {}),
        });
        this.run = undefined;
        if (m.status === 'failed') r.error = { message: t('training failed: {0}', m.message ?? '') };
        r.redraw.push('status');
        break;
      case 'evaluation':
        if (m.clientRunId !== undefined && !this.isCurrent(m.clientRunId)) break;
        this.evaluation = { step: m.step, final: m.final, report: m.report };
        // the end of the run's evaluation goes in its record (evaluation.json, as the CLI writes it)
        if (m.final && m.clientRunId !== undefined) r.toHost.push({ type: 'evaluation', clientRunId: m.clientRunId, report: m.report });
        r.redraw.push('evaluation');
        break;
      case 'error':
        r.error = { message: m.message, ...(m.details ? { details: m.details } : {}) };
        r.toHost.push({ type: 'log', level: 'error', message: `${m.message}${m.details?.length ? `: ${m.details.join('; ')}` : ''}` });
        break;
      case 'log':
        r.toHost.push({ type: 'log', level: m.level, message: m.message });
        break;
      case 'probeError':
        // the worker keeps probing what it probed before: so does the page
        this.probeError = { text: m.text, message: m.message };
        this.probe = this.probeBefore;
        break;
      case 'probe':
      case 'sample':
      case 'gradients':
        break; // drawn by the page (snapshots, sample text)
    }
    return r;
  }

  /** The probe request for what the user chose (example or typed input, beam width); clears the last input error. */
  probeRequest(choice: { example?: number; text?: string; beam?: number }): Outgoing<ToWorker> {
    this.probeBefore = this.probe;
    this.probe = { ...choice, beam: choice.beam ?? this.probe.beam };
    this.probeError = undefined;
    const { example, text, beam } = this.probe;
    return { type: 'probe', ...(example !== undefined ? { example } : {}), ...(text !== undefined ? { text } : {}), ...(beam > 1 ? { beam } : {}) };
  }

  /** The host recorded the run under `runId`. */
  runCreated(clientRunId: string, runId: string): boolean {
    if (!this.isCurrent(clientRunId)) return false;
    this.run!.runId = runId;
    this.shownRunId = runId;
    return true;
  }

  /** The worker is replaced (new definition, backend): the run in progress ends as stopped. */
  workerReplaced(why: string): Outgoing<ViewToHost>[] {
    const out: Outgoing<ViewToHost>[] = [];
    if (this.run) out.push({ type: 'runEnd', clientRunId: this.run.clientRunId, status: 'stopped', step: this.step, message: why });
    this.run = undefined;
    this.phase = 'loading';
    this.backend = undefined;
    this.model = undefined;
    this.staleDefinition = false;
    return out;
  }

  /** The status line. */
  statusText(): string {
    const parts: string[] = [PHASE[this.phase]()];
    if (this.steps) parts.push(t('step {0} / {1}', this.step, this.steps));
    if (this.shownRunId) parts.push(t('run {0}', this.shownRunId));
    if (this.earlyStop) {
      parts.push(t('stopped early at step {0}: no improvement for {1} validations, kept step {2}', this.earlyStop.step, this.earlyStop.patience, this.earlyStop.bestStep));
    }
    if (this.staleDefinition) parts.push(t('definition changed: Reset to apply'));
    return parts.join(' · ');
  }

  /** The readout next to the chart: the latest row, the best step, the learning rate. */
  lossText(fmt: (n: number) => string): string {
    const r = this.lastRow;
    if (!r) return '';
    const pct = (x: number) => formatPercent(x, displayLanguage());
    let s = t('step {0} · loss {1}', r.step, fmt(r.loss));
    if (r.validLoss !== undefined) s += t(' · validation {0}', fmt(r.validLoss));
    if (r.accuracy !== undefined) s += t(' · accuracy {0}', pct(r.accuracy));
    if (r.validAccuracy !== undefined) s += t(' · validation accuracy {0}', pct(r.validAccuracy));
    if (this.best) s += t(' · best step {0} ({1})', this.best.step, fmt(this.best.validLoss));
    if (r.learningRate !== undefined) s += t(' · lr {0}', fmt(r.learningRate));
    return s;
  }

  private isCurrent(clientRunId: string): boolean {
    return this.run?.clientRunId === clientRunId;
  }
}

/**
 * Who is training what, shown in one place: a status bar item (experiment, step, loss, backend;
 * a click opens the training panel), a cancellable progress notification, and the
 * `seqlab.training` context key. Background training and the training panel both report here,
 * which is also how "one active run per experiment" is enforced and how Stop finds a run.
 *
 *   const h = trainingStatus.begin({ experiment: uri, backend: 'webgpu', cancel: () => stop() });
 *   h.report(step, loss); ... h.end();
 */
import * as vscode from 'vscode';
import { baseName } from './definitions';

export interface BeginOptions {
  /** The definition file being trained (a Uri, or its uri.toString() / fsPath). */
  experiment: vscode.Uri | string;
  /** Backend name shown in the status bar ("webgpu", "wasm", ...). */
  backend: string;
  /** Called when the user asks to stop (status bar is informational; Stop command, tree, notification). */
  cancel: () => void;
  /** Label shown instead of the file name. */
  label?: string;
  /** Total steps planned, for the progress bar. */
  steps?: number;
  /**
   * Show a cancellable progress notification (default true). Panel runs pass false: the panel
   * itself shows the progress, and a notification over it would only repeat it.
   */
  notify?: boolean;
}

export interface TrainingHandle {
  readonly experiment: vscode.Uri;
  /** Latest step and loss (loss may be undefined before the first read-back). */
  report(step: number, loss?: number, steps?: number): void;
  /** Training is over (finished, failed or stopped). Idempotent. */
  end(): void;
  /** True once stop was requested. */
  readonly stopRequested: boolean;
}

export class AlreadyTrainingError extends Error {
  constructor(readonly experiment: vscode.Uri) {
    super(vscode.l10n.t('{0} is already training. Stop it first, or wait until it finishes.', baseName(experiment)));
    this.name = 'AlreadyTrainingError';
  }
}

interface Active {
  handle: TrainingHandle;
  label: string;
  backend: string;
  step: number;
  steps?: number;
  loss?: number;
  cancel: () => void;
  stopRequested: boolean;
  progress?: vscode.Progress<{ message?: string; increment?: number }>;
  lastFraction: number;
  notify: boolean;
  done: () => void;
}

/** Key of an experiment given only by a name (no path): it is shown, but cannot be opened. */
const LABEL_SCHEME = 'seqlab-label';

export function toUri(experiment: vscode.Uri | string): vscode.Uri {
  if (typeof experiment !== 'string') return experiment;
  if (/^[a-z][a-z0-9+.-]+:/i.test(experiment) && !/^[a-z]:[\\/]/i.test(experiment)) return vscode.Uri.parse(experiment);
  if (!/[\\/]/.test(experiment)) return vscode.Uri.from({ scheme: LABEL_SCHEME, path: `/${experiment}` });
  return vscode.Uri.file(experiment);
}

export function formatLoss(loss: number | undefined): string {
  if (loss === undefined || !Number.isFinite(loss)) return loss === undefined ? '–' : String(loss);
  return Math.abs(loss) >= 0.001 || loss === 0 ? loss.toFixed(4) : loss.toExponential(2);
}

export class TrainingStatus implements vscode.Disposable {
  private readonly active = new Map<string, Active>();
  private readonly item: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires when a training begins, ends, or a stop is requested. */
  readonly onDidChange = this.changed.event;
  private lastRender = 0;

  constructor() {
    this.item = vscode.window.createStatusBarItem('seqlab.training', vscode.StatusBarAlignment.Left, 50);
    this.item.name = vscode.l10n.t('Sequence Lab Training');
  }

  isActive(experiment: vscode.Uri | string): boolean {
    return this.active.has(toUri(experiment).toString());
  }

  /** Whether the run of this experiment shows a progress notification (false when none trains it). */
  notifies(experiment: vscode.Uri | string): boolean {
    return this.active.get(toUri(experiment).toString())?.notify ?? false;
  }

  activeExperiments(): vscode.Uri[] {
    return [...this.active.values()].map((a) => a.handle.experiment);
  }

  begin(opts: BeginOptions): TrainingHandle {
    const uri = toUri(opts.experiment);
    const key = uri.toString();
    if (this.active.has(key)) throw new AlreadyTrainingError(uri);
    let ended = false;
    const a: Active = {
      label: opts.label ?? baseName(uri), backend: opts.backend, step: 0, steps: opts.steps, cancel: opts.cancel,
      stopRequested: false, lastFraction: 0, notify: opts.notify !== false, done: () => undefined,
      handle: {
        experiment: uri,
        get stopRequested() { return a.stopRequested; },
        report: (step, loss, steps) => {
          if (ended) return;
          a.step = step;
          if (loss !== undefined) a.loss = loss;
          if (steps !== undefined) a.steps = steps;
          this.render();
          if (a.progress) {
            const frac = a.steps ? Math.min(1, step / a.steps) : 0;
            const increment = Math.max(0, (frac - a.lastFraction) * 100);
            a.lastFraction = Math.max(a.lastFraction, frac);
            a.progress.report({ message: this.describe(a), increment });
          }
        },
        end: () => {
          if (ended) return;
          ended = true;
          this.active.delete(key);
          a.done();
          this.render(true);
          this.changed.fire(uri);
        },
      },
    };
    this.active.set(key, a);
    if (a.notify) {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Training {0}', a.label), cancellable: true },
        (progress, token) => new Promise<void>((resolve) => {
          if (ended) return resolve();
          a.progress = progress;
          a.done = resolve;
          progress.report({ message: this.describe(a) });
          token.onCancellationRequested(() => this.requestStop(a));
        }),
      );
    }
    this.render(true);
    this.changed.fire(uri);
    return a.handle;
  }

  /** Asks the run of this experiment to stop. False when nothing trains it. */
  stop(experiment: vscode.Uri | string): boolean {
    const a = this.active.get(toUri(experiment).toString());
    if (!a) return false;
    this.requestStop(a);
    return true;
  }

  private requestStop(a: Active): void {
    if (a.stopRequested) return;
    a.stopRequested = true;
    this.render(true);
    this.changed.fire(a.handle.experiment);
    a.cancel();
  }

  private describe(a: Active): string {
    const step = a.steps ? `${a.step}/${a.steps}` : String(a.step);
    return a.stopRequested
      ? vscode.l10n.t('stopping at step {0}…', step)
      : vscode.l10n.t('step {0} · loss {1} · {2}', step, formatLoss(a.loss), a.backend);
  }

  private render(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastRender < 100) return; // the status bar needs no more than 10 updates a second
    this.lastRender = now;
    void vscode.commands.executeCommand('setContext', 'seqlab.training', this.active.size > 0);
    const all = [...this.active.values()];
    if (!all.length) { this.item.hide(); return; }
    const a = all[all.length - 1];
    const more = all.length > 1 ? ` (+${all.length - 1})` : '';
    this.item.text = `$(${a.stopRequested ? 'debug-stop' : 'pulse'}) ${a.label} · ${this.describe(a)}${more}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${vscode.l10n.t('Sequence Lab Training')}**\n\n`);
    for (const x of all) tip.appendMarkdown(`- ${x.label}: ${this.describe(x)}\n`);
    tip.appendMarkdown(`\n${vscode.l10n.t('Click to open the training panel.')}`);
    this.item.tooltip = tip;
    const exp = a.handle.experiment;
    this.item.command = { command: 'seqlab.openPanel', title: vscode.l10n.t('Open Training Panel'), arguments: exp.scheme === LABEL_SCHEME ? [] : [exp] };
    this.item.show();
  }

  dispose(): void {
    for (const a of this.active.values()) a.done();
    this.active.clear();
    this.item.dispose();
    this.changed.dispose();
  }
}

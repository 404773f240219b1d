/**
 * Training in the extension host (Node, wasm or CPU backend) without a panel: `trainFile` from
 * src/node/trainRun.ts with a cancellable progress notification and the status bar item.
 */
import * as vscode from 'vscode';
import type { RunSummary } from '../node/runStore';
import { nodeBackend, readConfig } from './config';
import { baseName, errorsOf, loadDefinition } from './definitions';
import { loadSweepRun, loadTrainRun } from './heavy';
import type { SweepOutcome } from '../node/sweepRun';
import { errorMessage, log } from './log';
import type { Runs } from './runs';
import { AlreadyTrainingError, formatLoss, type TrainingStatus } from './trainingStatus';

export interface BackgroundOptions {
  /** Override the number of steps (tests). */
  steps?: number;
  /** Do not show the "finished" message (tests, batch use). */
  quiet?: boolean;
  /** Continue this stopped or interrupted run (its id) from its checkpoint. */
  resume?: string;
  /** Start from the weights of this run (its id) or state_dict file. */
  initFrom?: string;
}

export class BackgroundTrainer {
  constructor(private readonly runs: Runs, private readonly status: TrainingStatus) {}

  /**
   * What every background training checks before it starts, saying why it cannot in a message:
   * a trusted workspace, a local workspace folder, no run of this experiment already training, and
   * a definition without errors (unsaved edits are saved first: train what the user sees).
   */
  private async prepare(uri: vscode.Uri) {
    const name = baseName(uri);
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Training is disabled in a restricted workspace. Trust the workspace to train {0}.', name));
      return undefined;
    }
    const at = this.runs.locate(uri);
    if (!at) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} is not in a local workspace folder: open its folder to train it.', name));
      return undefined;
    }
    if (this.status.isActive(uri)) {
      void vscode.window.showWarningMessage(new AlreadyTrainingError(uri).message);
      return undefined;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty) await doc.save();
    const parsed = await loadDefinition(uri);
    const errs = errorsOf(parsed);
    if (errs.length || !parsed.spec) {
      const show = vscode.l10n.t('Show Problems');
      void vscode.window.showErrorMessage(
        vscode.l10n.t('{0} has {1} problem(s) and cannot be trained: {2}', name, errs.length, errs[0] ? `${errs[0].line}:${errs[0].column} ${errs[0].message}` : ''),
        show,
      ).then((c) => { if (c === show) void vscode.commands.executeCommand('workbench.actions.view.problems'); });
      return undefined;
    }
    return { name, at, parsed: { ...parsed, spec: parsed.spec } };
  }

  /** What every training the host starts is given: the workspace, the settings' run folder, memory budget, backend and intervals. */
  private hostOptions(uri: vscode.Uri, workspaceRoot: string, steps: number | undefined) {
    const cfg = readConfig(uri);
    return {
      workspaceRoot,
      runsDir: cfg.runsFolder,
      memoryBudgetMB: cfg.memoryBudgetMB,
      ...(steps !== undefined ? { steps } : {}),
      backend: nodeBackend(cfg.preferredBackend),
      source: 'host' as const,
      defaults: { logEvery: cfg.metricsInterval },
    };
  }

  /** Trains one definition; resolves with the run's summary, or undefined when it could not start. */
  async train(uri: vscode.Uri, opts: BackgroundOptions = {}): Promise<RunSummary | undefined> {
    const ready = await this.prepare(uri);
    if (!ready) return undefined;
    const { name, at, parsed } = ready;
    const base = this.hostOptions(uri, at.folder.uri.fsPath, opts.steps);
    const backend = base.backend;
    // the total comes from the session (steps, or epochs over the data; a resumed run's own total)
    let steps = opts.steps ?? parsed.spec.training.steps;
    const ac = new AbortController();
    const handle = this.status.begin({ experiment: uri, label: parsed.spec.name || name, backend, steps, cancel: () => ac.abort() });
    const t0 = Date.now();
    try {
      const { trainFile } = await loadTrainRun();
      let lastRefresh = 0;
      const summary = await trainFile(uri.fsPath, {
        ...base,
        ...(opts.resume ? { resume: opts.resume } : {}),
        ...(opts.initFrom ? { initFrom: opts.initFrom } : {}),
        signal: ac.signal,
        onBackend: (c) => log().info(`Background training of ${at.experiment} on ${c.backend} (auto: ${c.reason})`),
        onStart: (w, t, _loaded, info) => {
          steps = t.totalSteps;
          handle.report(t.step, undefined, steps);
          log().info(`Background training of ${at.experiment} ${info.resumedFrom !== undefined ? `resumed at step ${info.resumedFrom}` : 'started'} (${backend}, ${steps} steps); run ${w.id} writes to ${w.dir}`);
          this.runs.fire(0);
        },
        onMetrics: (row) => {
          handle.report(row.step, row.loss, steps);
          if (Date.now() - lastRefresh > 2000) { lastRefresh = Date.now(); this.runs.fire(0); }
        },
      });
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      log().info(`Run ${summary.id} of ${at.experiment} ${summary.status} after ${summary.step} steps in ${secs} s, loss ${formatLoss(summary.finalLoss ?? summary.lastLoss)}${summary.message ? `: ${summary.message}` : ''}`);
      if (!opts.quiet) this.announce(uri, summary);
      return summary;
    } catch (e) {
      log().error(`Background training of ${at.experiment} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Training {0} failed: {1}', name, errorMessage(e)));
      return undefined;
    } finally {
      handle.end();
      this.runs.prune(at.folder, at.experiment);
      this.runs.fire(0);
    }
  }

  /**
   * Trains every trial of the definition's sweep, one after another, as runs of the experiment
   * (src/node/sweepRun.ts); the tree shows them under the sweep as they start and end. Resolves
   * with the outcome, or undefined when the sweep could not start.
   */
  async sweep(uri: vscode.Uri, opts: { steps?: number; quiet?: boolean; onDone?: (o: SweepOutcome) => void | Promise<void> } = {}): Promise<SweepOutcome | undefined> {
    const ready = await this.prepare(uri);
    if (!ready) return undefined;
    const { name, at, parsed } = ready;
    if (!parsed.spec.sweep) {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no "sweep" section: add one to try several settings (docs/dsl.md, Sweeps).', name));
      return undefined;
    }
    const base = this.hostOptions(uri, at.folder.uri.fsPath, opts.steps);
    const backend = base.backend;
    const ac = new AbortController();
    let trials = 0;
    let done = 0;
    let steps = opts.steps ?? parsed.spec.training.steps;
    const handle = this.status.begin({ experiment: uri, label: vscode.l10n.t('{0} (sweep)', parsed.spec.name || name), backend, steps, cancel: () => ac.abort() });
    try {
      const { runSweep } = await loadSweepRun();
      let lastRefresh = 0;
      const outcome = await runSweep(uri.fsPath, {
        ...base,
        signal: ac.signal,
        onPlan: ({ id, trials: list }) => {
          trials = list.length;
          log().info(`Sweep ${id} of ${at.experiment}: ${trials} trial(s), one after another`);
          this.runs.fire(0);
        },
        onTrialStart: (t, run) => {
          steps = run.steps;
          handle.report(0, undefined, steps);
          log().info(`Sweep trial ${t.index}/${trials} of ${at.experiment} (run ${run.id})`);
          this.runs.fire(0);
        },
        onTrialMetrics: (_t, row) => {
          handle.report(row.step, row.loss, steps);
          if (Date.now() - lastRefresh > 2000) { lastRefresh = Date.now(); this.runs.fire(0); }
        },
        onTrialEnd: (t, r) => {
          done++;
          log().info(`Sweep trial ${t.index}/${trials} of ${at.experiment} ${r.status}${r.validLoss !== undefined ? `, validation loss ${formatLoss(r.validLoss)}` : ''}${r.message ? `: ${r.message}` : ''}`);
          this.runs.fire(0);
        },
      });
      log().info(`Sweep ${outcome.id} of ${at.experiment} ended: ${done} of ${trials} trial(s) trained`);
      await opts.onDone?.(outcome);
      return outcome;
    } catch (e) {
      log().error(`Sweep of ${at.experiment} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Training {0} failed: {1}', name, errorMessage(e)));
      return undefined;
    } finally {
      handle.end();
      this.runs.fire(0);
    }
  }

  private announce(uri: vscode.Uri, s: RunSummary): void {
    const loss = formatLoss(s.finalLoss ?? s.lastLoss);
    const openPanel = vscode.l10n.t('Open Training Panel');
    const openRun = vscode.l10n.t('Open Run');
    const msg = s.status === 'completed'
      ? vscode.l10n.t('{0} finished {1} steps, loss {2}.', baseName(uri), s.step, loss)
      : s.status === 'stopped'
        ? vscode.l10n.t('{0} stopped at step {1}, loss {2}.', baseName(uri), s.step, loss)
        : vscode.l10n.t('{0} {1} at step {2}: {3}', baseName(uri), s.status, s.step, s.message ?? '');
    const show = s.status === 'failed' ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
    void show(msg, openRun, openPanel).then((c) => {
      if (c === openPanel) void vscode.commands.executeCommand('seqlab.openPanel', uri);
      if (c === openRun) void vscode.commands.executeCommand('seqlab.openRun', { runId: s.id, definition: uri });
    });
  }
}

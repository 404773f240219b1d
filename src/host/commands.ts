/** Every `seqlab.*` command. Each accepts the tree's nodes, a Uri, or a plain object (tests, links). */
import * as vscode from 'vscode';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { locateDataProblem } from '../core/dsl';
import { workspaceTaskContext } from '../node/dataFiles';
import { localizedMessage } from '../core/tasks/common';
import type { RunSummary } from '../node/runStore';
import type { BackgroundTrainer } from './background';
import { readConfig } from './config';
import { baseName, errorsOf, findDefinitions, isDefinition, loadDefinition, experimentKey, type CoreDiagnostic } from './definitions';
import type { DefinitionDiagnostics } from './diagnostics';
import { loadExport, loadPredictRun, loadTasks, loadTrainRun } from './heavy';
import { errorMessage, log } from './log';
import type { Panels } from './panelBridge';
import { compareMarkdown, predictionMarkdown, runMarkdown, sweepMarkdown, type ReportProvider } from './reports';
import { resultOf } from '../node/sweepStore';
import { overlayOf } from './panel/restore';
import type { RunRef, Runs } from './runs';
import { chooseFolder, copyExample, createFromTemplate, pickTemplate, validName } from './templates';
import { formatLoss, toUri, type TrainingStatus } from './trainingStatus';
import type { ExperimentTree, RunNode, SweepNode } from './tree';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  runs: Runs;
  tree: ExperimentTree;
  status: TrainingStatus;
  diagnostics: DefinitionDiagnostics;
  reports: ReportProvider;
  background: BackgroundTrainer;
  panels: () => Panels | undefined;
}

type UriLike = vscode.Uri | string;
interface ObjArg { uri?: UriLike; definition?: UriLike; runId?: string; folder?: UriLike; experiment?: unknown; entry?: unknown; kind?: string }

const t = vscode.l10n.t;

function asUri(u: UriLike | undefined): vscode.Uri | undefined {
  return u === undefined ? undefined : toUri(u);
}

function isNode(a: unknown): a is { kind: 'experiment'; uri: vscode.Uri } | RunNode {
  return !!a && typeof a === 'object' && ((a as { kind?: unknown }).kind === 'experiment' || (a as { kind?: unknown }).kind === 'run');
}

/** The definition an argument points at: node, Uri, {uri|definition}, the active editor, or a pick. */
async function experimentOf(arg: unknown, title: string, filter?: (u: vscode.Uri) => boolean): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return toUri(arg);
  if (isNode(arg)) {
    if (arg.kind === 'experiment') return arg.uri;
    return arg.experiment?.uri;
  }
  if (arg && typeof arg === 'object') {
    const o = arg as ObjArg;
    const u = asUri(o.uri ?? o.definition);
    if (u) return u;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isDefinition(active) && (!filter || filter(active))) return active;
  const all = (await findDefinitions()).filter((u) => !filter || filter(u));
  if (all.length === 1) return all[0];
  if (!all.length) {
    void vscode.window.showInformationMessage(t('There is no *.seqlab.json definition in this workspace. Create one with "New Experiment".'));
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    all.map((u) => ({ label: baseName(u), description: vscode.workspace.asRelativePath(u), u })),
    { title, placeHolder: t('Pick an experiment') },
  );
  return pick?.u;
}

function runRefOf(deps: CommandDeps, arg: unknown): RunRef | undefined {
  if (isNode(arg) && arg.kind === 'run') {
    const store = deps.runs.storeFor(arg.folder);
    return store ? { folder: arg.folder, store, entry: arg.entry } : undefined;
  }
  if (arg && typeof arg === 'object' && typeof (arg as ObjArg).runId === 'string') {
    const o = arg as ObjArg;
    const folderUri = asUri(o.folder) ?? asUri(o.definition);
    const folder = folderUri ? vscode.workspace.getWorkspaceFolder(folderUri) : undefined;
    return deps.runs.find(o.runId!, folder);
  }
  return undefined;
}

async function pickRuns(deps: CommandDeps, title: string, many: boolean, filter?: (r: RunRef) => boolean, byExperiment = false): Promise<RunRef[]> {
  const all = deps.runs.all().filter((r) => !filter || filter(r))
    .sort((a, b) => (b.entry.summary?.startedAt ?? '').localeCompare(a.entry.summary?.startedAt ?? ''));
  if (!all.length) {
    void vscode.window.showInformationMessage(t('There are no runs yet. Train an experiment first.'));
    return [];
  }
  const items = all.map((r) => {
    const s = r.entry.summary;
    return {
      // runs of every experiment: 'experiment / run' tells runs of same-named experiments apart
      label: byExperiment && s ? `${s.experiment.replace(/\.seqlab\.json$/, '')} / ${r.entry.id}` : s?.name || r.entry.id,
      description: s ? `${s.experiment} · ${s.status} · ${t('loss {0}', formatLoss(s.finalLoss ?? s.lastLoss))}` : t('broken: {0}', r.entry.broken ?? ''),
      detail: s ? `${r.entry.id} · ${s.backend} · ${s.step}/${s.steps}` : r.entry.dir,
      r,
    };
  });
  if (many) {
    const picks = await vscode.window.showQuickPick(items, { title, canPickMany: true, placeHolder: t('Pick two or more runs') });
    return picks?.map((p) => p.r) ?? [];
  }
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: t('Pick a run') });
  return pick ? [pick.r] : [];
}

async function runsOf(deps: CommandDeps, arg: unknown, extra: unknown, title: string, many: boolean, filter?: (r: RunRef) => boolean, byExperiment = false): Promise<RunRef[]> {
  const list: unknown[] = Array.isArray(extra) && extra.length ? extra : Array.isArray(arg) ? arg : arg !== undefined ? [arg] : [];
  const refs = list.map((a) => runRefOf(deps, a)).filter((r): r is RunRef => !!r);
  if (refs.length) return refs;
  if (list.length && list.some((a) => a && typeof a === 'object' && 'runId' in (a as object))) {
    throw new Error(t('Run {0} was not found.', String((list[0] as ObjArg).runId)));
  }
  return pickRuns(deps, title, many, filter, byExperiment);
}

function reportProblems(uri: vscode.Uri, errs: CoreDiagnostic[]): void {
  const show = t('Show Problems');
  void vscode.window.showErrorMessage(
    t('{0} has {1} problem(s): {2}', baseName(uri), errs.length, errs[0] ? `${errs[0].line}:${errs[0].column} ${errs[0].message}` : ''), show,
  ).then((c) => { if (c === show) void vscode.commands.executeCommand('workbench.actions.view.problems'); });
}

/** A run that has weights to export or start from. */
const hasW = (r: RunRef) => !!r.entry.summary && !r.entry.broken && r.entry.summary.status !== 'running';

/** `{ quiet: true }` in a command's argument (tests, batch use): no "finished" notification. */
const quietArg = (arg: unknown) => !!arg && typeof arg === 'object' && (arg as { quiet?: unknown }).quiet === true;

function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  const manage = t('Manage Workspace Trust');
  void vscode.window.showWarningMessage(t('{0} is disabled in a restricted workspace. Validation and the experiment tree still work.', what), manage)
    .then((c) => { if (c === manage) void vscode.commands.executeCommand('workbench.trust.manage'); });
  return false;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { context, runs, tree, status, diagnostics, reports, background } = deps;
  const reg = (id: string, fn: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await runs.ready();
        return await fn(...args);
      } catch (e) {
        log().error(`${id} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        void vscode.window.showErrorMessage(errorMessage(e));
        return undefined;
      }
    });

  const validate = async (arg: unknown): Promise<{ uri: vscode.Uri; ok: boolean; diagnostics: CoreDiagnostic[]; dataError?: string } | undefined> => {
    const uri = await experimentOf(arg, t('Validate Definition'));
    if (!uri) return undefined;
    const p = await loadDefinition(uri);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc) diagnostics.check(doc); else diagnostics.publish(p);
    const errs = errorsOf(p);
    if (errs.length || !p.spec) {
      reportProblems(uri, errs);
      return { uri, ok: false, diagnostics: p.diagnostics };
    }
    // The definition is well formed: build its data set too (catches data files that do not read).
    let about = '';
    if (uri.scheme === 'file') {
      try {
        const { buildDataset } = await loadTasks();
        const root = p.folder?.uri.fsPath ?? dirname(uri.fsPath);
        const data = buildDataset(p.spec, workspaceTaskContext(uri.fsPath, root, { memoryBudgetMB: readConfig(uri).memoryBudgetMB }));
        about = t('{0} training and {1} validation examples.', data.train.length, data.valid.length);
      } catch (e) {
        // in VS Code's language (a data file's problem from the catalogue; the CLI stays English)
        const msg = localizedMessage(e, vscode.env.language);
        // on the definition's data field (data.file, data.folder, ...), in the Problems panel
        const path = (e as { path?: unknown }).path;
        if (Array.isArray(path)) diagnostics.publish({ ...p, diagnostics: [...p.diagnostics, locateDataProblem(p.text, path, msg, 'data')] }, doc);
        void vscode.window.showErrorMessage(t('{0}: the data cannot be built: {1}', baseName(uri), msg));
        return { uri, ok: false, diagnostics: p.diagnostics, dataError: msg };
      }
    }
    const warnings = p.diagnostics.filter((d) => d.severity === 'warning').length;
    void vscode.window.showInformationMessage(
      [t('{0} is valid.', baseName(uri)), about, warnings ? t('{0} warning(s).', warnings) : ''].filter(Boolean).join(' '),
    );
    return { uri, ok: true, diagnostics: p.diagnostics };
  };

  const trainBackground = async (arg: unknown, opts?: { steps?: number; quiet?: boolean }): Promise<RunSummary | undefined> => {
    if (!requireTrust(t('Training'))) return undefined;
    const uri = await experimentOf(arg, t('Train in Background'));
    if (!uri) return undefined;
    const o = (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : opts ?? {}) as { steps?: number; quiet?: boolean };
    return background.train(uri, { steps: opts?.steps ?? o.steps, quiet: opts?.quiet ?? o.quiet });
  };

  /** Opens a sweep's results (its trials' runs read from the store). */
  const showSweep = async (id: string, folder: vscode.WorkspaceFolder | undefined): Promise<string | undefined> => {
    const trials = runs.all().filter((r) => r.entry.summary?.sweep?.id === id && (!folder || r.folder.uri.toString() === folder.uri.toString()))
      .sort((a, b) => a.entry.summary!.sweep!.trial - b.entry.summary!.sweep!.trial);
    if (!trials.length) throw new Error(t('Sweep {0} has no runs.', id));
    const results = trials.map((r) => resultOf(r.entry.summary!.sweep!.trial, r.entry.summary!.sweep!.overrides, r.entry.summary!));
    const md = sweepMarkdown(id, trials[0].entry.summary!.experiment, trials, results);
    await reports.show(t('Sweep {0}', id), md);
    return md;
  };

  return [
    reg('seqlab.refresh', () => { runs.recoverInterrupted(); tree.refresh(); }),

    reg('seqlab.showLog', async (arg) => {
      // For a run: its raw record (metrics.jsonl, one JSON row per logged step; summary.json when
      // nothing was logged). Otherwise the extension's own log.
      const r = runRefOf(deps, arg);
      if (r) {
        const metrics = vscode.Uri.file(join(r.entry.dir, 'metrics.jsonl'));
        const file = existsSync(metrics.fsPath) ? metrics : vscode.Uri.file(join(r.entry.dir, 'summary.json'));
        await vscode.window.showTextDocument(file, { preview: true });
        return file;
      }
      log().show(true);
      return undefined;
    }),

    reg('seqlab.newExperiment', async (arg) => {
      const o = (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : {}) as { template?: string; name?: string; folder?: UriLike; open?: boolean };
      const wf = await chooseFolder(o.folder ? vscode.workspace.getWorkspaceFolder(toUri(o.folder)) : undefined);
      if (!wf) {
        const open = t('Open Folder');
        const c = await vscode.window.showInformationMessage(t('Open a folder first: experiments and their runs are kept in a workspace folder.'), open);
        if (c === open) await vscode.commands.executeCommand('vscode.openFolder');
        return undefined;
      }
      const tpl = await pickTemplate(context.extensionUri, t('New Experiment'), o.template);
      if (!tpl) return undefined;
      let name = o.name;
      if (name === undefined) {
        let n = 1;
        const taken = new Set((await findDefinitions()).map((u) => baseName(u)));
        while (taken.has(`${tpl.id}-${n}`)) n++;
        name = await vscode.window.showInputBox({
          title: t('New Experiment'), prompt: t('Name of the new experiment (the file is <name>.seqlab.json)'),
          value: `${tpl.id}-${n}`, validateInput: (v) => validName(v) ?? (taken.has(v) ? t('{0}.seqlab.json already exists.', v) : undefined),
        });
        if (name === undefined) return undefined;
      }
      const bad = validName(name);
      if (bad) throw new Error(bad);
      const uri = await createFromTemplate(tpl, name, wf);
      tree.refresh();
      if (o.open !== false) await vscode.window.showTextDocument(uri);
      return uri;
    }),

    reg('seqlab.openExample', async (arg) => {
      const o = (arg && typeof arg === 'object' ? arg : typeof arg === 'string' ? { example: arg } : {}) as { example?: string; open?: boolean };
      const tpl = await pickTemplate(context.extensionUri, t('Open an Example'), o.example);
      if (!tpl) return undefined;
      const wf = await chooseFolder();
      // Without a folder the example opens from the extension itself (read it, but keep copies in a folder).
      const uri = wf ? await copyExample(tpl, wf) : tpl.uri;
      if (wf) tree.refresh();
      if (o.open !== false) await vscode.window.showTextDocument(uri);
      return uri;
    }),

    reg('seqlab.openDefinition', async (arg) => {
      const uri = await experimentOf(arg, t('Open Definition'));
      if (uri) await vscode.window.showTextDocument(uri);
    }),

    reg('seqlab.validate', validate),

    reg('seqlab.train', async (arg) => {
      if (!requireTrust(t('Training'))) return undefined;
      const uri = await experimentOf(arg, t('Train Experiment'));
      if (!uri) return undefined;
      if (status.isActive(uri) || deps.panels()?.has(uri) && status.isActive(uri)) {
        const stop = t('Stop Training');
        const c = await vscode.window.showWarningMessage(t('{0} is already training. Stop it first, or wait until it finishes.', baseName(uri)), stop);
        if (c === stop) status.stop(uri);
        return undefined;
      }
      const panels = deps.panels();
      if (readConfig(uri).trainIn === 'panel' && panels) {
        const p = await loadDefinition(uri);
        const errs = errorsOf(p);
        if (errs.length) { reportProblems(uri, errs); return undefined; }
        log().info(`Training ${experimentKey(uri)} in the training panel`);
        await panels.train(uri);
        return undefined;
      }
      return background.train(uri);
    }),

    reg('seqlab.trainInBackground', (arg, opts) => trainBackground(arg, opts as { steps?: number; quiet?: boolean } | undefined)),

    // Every trial of the definition's sweep, in the background one after another; then the results.
    reg('seqlab.runSweep', async (arg) => {
      if (!requireTrust(t('Training'))) return undefined;
      const uri = await experimentOf(arg, t('Run Sweep'));
      if (!uri) return undefined;
      const o = (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) && !isNode(arg) ? arg : {}) as { steps?: number; quiet?: boolean };
      const outcome = await background.sweep(uri, {
        ...(typeof o.steps === 'number' ? { steps: o.steps } : {}),
        onDone: async (out) => {
          if (o.quiet) return;
          const folder = vscode.workspace.getWorkspaceFolder(uri);
          await showSweep(out.id, folder);
        },
      });
      return outcome;
    }),

    reg('seqlab.showSweep', async (arg) => {
      const node = arg && typeof arg === 'object' && (arg as { kind?: unknown }).kind === 'sweep' ? arg as SweepNode : undefined;
      const o = (arg && typeof arg === 'object' ? arg : {}) as { sweepId?: string; folder?: UriLike };
      let id = node?.id ?? (typeof o.sweepId === 'string' ? o.sweepId : undefined);
      let folder = node?.folder ?? (o.folder ? vscode.workspace.getWorkspaceFolder(toUri(o.folder)) : undefined);
      if (!id) {
        const sweeps = await tree.sweeps();
        if (!sweeps.length) { void vscode.window.showInformationMessage(t('There are no sweeps yet. Add a "sweep" section to a definition and run "Run Sweep".')); return undefined; }
        const pick = sweeps.length === 1 ? { g: sweeps[0] } : await vscode.window.showQuickPick(
          sweeps.map((g) => ({ label: `${g.experiment.name} / ${g.id}`, description: t('{0}/{1} trials', g.runs.length, g.trials), g })),
          { title: t('Show Sweep Results'), placeHolder: t('Pick a sweep') },
        );
        if (!pick) return undefined;
        id = pick.g.id;
        folder = pick.g.folder;
      }
      return showSweep(id, folder);
    }),

    // Overlay runs of any experiment on the training panel's loss chart.
    reg('seqlab.overlayRuns', async (arg) => {
      const panels = deps.panels();
      const uri = await experimentOf(arg, t('Overlay Runs in the Panel'), (u) => !!panels?.has(u));
      if (!uri || !panels) return undefined;
      if (!panels.has(uri)) await panels.open(uri);
      const o = (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : {}) as { runIds?: unknown };
      let sel: RunRef[];
      if (Array.isArray(o.runIds)) sel = o.runIds.map((id) => runs.find(String(id))).filter((r): r is RunRef => !!r);
      else sel = await pickRuns(deps, t('Overlay Runs in the Panel'), true, (r) => !!r.entry.summary && !r.entry.broken, true);
      if (!sel.length) return undefined;
      const overlays = sel.map((r) => overlayOf(r.entry.summary!, r.store.readMetrics(r.entry.id), `${r.entry.summary!.experiment.replace(/\.seqlab\.json$/, '')} / ${r.entry.id}`));
      panels.overlay(uri, overlays);
      return overlays.map((x) => x.label);
    }),

    // A stopped or interrupted run continues from its checkpoint (weights, optimizer state, step, data order, RNG).
    reg('seqlab.resumeRun', async (arg) => {
      if (!requireTrust(t('Training'))) return undefined;
      const resumable = (r: RunRef) => (r.entry.summary?.status === 'stopped' || r.entry.summary?.status === 'interrupted') && r.entry.summary.checkpointStep !== undefined;
      const [r] = await runsOf(deps, arg, undefined, t('Resume Training'), false, resumable);
      if (!r?.entry.summary) return undefined;
      const uri = vscode.Uri.joinPath(r.folder.uri, r.entry.summary.experiment);
      return background.train(uri, { resume: r.entry.id, quiet: quietArg(arg) });
    }),

    // A new run of the run's experiment that starts from the run's weights.
    reg('seqlab.trainFromWeights', async (arg) => {
      if (!requireTrust(t('Training'))) return undefined;
      const [r] = await runsOf(deps, arg, undefined, t('Train from These Weights'), false, hasW);
      if (!r?.entry.summary) return undefined;
      const uri = vscode.Uri.joinPath(r.folder.uri, r.entry.summary.experiment);
      const steps = arg && typeof arg === 'object' && typeof (arg as { steps?: unknown }).steps === 'number' ? (arg as { steps: number }).steps : undefined;
      return background.train(uri, { initFrom: r.entry.id, quiet: quietArg(arg), ...(steps ? { steps } : {}) });
    }),

    reg('seqlab.stop', async (arg) => {
      let uri: vscode.Uri | undefined;
      if (arg !== undefined) uri = await experimentOf(arg, t('Stop Training'));
      else {
        const active = status.activeExperiments();
        const ed = vscode.window.activeTextEditor?.document.uri;
        if (ed && active.some((a) => a.toString() === ed.toString())) uri = ed;
        else if (active.length === 1) uri = active[0];
        else if (active.length > 1) {
          const pick = await vscode.window.showQuickPick(active.map((u) => ({ label: baseName(u), description: vscode.workspace.asRelativePath(u), u })), { title: t('Stop Training') });
          uri = pick?.u;
        }
      }
      if (!uri) {
        if (!status.activeExperiments().length) void vscode.window.showInformationMessage(t('Nothing is training.'));
        return false;
      }
      let stopped = status.stop(uri);
      const panels = deps.panels();
      if (panels?.has(uri)) { panels.stop(uri); stopped = true; }
      if (!stopped) {
        // A running run started elsewhere (e.g. by the CLI) cannot be stopped from here.
        void vscode.window.showInformationMessage(t('{0} is not training in this window.', baseName(uri)));
      } else log().info(`Stop requested for ${experimentKey(uri)}`);
      return stopped;
    }),

    reg('seqlab.openPanel', async (arg) => {
      // the panel trains and records runs: refused in a restricted workspace (command, CodeLens, status bar)
      if (!requireTrust(t('The training panel'))) return undefined;
      const uri = await experimentOf(arg, t('Open Training Panel'));
      if (!uri) return;
      const panels = deps.panels();
      if (!panels) {
        void vscode.window.showWarningMessage(t('The training panel is not available. Train in the background instead.'));
        return;
      }
      await panels.open(uri);
    }),

    reg('seqlab.selectBackend', async () => {
      const panels = deps.panels();
      if (panels) await panels.selectBackend();
      else await vscode.commands.executeCommand('workbench.action.openSettings', 'seqlab.preferredBackend');
    }),

    reg('seqlab.openRun', async (arg) => {
      const [r] = await runsOf(deps, arg, undefined, t('Open Run'), false);
      if (!r) return undefined;
      const metrics = r.entry.summary && !r.entry.broken ? r.store.readMetrics(r.entry.id) : [];
      return reports.show(r.entry.summary?.name || r.entry.id, runMarkdown(r, metrics));
    }),

    reg('seqlab.predictWithRun', async (arg) => {
      // a run's weights on new input: the input box (or `text` in the argument), src/core/predict.ts in
      // this host (loaded on first use, as background training is), the result as a markdown report
      const [r] = await runsOf(deps, arg, undefined, t('Predict with Run'), false, hasW);
      if (!r?.entry.summary) return undefined;
      const o = arg && typeof arg === 'object' ? (arg as { text?: unknown; beam?: unknown }) : {};
      const { openRunPredictor } = await loadPredictRun();
      const { predictor, info } = await openRunPredictor(r.store, r.entry.id);
      try {
        const check = (v: string): string | undefined => {
          try {
            if (info.input.kind === 'tokens') predictor.tokens(v);
            else predictor.rows(v);
            return undefined;
          } catch (e) {
            return t('Cannot read this input: {0}', (e as Error).message);
          }
        };
        const name = r.entry.summary.name || r.entry.id;
        const text = typeof o.text === 'string' ? o.text : await vscode.window.showInputBox({
          title: t('Predict with Run'),
          prompt: info.input.kind === 'tokens'
            ? t('Text for {0} to read', name)
            : t('{0} numbers a row ({1}), rows separated by ";", in the original units', info.input.features, (info.input.names ?? []).join(', ')),
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() ? check(v) : undefined),
        });
        if (text === undefined || !text.trim()) return undefined;
        const why = check(text);
        if (why) throw new Error(why);
        // an encoder-decoder decodes with a beam: its best output and the alternatives
        const width = typeof o.beam === 'number' && Number.isInteger(o.beam) && o.beam >= 1 ? o.beam : 3;
        const prediction = predictor.predict(text, info.structure === 'encoder-decoder' ? { method: { kind: 'beam', width } } : {});
        log().info(`Prediction of run ${r.entry.id} for ${JSON.stringify(text).slice(0, 200)}`);
        const report = await reports.show(t('Prediction of {0}', name), predictionMarkdown(r, prediction));
        return { prediction, report };
      } finally {
        predictor.dispose();
      }
    }),

    reg('seqlab.revealRun', async (arg) => {
      const [r] = await runsOf(deps, arg, undefined, t('Reveal in Explorer'), false);
      if (!r) return;
      const dir = vscode.Uri.file(r.entry.dir);
      try { await vscode.commands.executeCommand('revealInExplorer', dir); } catch { await vscode.commands.executeCommand('revealFileInOS', dir); }
    }),

    reg('seqlab.compareRuns', async (arg, nodes) => {
      const sel = await runsOf(deps, arg, nodes, t('Compare Runs'), true, undefined, true);
      if (sel.length < 2) {
        if (sel.length === 1) void vscode.window.showInformationMessage(t('Select two or more runs to compare (Ctrl/Cmd+click in the tree).'));
        return undefined;
      }
      const md = compareMarkdown(sel);
      await reports.show(t('Run comparison'), md);
      return md;
    }),

    reg('seqlab.markRunInterrupted', async (arg) => {
      // A run left 'running' by a process that is gone (another machine, a PID reused): release its experiment.
      if (!requireTrust(t('Changing run records'))) return undefined;
      const [r] = await runsOf(deps, arg, undefined, t('Mark Run as Interrupted'), false, (x) => x.entry.summary?.status === 'running');
      if (!r) return undefined;
      const def = vscode.Uri.joinPath(r.folder.uri, r.entry.summary?.experiment ?? '');
      if (status.isActive(def)) throw new Error(t('{0} is training in this window: stop it instead.', baseName(def)));
      const confirm = !(arg && typeof arg === 'object' && (arg as { confirm?: unknown }).confirm === false);
      if (confirm) {
        const mark = t('Mark Interrupted');
        const c = await vscode.window.showWarningMessage(
          t('Mark run {0} as interrupted? Do this only when the process that was training it is gone; its metrics and saved weights are kept.', r.entry.id), { modal: true }, mark);
        if (c !== mark) return undefined;
      }
      const s = r.store.clearLock(r.entry.id);
      log().info(`Run ${r.entry.id} marked interrupted by hand`);
      runs.fire(0);
      tree.refresh();
      return s;
    }),

    reg('seqlab.deleteRun', async (arg, nodes) => {
      if (!requireTrust(t('Deleting runs'))) return [];
      const sel = (await runsOf(deps, arg, nodes, t('Delete Run'), true, (r) => r.entry.summary?.status !== 'running'));
      if (!sel.length) return [];
      const running = sel.filter((r) => r.entry.summary?.status === 'running' && !r.entry.broken);
      if (running.length) throw new Error(t('Run {0} is still running: stop it before deleting it.', running[0].entry.id));
      const confirm = !(arg && typeof arg === 'object' && (arg as { confirm?: unknown }).confirm === false);
      if (confirm) {
        const del = t('Delete');
        const what = sel.length === 1 ? (sel[0].entry.summary?.name || sel[0].entry.id) : t('{0} runs', sel.length);
        const c = await vscode.window.showWarningMessage(t('Delete {0}? Its metrics and weights are deleted from disk.', what), { modal: true }, del);
        if (c !== del) return [];
      }
      const ids: string[] = [];
      for (const r of sel) { r.store.delete(r.entry.id); ids.push(r.entry.id); log().info(`Deleted run ${r.entry.id}`); }
      runs.fire(0);
      tree.refresh();
      return ids;
    }),

    reg('seqlab.exportWeights', async (arg, target) => {
      const [r] = await runsOf(deps, arg, undefined, t('Export Weights (PyTorch state_dict)'), false, hasW);
      if (!r) return undefined;
      const sd = r.store.readWeights(r.entry.id);
      if (!sd) throw new Error(t('Run {0} has no saved weights.', r.entry.id));
      let dest = target instanceof vscode.Uri ? target : typeof target === 'string' ? toUri(target) : undefined;
      if (!dest) {
        const name = `${baseName(vscode.Uri.file(r.entry.summary?.experiment ?? r.entry.id))}-${r.entry.id}.state_dict.json`;
        dest = await vscode.window.showSaveDialog({
          title: t('Export Weights (PyTorch state_dict)'),
          defaultUri: vscode.Uri.joinPath(r.folder.uri, name),
          filters: { [t('PyTorch state_dict JSON')]: ['json'] },
        });
        if (!dest) return undefined;
      }
      const text = JSON.stringify(sd);
      if (dest.scheme === 'file') writeFileSync(dest.fsPath, text);
      else await vscode.workspace.fs.writeFile(dest, new TextEncoder().encode(text));
      const n = Object.keys(sd).length;
      log().info(`Exported ${n} tensors of run ${r.entry.id} to ${dest.fsPath}`);
      if (!(arg && typeof arg === 'object' && (arg as { quiet?: unknown }).quiet === true)) {
        void vscode.window.showInformationMessage(t('Exported {0} tensors to {1}: PyTorch parameter names, shapes and row-major data.', n, vscode.workspace.asRelativePath(dest)));
      }
      return dest;
    }),

    reg('seqlab.exportPytorch', async (arg, target) => {
      // on a run: its weights are the starting point; on a definition: the weights drawn for its seed
      const run = runRefOf(deps, arg);
      if (run && (!run.entry.summary || run.entry.broken)) throw new Error(t('Run {0} cannot be read: {1}', run.entry.id, run.entry.broken ?? ''));
      const uri = run ? undefined : await experimentOf(arg, t('Export as PyTorch Project'));
      if (!run && !uri) return undefined;
      const folder = run ? run.folder : runs.locate(uri!)?.folder;
      if (!folder) throw new Error(t('{0} is not in a local workspace folder: open its folder first.', baseName(uri!)));
      let dest = target instanceof vscode.Uri ? target : typeof target === 'string' ? toUri(target) : undefined;
      if (!dest) {
        const name = run ? `${run.entry.summary!.name}-${run.entry.id}` : baseName(uri!).replace(/\.seqlab\.json$/, '');
        dest = await vscode.window.showSaveDialog({
          title: t('Export as PyTorch Project'), defaultUri: vscode.Uri.joinPath(folder.uri, `${name}-pytorch`), saveLabel: t('Export'),
        });
        if (!dest) return undefined;
      }
      if (dest.scheme !== 'file') throw new Error(t('A PyTorch project can only be written to a local folder.'));
      const out = dest;
      return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: t('Exporting a PyTorch project') }, async () => {
        const { loadDefinition: loadDef, loadRunDefinition } = await loadTrainRun();
        const { exportPytorchProject } = await loadExport();
        const open = uri && vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        const loaded = run ? loadRunDefinition(run.store, run.entry.id) : loadDef(uri!.fsPath, folder.uri.fsPath, { text: open ? open.getText() : undefined });
        const files = await exportPytorchProject({ loaded, outDir: out.fsPath, run: run && { store: run.store, id: run.entry.id } });
        log().info(`Exported ${loaded.spec.name}${run ? ` (run ${run.entry.id})` : ''} as a PyTorch project to ${out.fsPath}: ${files.length} files`);
        if (!(arg && typeof arg === 'object' && (arg as { quiet?: unknown }).quiet === true)) {
          const readme = t('Open README');
          void vscode.window.showInformationMessage(t('Exported {0} as a PyTorch project to {1}: python3 train.py reproduces its training.', loaded.spec.name, vscode.workspace.asRelativePath(out)), readme)
            .then((c) => { if (c === readme) void vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(out, 'README.md')); });
        }
        return out;
      });
    }),

    reg('seqlab.importWeights', async (arg, source) => {
      if (!requireTrust(t('Importing weights'))) return undefined;
      const uri = await experimentOf(arg, t('Import PyTorch Weights'));
      if (!uri) return undefined;
      const at = runs.locate(uri);
      if (!at) throw new Error(t('{0} is not in a local workspace folder: open its folder first.', baseName(uri)));
      let src = source instanceof vscode.Uri ? source : typeof source === 'string' ? toUri(source) : undefined;
      if (!src && arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) && (arg as { file?: UriLike }).file) src = toUri((arg as { file: UriLike }).file);
      if (!src) {
        const picked = await vscode.window.showOpenDialog({
          title: t('Import PyTorch Weights'), canSelectMany: false, defaultUri: at.folder.uri,
          filters: { [t('PyTorch state_dict JSON')]: ['json'] }, openLabel: t('Import'),
        });
        src = picked?.[0];
        if (!src) return undefined;
      }
      const p = await loadDefinition(uri);
      const errs = errorsOf(p);
      if (errs.length || !p.spec) { reportProblems(uri, errs); return undefined; }
      if (src.scheme !== 'file') throw new Error(t('{0} is not a local file.', src.toString()));
      return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: t('Importing weights into {0}', baseName(uri)) }, async () => {
        // one implementation with the CLI's `seqlab import` (src/node/trainRun.ts): checks, evaluation, run record
        const { importWeights } = await loadTrainRun();
        const r = await importWeights(uri.fsPath, src!.fsPath, { workspaceRoot: at.folder.uri.fsPath, runsDir: readConfig(uri).runsFolder, backend: 'cpu' });
        log().info(`Imported ${r.tensors} tensors from ${src!.fsPath} into ${at.experiment} as run ${r.summary.id} (loss ${formatLoss(r.loss)})`);
        runs.fire(0);
        tree.refresh();
        if (!(arg && typeof arg === 'object' && (arg as { quiet?: unknown }).quiet === true)) {
          void vscode.window.showInformationMessage(t('Imported the weights into {0} as run {1}: loss {2} on its data.', baseName(uri), r.summary.id, formatLoss(r.loss)));
        }
        return r.summary;
      });
    }),
  ];
}

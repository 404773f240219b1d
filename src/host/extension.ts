/**
 * Sequence Lab's extension host entry. Activation is cheap: it registers the tree, commands,
 * diagnostics, CodeLens and the training panel's serializer; TensorFlow.js and the trainer are
 * imported only when a command needs them (src/host/heavy.ts). The time it takes is logged.
 */
import { loadStart } from './startTime';
import * as vscode from 'vscode';
import { BackgroundTrainer } from './background';
import { DefinitionCodeLens } from './codelens';
import { registerCommands } from './commands';
import { DefinitionDiagnostics } from './diagnostics';
import { heavyLoaded } from './heavy';
import { disposeLog, errorMessage, log } from './log';
import { createPanels, type Panels } from './panelBridge';
import { ReportProvider } from './reports';
import { Runs } from './runs';
import { TrainingStatus } from './trainingStatus';
import { ExperimentTree } from './tree';

/** What `activate` returns: the extension's parts, for the extension tests. */
export interface SeqlabApi {
  tree: ExperimentTree;
  runs: Runs;
  trainingStatus: TrainingStatus;
  diagnostics: DefinitionDiagnostics;
  panels: Panels | undefined;
  /** Milliseconds: loading the bundle (module evaluation) and running activate(). */
  activation: { loadMs: number; activateMs: number };
  /** Whether TensorFlow.js was loaded when activate() returned (it must not be). */
  tfjsLoadedAtActivation: boolean;
  /** Whether TensorFlow.js is loaded now. */
  heavyLoaded(): boolean;
}

export async function activate(context: vscode.ExtensionContext): Promise<SeqlabApi> {
  const t0 = performance.now();
  const channel = log();
  context.subscriptions.push({ dispose: disposeLog });

  const status = new TrainingStatus();
  const runs = new Runs();
  const diagnostics = new DefinitionDiagnostics();
  const tree = new ExperimentTree(runs, status);
  const reports = new ReportProvider();
  const background = new BackgroundTrainer(runs, status);
  context.subscriptions.push(status, runs, diagnostics, tree, reports);

  // Definitions nobody has open still get their problems listed once the tree has read them.
  context.subscriptions.push(tree.onDidParse((p) => diagnostics.publish(p)));

  const view = vscode.window.createTreeView('seqlab.experiments', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  context.subscriptions.push(view);

  let panels: Panels | undefined;
  try {
    panels = await createPanels(context, runs, status);
    context.subscriptions.push(panels);
    context.subscriptions.push(panels.onDidEndRun((e) => {
      const at = runs.locate(e.definition);
      if (at) runs.prune(at.folder, at.experiment);
      runs.fire(0);
    }));
  } catch (e) {
    channel.error(`The training panel could not be registered: ${errorMessage(e)}`);
  }

  context.subscriptions.push(
    ...registerCommands({ context, runs, tree, status, diagnostics, reports, background, panels: () => panels }),
    vscode.languages.registerCodeLensProvider({ pattern: '**/*.seqlab.json' }, new DefinitionCodeLens(status)),
  );

  void vscode.commands.executeCommand('setContext', 'seqlab.training', false);
  const activateMs = performance.now() - t0;
  const tfjsLoadedAtActivation = heavyLoaded();
  const loadMs = t0 - loadStart;
  channel.info(`Sequence Lab ${context.extension.packageJSON.version as string} activated in ${activateMs.toFixed(1)} ms (bundle load ${loadMs.toFixed(1)} ms); ` +
    `trusted: ${vscode.workspace.isTrusted}, folders: ${vscode.workspace.workspaceFolders?.length ?? 0}, TensorFlow.js loaded: ${tfjsLoadedAtActivation}`);

  // Runs cut off by a closed window or a crash are marked interrupted; done after activation returns.
  setTimeout(() => {
    runs.ready().then(() => {
      const ids = runs.recoverInterrupted();
      if (ids.length) tree.refresh();
    }).catch((e) => channel.error(`Recovering interrupted runs failed: ${errorMessage(e)}`));
  }, 0);

  return { tree, runs, trainingStatus: status, diagnostics, panels, activation: { loadMs, activateMs }, tfjsLoadedAtActivation, heavyLoaded };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; a background run's record is finished by trainFile's
  // abort, and one cut off by the process ending is marked interrupted on the next start.
}

/**
 * The one place the host meets the training panel (src/host/panel, the panel engineer's module).
 * Commands talk to `Panels`; when the panel cannot be used the commands fall back to background training.
 */
import * as vscode from 'vscode';
import type { TrainingPanels } from './panel';
import { log } from './log';
import type { Runs } from './runs';
import type { TrainingStatus } from './trainingStatus';

export type Panels = Pick<TrainingPanels, 'open' | 'train' | 'stop' | 'has' | 'selectBackend' | 'overlay'> & vscode.Disposable & {
  readonly onDidEndRun: vscode.Event<{ definition: vscode.Uri }>;
};

/**
 * Registers the training panels (and their serializer). Imported dynamically so that a failure in
 * the panel's module is logged and leaves the rest of the extension working (training then runs in
 * the background).
 */
export async function createPanels(context: vscode.ExtensionContext, runs: Runs, status: TrainingStatus): Promise<Panels> {
  const { registerTrainingPanels } = await import('./panel');
  return registerTrainingPanels(context, {
    log: log(),
    status,
    runStore(uri: vscode.Uri) {
      const at = runs.locate(uri);
      if (!at) throw new Error(vscode.l10n.t('{0} is not in a local workspace folder: its runs cannot be stored.', uri.toString(true)));
      return at.store;
    },
  });
}

/** "Train · Open Panel · Validate" at the top of every definition ("Stop" while it trains); "Run Sweep" above its sweep section. */
import * as vscode from 'vscode';
import { parseTree } from 'jsonc-parser/lib/esm/main.js';
import { keyNodeAt } from '../core/dsl/tree';
import type { TrainingStatus } from './trainingStatus';

export class DefinitionCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly training: TrainingStatus) {
    this.sub = training.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const uri = doc.uri;
    const lenses: vscode.CodeLens[] = [];
    if (this.training.isActive(uri)) {
      lenses.push(new vscode.CodeLens(top, { title: `$(debug-stop) ${vscode.l10n.t('Stop')}`, command: 'seqlab.stop', arguments: [uri], tooltip: vscode.l10n.t('Stop Training') }));
    } else {
      lenses.push(new vscode.CodeLens(top, {
        title: `$(play) ${vscode.l10n.t('Train')}`, command: 'seqlab.train', arguments: [uri],
        tooltip: vscode.workspace.isTrusted ? vscode.l10n.t('Train Experiment') : vscode.l10n.t('Training is disabled in a restricted workspace.'),
      }));
    }
    lenses.push(
      new vscode.CodeLens(top, {
        title: `$(graph) ${vscode.l10n.t('Open Panel')}`, command: 'seqlab.openPanel', arguments: [uri],
        tooltip: vscode.workspace.isTrusted ? vscode.l10n.t('Open Training Panel') : vscode.l10n.t('Training is disabled in a restricted workspace.'),
      }),
      new vscode.CodeLens(top, { title: `$(check) ${vscode.l10n.t('Validate')}`, command: 'seqlab.validate', arguments: [uri], tooltip: vscode.l10n.t('Validate Definition') }),
    );
    const sweep = sweepKey(doc);
    if (sweep && !this.training.isActive(uri)) {
      lenses.push(new vscode.CodeLens(sweep, {
        title: `$(layers) ${vscode.l10n.t('Run Sweep')}`, command: 'seqlab.runSweep', arguments: [uri],
        tooltip: vscode.workspace.isTrusted ? vscode.l10n.t('Train every trial of the sweep in the background') : vscode.l10n.t('Training is disabled in a restricted workspace.'),
      }));
    }
    return lenses;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}

/** The range of the top-level "sweep" key, when the definition has one. */
function sweepKey(doc: vscode.TextDocument): vscode.Range | undefined {
  const text = doc.getText();
  if (!text.includes('"sweep"')) return undefined;
  const k = keyNodeAt(parseTree(text, [], { allowTrailingComma: true, disallowComments: false }), ['sweep']);
  return k ? new vscode.Range(doc.positionAt(k.offset), doc.positionAt(k.offset + k.length)) : undefined;
}

/**
 * The "Experiments" tree: every `*.seqlab.json` of the workspace (live through a file watcher),
 * with its runs from the run store under it. A definition that does not parse shows an error icon
 * and the reason; a run record that cannot be read shows as broken and never breaks the tree.
 */
import * as vscode from 'vscode';
import { formatPercent } from '../core/format';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEntry, RunSummary } from '../node/runStore';
import { describeOverrides } from '../core/sweep';
import { baseName, DEFINITION_GLOB, errorsOf, experimentKey, findDefinitions, loadDefinition, type ParsedDefinition } from './definitions';
import { errorMessage, log } from './log';
import type { Runs } from './runs';
import { formatLoss, type TrainingStatus } from './trainingStatus';

export interface ExperimentNode {
  kind: 'experiment';
  uri: vscode.Uri;
  folder?: vscode.WorkspaceFolder;
  /** Path relative to the workspace folder: the run store's experiment key. */
  key: string;
  name: string;
  /** Why the definition cannot be used (first error), when it cannot. */
  error?: string;
  errorCount: number;
  runs: RunNode[];
  /** The experiment's sweeps (their trials' runs are under them, not in `runs`). */
  sweeps: SweepNode[];
}

/** A sweep of an experiment (src/core/sweep.ts): its trials' runs, by trial number. */
export interface SweepNode {
  kind: 'sweep';
  /** The sweep id recorded in its runs. */
  id: string;
  folder: vscode.WorkspaceFolder;
  experiment: ExperimentNode;
  /** How many trials the sweep has (some may not have started). */
  trials: number;
  runs: RunNode[];
}

export interface RunNode {
  kind: 'run';
  folder: vscode.WorkspaceFolder;
  entry: RunEntry;
  experiment?: ExperimentNode;
  /** The sweep the run is a trial of. */
  sweep?: SweepNode;
}

export interface GroupNode {
  kind: 'group';
  id: string;
  label: string;
  runs: RunNode[];
}

export type TreeNode = ExperimentNode | SweepNode | RunNode | GroupNode;

const STATUS_ICON: Record<string, [string, string | undefined]> = {
  running: ['sync~spin', 'charts.blue'],
  completed: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  stopped: ['debug-stop', 'disabledForeground'],
  interrupted: ['warning', 'list.warningForeground'],
  broken: ['bracket-error', 'list.errorForeground'],
};

export function statusLabel(status: string): string {
  switch (status) {
    case 'running': return vscode.l10n.t('running');
    case 'completed': return vscode.l10n.t('completed');
    case 'failed': return vscode.l10n.t('failed');
    case 'stopped': return vscode.l10n.t('stopped');
    case 'interrupted': return vscode.l10n.t('interrupted');
    default: return vscode.l10n.t('broken');
  }
}

export function relativeTime(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.round((t - now) / 1000);
  const fmt = new Intl.RelativeTimeFormat(vscode.env.language, { numeric: 'auto' });
  const abs = Math.abs(s);
  if (abs < 45) return fmt.format(s, 'second');
  if (abs < 45 * 60) return fmt.format(Math.round(s / 60), 'minute');
  if (abs < 22 * 3600) return fmt.format(Math.round(s / 3600), 'hour');
  if (abs < 26 * 86400) return fmt.format(Math.round(s / 86400), 'day');
  if (abs < 320 * 86400) return fmt.format(Math.round(s / (30 * 86400)), 'month');
  return fmt.format(Math.round(s / (365 * 86400)), 'year');
}

/** 'weights.json, from step N' when the saved weights are older than the run's last step (a checkpoint). */
export function earlierWeightsLabel(s: RunSummary): string | undefined {
  return s.weightsStep !== undefined && s.weightsStep !== s.step ? vscode.l10n.t('weights.json, from step {0}', s.weightsStep) : undefined;
}

export function runLoss(s: RunSummary): number | undefined {
  return s.finalLoss ?? s.lastLoss;
}

export function hasWeights(entry: RunEntry): boolean {
  return existsSync(join(entry.dir, 'weights.json'));
}

export class ExperimentTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: Promise<TreeNode[]> | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly parsed = new vscode.EventEmitter<ParsedDefinition>();
  /** Each definition the tree (re)reads; the diagnostics publisher listens for files nobody has open. */
  readonly onDidParse = this.parsed.event;
  private loads = 0;

  constructor(private readonly runs: Runs, private readonly training: TrainingStatus) {
    const watcher = vscode.workspace.createFileSystemWatcher(DEFINITION_GLOB);
    const on = () => this.refreshSoon();
    this.subs.push(
      watcher, watcher.onDidCreate(on), watcher.onDidDelete(on), watcher.onDidChange(on),
      vscode.workspace.onDidSaveTextDocument((d) => { if (d.uri.path.endsWith('.seqlab.json')) on(); }),
      vscode.workspace.onDidChangeWorkspaceFolders(on),
      runs.onDidChange(on),
      training.onDidChange(on),
    );
  }

  /** Number of times the tree has re-read the workspace (for tests). */
  get loadCount(): number { return this.loads; }

  refresh(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    this.roots = undefined;
    this.changed.fire(undefined);
  }

  private refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; this.refresh(); }, 200);
  }

  getChildren(node?: TreeNode): Promise<TreeNode[]> | TreeNode[] {
    if (!node) return (this.roots ??= this.load());
    if (node.kind === 'experiment') return [...node.sweeps, ...node.runs];
    if (node.kind === 'group' || node.kind === 'sweep') return node.runs;
    return [];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    if (node.kind === 'sweep') return node.experiment;
    return node.kind === 'run' ? node.sweep ?? node.experiment : undefined;
  }

  /** The sweeps of every experiment (loads the tree if needed). */
  async sweeps(): Promise<SweepNode[]> {
    return (await this.experiments()).flatMap((e) => e.sweeps);
  }

  /** All experiment nodes (loads the tree if needed). */
  async experiments(): Promise<ExperimentNode[]> {
    return (await this.getChildren()).filter((n): n is ExperimentNode => n.kind === 'experiment');
  }

  private async load(): Promise<TreeNode[]> {
    this.loads++;
    const experiments: ExperimentNode[] = [];
    let uris: vscode.Uri[] = [];
    try { uris = await findDefinitions(); } catch (e) { log().error(`Could not search for definitions: ${errorMessage(e)}`); }
    await Promise.all(uris.map(async (uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      const node: ExperimentNode = { kind: 'experiment', uri, folder, key: experimentKey(uri, folder), name: baseName(uri), errorCount: 0, runs: [], sweeps: [] };
      try {
        const p = await loadDefinition(uri);
        this.parsed.fire(p);
        const errs = errorsOf(p);
        node.errorCount = errs.length;
        if (errs.length) node.error = `${errs[0].line}:${errs[0].column} ${errs[0].message}`;
        if (p.spec?.name) node.name = p.spec.name;
      } catch (e) {
        node.error = errorMessage(e);
        node.errorCount = 1;
      }
      experiments.push(node);
    }));
    experiments.sort((a, b) => a.uri.toString().localeCompare(b.uri.toString()));

    const byKey = new Map<string, ExperimentNode>();
    for (const e of experiments) if (e.folder) byKey.set(`${e.folder.uri.toString()}\n${e.key}`, e);
    const broken: RunNode[] = [];
    const orphans: RunNode[] = [];
    await this.runs.ready();
    for (const r of this.runs.all()) {
      const exp = r.entry.summary ? byKey.get(`${r.folder.uri.toString()}\n${r.entry.summary.experiment}`) : undefined;
      const node: RunNode = { kind: 'run', folder: r.folder, entry: r.entry, experiment: exp };
      const sw = r.entry.summary?.sweep;
      if (exp && sw) {
        let g = exp.sweeps.find((x) => x.id === sw.id);
        if (!g) exp.sweeps.push((g = { kind: 'sweep', id: sw.id, folder: r.folder, experiment: exp, trials: sw.trials, runs: [] }));
        node.sweep = g;
        g.runs.push(node);
      } else if (exp) exp.runs.push(node);
      else (r.entry.summary && !r.entry.broken ? orphans : broken).push(node);
    }
    const newestFirst = (a: RunNode, b: RunNode) =>
      (b.entry.summary?.startedAt ?? '').localeCompare(a.entry.summary?.startedAt ?? '') || b.entry.id.localeCompare(a.entry.id);
    for (const e of experiments) {
      e.runs.sort(newestFirst);
      e.sweeps.sort((a, b) => b.id.localeCompare(a.id));
      for (const g of e.sweeps) g.runs.sort((a, b) => a.entry.summary!.sweep!.trial - b.entry.summary!.sweep!.trial || newestFirst(a, b));
    }
    const roots: TreeNode[] = [...experiments];
    if (orphans.length) roots.push({ kind: 'group', id: 'seqlab.orphans', label: vscode.l10n.t('Runs of deleted definitions'), runs: orphans.sort(newestFirst) });
    if (broken.length) roots.push({ kind: 'group', id: 'seqlab.broken', label: vscode.l10n.t('Unreadable runs'), runs: broken.sort(newestFirst) });
    return roots;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.iconPath = new vscode.ThemeIcon(node.id === 'seqlab.broken' ? 'bracket-error' : 'archive');
      item.description = String(node.runs.length);
      item.contextValue = 'group';
      return item;
    }
    if (node.kind === 'experiment') return this.experimentItem(node);
    if (node.kind === 'sweep') return this.sweepItem(node);
    return this.runItem(node);
  }

  private experimentItem(e: ExperimentNode): vscode.TreeItem {
    const training = this.training.isActive(e.uri);
    const item = new vscode.TreeItem(e.name,
      e.runs.length || e.sweeps.length ? (training ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
    item.id = e.uri.toString();
    item.resourceUri = e.uri;
    const multi = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 && e.folder ? `${e.folder.name}: ` : '';
    const dir = e.key.includes('/') ? e.key.slice(0, e.key.lastIndexOf('/')) : '';
    const parts = [multi + (dir || (e.name !== baseName(e.uri) ? `${baseName(e.uri)}.seqlab.json` : ''))].filter(Boolean);
    if (training) parts.unshift(vscode.l10n.t('training…'));
    else if (e.error) parts.unshift(vscode.l10n.t('{0} problem(s)', e.errorCount));
    item.description = parts.join(' · ');
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${e.name}** — \`${e.key}\`\n\n`);
    if (e.error) {
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
      tip.appendMarkdown(`$(error) ${vscode.l10n.t('This definition cannot be trained:')}\n\n`);
      tip.appendText(e.error);
      tip.appendMarkdown('\n\n');
    } else {
      item.iconPath = new vscode.ThemeIcon(training ? 'sync~spin' : 'beaker');
    }
    tip.appendMarkdown(vscode.l10n.t('{0} run(s)', e.runs.length));
    item.tooltip = tip;
    item.contextValue = ['experiment', training ? 'training' : 'idle', e.error ? 'invalid' : 'valid'].join(' ');
    item.command = { command: 'vscode.open', title: vscode.l10n.t('Open Definition'), arguments: [e.uri] };
    return item;
  }

  private sweepItem(g: SweepNode): vscode.TreeItem {
    const running = g.runs.some((r) => r.entry.summary?.status === 'running');
    const item = new vscode.TreeItem(vscode.l10n.t('Sweep {0}', g.id.slice(0, 15)), running ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `${g.folder.uri.toString()}#sweep:${g.id}`;
    item.iconPath = new vscode.ThemeIcon(running ? 'sync~spin' : 'layers');
    const ended = g.runs.filter((r) => r.entry.summary && r.entry.summary.status !== 'running').length;
    const best = g.runs.map((r) => r.entry.summary?.bestValidLoss ?? r.entry.summary?.validLoss).filter((v): v is number => v !== undefined && Number.isFinite(v));
    const parts = [vscode.l10n.t('{0}/{1} trials', ended, g.trials)];
    if (best.length) parts.push(vscode.l10n.t('best validation loss {0}', formatLoss(Math.min(...best))));
    const first = g.runs[0]?.entry.summary?.startedAt;
    parts.push(relativeTime(first));
    item.description = parts.filter(Boolean).join(' · ');
    item.tooltip = `${g.id}\n${vscode.l10n.t('Show Sweep Results')}`;
    item.contextValue = ['sweep', running ? 'running' : 'idle'].join(' ');
    item.command = { command: 'seqlab.showSweep', title: vscode.l10n.t('Show Sweep Results'), arguments: [g] };
    return item;
  }

  private runItem(r: RunNode): vscode.TreeItem {
    const s = r.entry.summary;
    const status = r.entry.broken || !s ? 'broken' : s.status;
    const label = s?.sweep ? `#${s.sweep.trial} ${describeOverrides(s.sweep.overrides)}` : s?.name || r.entry.id;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `${r.folder.uri.toString()}#run:${r.entry.id}`;
    const [icon, color] = STATUS_ICON[status] ?? STATUS_ICON.broken;
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const tip = new vscode.MarkdownString(undefined, true);
    if (status === 'broken' || !s) {
      item.description = vscode.l10n.t('broken: {0}', r.entry.broken ?? vscode.l10n.t('no summary'));
      tip.appendMarkdown(`**${r.entry.id}** — ${statusLabel('broken')}\n\n`);
      tip.appendText(r.entry.broken ?? '');
      tip.appendMarkdown(`\n\n\`${r.entry.dir}\``);
      item.contextValue = 'run broken';
    } else {
      const loss = runLoss(s);
      const parts: string[] = [];
      if (status === 'running') parts.push(vscode.l10n.t('step {0}/{1}', s.step, s.steps));
      else if (status !== 'completed') parts.push(statusLabel(status));
      if (loss !== undefined) parts.push(vscode.l10n.t('loss {0}', formatLoss(loss)));
      parts.push(relativeTime(s.endedAt ?? s.startedAt));
      item.description = parts.filter(Boolean).join(' · ');
      tip.appendMarkdown(`**${label}** — ${statusLabel(status)}\n\n`);
      tip.appendMarkdown(`| | |\n|---|---|\n`);
      const row = (k: string, v: string | number | undefined) => { if (v !== undefined && v !== '') tip.appendMarkdown(`| ${k} | ${String(v).replace(/\|/g, '\\|')} |\n`); };
      row(vscode.l10n.t('Experiment'), s.experiment);
      row(vscode.l10n.t('Run'), r.entry.id);
      row(vscode.l10n.t('Steps'), `${s.step}/${s.steps}`);
      row(vscode.l10n.t('Final loss'), s.finalLoss !== undefined ? formatLoss(s.finalLoss) : undefined);
      row(vscode.l10n.t('Latest loss'), s.finalLoss === undefined && s.lastLoss !== undefined ? formatLoss(s.lastLoss) : undefined);
      row(vscode.l10n.t('Validation loss'), s.validLoss !== undefined ? formatLoss(s.validLoss) : undefined);
      row(vscode.l10n.t('Accuracy'), s.accuracy !== undefined ? formatPercent(s.accuracy, vscode.env.language) : undefined);
      row(vscode.l10n.t('Backend'), s.backend);
      row(vscode.l10n.t('Started'), new Date(s.startedAt).toLocaleString(vscode.env.language));
      row(vscode.l10n.t('Ended'), s.endedAt ? new Date(s.endedAt).toLocaleString(vscode.env.language) : undefined);
      row(vscode.l10n.t('Message'), s.message);
      row(vscode.l10n.t('Weights'), earlierWeightsLabel(s));
      row(vscode.l10n.t('Made by'), s.host);
      // 'resumable': a stopped or interrupted run with a checkpoint ("Resume Training")
      const resumable = (status === 'stopped' || status === 'interrupted') && r.entry.summary?.checkpointStep !== undefined;
      item.contextValue = ['run', status, status !== 'running' && hasWeights(r.entry) ? 'weights' : '', resumable ? 'resumable' : ''].filter(Boolean).join(' ');
    }
    item.tooltip = tip;
    item.command = { command: 'seqlab.openRun', title: vscode.l10n.t('Open Run'), arguments: [r] };
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
    this.parsed.dispose();
  }
}

/**
 * The host's view of the run store: one `RunStore` per local workspace folder (the folder set by
 * `seqlab.runsFolder`), recovery of interrupted runs, pruning of old runs, and a file watcher that
 * notices runs written by anyone (background training, the panel, the CLI).
 */
import * as vscode from 'vscode';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
// Only types at load time: the run store module is imported after activation, in `ready()`,
// to keep activation cheap.
import type { RunEntry, RunStore } from '../node/runStore';
import { readConfig } from './config';
import { experimentKey } from './definitions';
import { errorMessage, log } from './log';

export interface RunRef {
  folder: vscode.WorkspaceFolder;
  store: RunStore;
  entry: RunEntry;
}

export class Runs implements vscode.Disposable {
  private readonly stores = new Map<string, { runsFolder: string; store: RunStore }>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private watchers: vscode.Disposable[] = [];
  private readonly subs: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private mod: typeof import('../node/runStore') | undefined;
  private loading: Promise<void> | undefined;
  private poller: ReturnType<typeof setInterval> | undefined;
  private signature: string | undefined;

  constructor() {
    this.subs.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('seqlab.runsFolder')) { this.stores.clear(); this.watch(); this.fire(); }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => { this.watch(); this.fire(); }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => { this.stores.clear(); this.watch(); this.fire(); }),
    );
    this.watch();
    // File watchers miss files written by another process into a folder it has just created
    // (a CLI run, seen in tests): a cheap poll of the runs folders' listing and summary times
    // catches what the watcher misses.
    this.poller = setInterval(() => this.poll(), 2000);
  }

  private poll(): void {
    if (!this.mod) return;
    const parts: string[] = [];
    for (const folder of this.folders()) {
      const dir = join(folder.uri.fsPath, this.runsFolder(folder));
      let ids: string[] = [];
      try { ids = readdirSync(dir); } catch { continue; }
      for (const id of ids) {
        let t = 0;
        try { t = statSync(join(dir, id, 'summary.json')).mtimeMs; } catch { /* not yet written */ }
        parts.push(`${id}:${t}`);
      }
    }
    const sig = parts.sort().join('|');
    if (sig !== this.signature) {
      const first = this.signature === undefined;
      this.signature = sig;
      if (!first) this.fire(0);
    }
  }

  /** Loads the run store module (once). Every method below needs it; commands await it first. */
  ready(): Promise<void> {
    // the poll's first signature is taken right away, so nothing written later goes unnoticed
    return (this.loading ??= import('../node/runStore').then((m) => { this.mod = m; this.poll(); }));
  }

  get isReady(): boolean {
    return !!this.mod;
  }

  /** Folders whose runs can be stored: the local ones (a virtual workspace has no run store). */
  folders(): readonly vscode.WorkspaceFolder[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  }

  runsFolder(folder: vscode.WorkspaceFolder): string {
    return readConfig(folder).runsFolder;
  }

  storeFor(folder: vscode.WorkspaceFolder | undefined): RunStore | undefined {
    if (!folder || folder.uri.scheme !== 'file') return undefined;
    const runsFolder = this.runsFolder(folder);
    const key = folder.uri.toString();
    const have = this.stores.get(key);
    if (have && have.runsFolder === runsFolder) return have.store;
    if (!this.mod) throw new Error('The run store is still loading: try again in a moment.');
    const store = new this.mod.RunStore(folder.uri.fsPath, runsFolder);
    this.stores.set(key, { runsFolder, store });
    return store;
  }

  /** The store and experiment key of a definition file. */
  locate(definition: vscode.Uri): { folder: vscode.WorkspaceFolder; store: RunStore; experiment: string } | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(definition);
    const store = this.storeFor(folder);
    if (!folder || !store) return undefined;
    return { folder, store, experiment: experimentKey(definition, folder) };
  }

  /** Every run of every local folder; never throws (a store that cannot be read is logged). */
  all(): RunRef[] {
    const out: RunRef[] = [];
    this.eachStore('list runs in', (folder, store) => {
      for (const entry of store.list()) out.push({ folder, store, entry });
    });
    return out;
  }

  /** Calls `fn` for the store of every local folder; a store that fails is logged, never thrown. */
  private eachStore(what: string, fn: (folder: vscode.WorkspaceFolder, store: RunStore) => void): void {
    if (!this.mod) return;
    for (const folder of this.folders()) {
      const store = this.storeFor(folder);
      if (!store) continue;
      try {
        fn(folder, store);
      } catch (e) {
        log().error(`Could not ${what} ${folder.name}: ${errorMessage(e)}`);
      }
    }
  }

  find(runId: string, folder?: vscode.WorkspaceFolder): RunRef | undefined {
    return this.all().find((r) => r.entry.id === runId && (!folder || r.folder.uri.toString() === folder.uri.toString()));
  }

  /** Marks runs whose process is gone as interrupted (their data is kept). */
  recoverInterrupted(): string[] {
    const ids: string[] = [];
    if (!vscode.workspace.isTrusted) return ids; // nothing is written in a restricted workspace
    this.eachStore('recover runs in', (folder, store) => {
      const rec = store.recoverInterrupted();
      if (rec.length) log().warn(`Marked ${rec.length} run(s) in ${folder.name} as interrupted: ${rec.join(', ')}`);
      ids.push(...rec);
    });
    if (ids.length) this.fire();
    return ids;
  }

  /** Deletes the oldest finished runs of an experiment beyond `seqlab.runsKeptPerExperiment`. */
  prune(folder: vscode.WorkspaceFolder, experiment: string): string[] {
    const keep = readConfig(folder).runsKeptPerExperiment;
    const store = this.storeFor(folder);
    if (!keep || !store) return [];
    let removed: string[] = [];
    try { removed = store.prune(experiment, keep); } catch (err) { log().error(`Could not prune runs of ${experiment}: ${errorMessage(err)}`); }
    if (removed.length) { log().info(`Pruned ${removed.length} old run(s) of ${experiment}: ${removed.join(', ')}`); this.fire(); }
    return removed;
  }

  /** Debounced change notification (file watcher events come in bursts). */
  fire(delayMs = 150): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; this.changed.fire(); }, delayMs);
  }

  private watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    for (const folder of this.folders()) {
      const pattern = new vscode.RelativePattern(folder, `${this.runsFolder(folder).replace(/\\/g, '/').replace(/\/$/, '')}/**`);
      const w = vscode.workspace.createFileSystemWatcher(pattern);
      const on = () => this.fire(400);
      this.watchers.push(w, w.onDidCreate(on), w.onDidChange(on), w.onDidDelete(on));
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.poller) clearInterval(this.poller);
    for (const w of this.watchers) w.dispose();
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }
}

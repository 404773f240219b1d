/**
 * The training panel's host side: one WebviewPanel per experiment, its lifecycle, and the bridge
 * from the webview's training (which runs in a worker inside the webview) to the run store.
 *
 *  host reads definition + data files --init--> webview --init--> worker (parse, build, train)
 *  worker --metrics--> webview --metrics--> host --RunWriter--> .seqlab/runs/<id>/
 *
 * Every message is validated on receipt (src/protocol); anything malformed or out of order is
 * logged and dropped.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import {
  Receiver, RunLifecycle, Sender, viewToHost, PREFERENCES,
  type BackendPreference, type HostToView, type OverlayRun, type PanelSettings, type ViewToHost,
} from '../../protocol';
import { makeNonce, panelHtml } from './html';
import { readExperiment, parseSpecForRun } from './experiment';
import type { PanelRunStore, PanelRunWriter, PanelRunSummary, PanelMetricRow } from './store';

export const TRAINING_PANEL_VIEW_TYPE = 'seqlab.trainingPanel';
export const SELECT_BACKEND_COMMAND = 'seqlab.selectBackend';

export interface TrainingStatusService {
  begin(o: { experiment: string; backend: string; cancel(): void }): { report(step: number, loss: number): void; end(): void };
}

export interface TrainingPanelDeps {
  log: vscode.LogOutputChannel;
  runStore(uri: vscode.Uri): PanelRunStore;
  status: TrainingStatusService;
}

export interface TrainingPanels extends vscode.Disposable {
  /** Open (or reveal) the experiment's panel. */
  open(def: vscode.Uri): Promise<void>;
  /** Open the panel and start training (a no-op while it already trains). */
  train(def: vscode.Uri): Promise<void>;
  /** Stop the experiment's training; the run is saved as stopped. */
  stop(def: vscode.Uri): void;
  has(def: vscode.Uri): boolean;
  /** Handler of `seqlab.selectBackend`: pick the backend the panels use (writes seqlab.preferredBackend). */
  selectBackend(): Promise<void>;
  /** Fires when a panel's run ends and its record is on disk. */
  readonly onDidEndRun: vscode.Event<{ definition: vscode.Uri; summary: PanelRunSummary }>;
}

/** Webview state persisted by VS Code for the serializer. */
interface PersistedState {
  definition?: string;
}

export function registerTrainingPanels(context: vscode.ExtensionContext, deps: TrainingPanelDeps): TrainingPanels {
  const sessions = new Map<string, PanelSession>();
  const ended = new vscode.EventEmitter<{ definition: vscode.Uri; summary: PanelRunSummary }>();
  const disposables: vscode.Disposable[] = [ended];

  const adopt = (def: vscode.Uri, panel: vscode.WebviewPanel): PanelSession => {
    const s = new PanelSession(context, deps, def, panel, (summary) => ended.fire({ definition: def, summary }));
    sessions.set(def.toString(), s);
    panel.onDidDispose(() => sessions.delete(def.toString()));
    return s;
  };

  const open = async (def: vscode.Uri): Promise<PanelSession> => {
    const existing = sessions.get(def.toString());
    if (existing) {
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      TRAINING_PANEL_VIEW_TYPE, panelTitle(def),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewOptions(context),
    );
    const s = adopt(def, panel);
    await s.start();
    return s;
  };

  disposables.push(
    vscode.window.registerWebviewPanelSerializer(TRAINING_PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const def = typeof (state as PersistedState)?.definition === 'string' ? (state as PersistedState).definition! : undefined;
        if (!def) {
          deps.log.warn('training panel restored without a definition in its state: closing it');
          panel.dispose();
          return;
        }
        const uri = vscode.Uri.parse(def);
        if (sessions.has(uri.toString())) {
          panel.dispose();
          return;
        }
        panel.webview.options = webviewOptions(context);
        panel.title = panelTitle(uri);
        await adopt(uri, panel).start();
      },
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('seqlab')) return;
      for (const s of sessions.values()) s.pushSettings();
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      for (const s of sessions.values()) if (s.dependsOn(doc.uri)) void s.pushExperiment();
    }),
  );

  return {
    async open(def) {
      await open(def);
    },
    async train(def) {
      const s = await open(def);
      s.post({ type: 'control', action: 'start' });
    },
    stop(def) {
      sessions.get(def.toString())?.post({ type: 'control', action: 'stop' });
    },
    has(def) {
      return sessions.has(def.toString());
    },
    async selectBackend() {
      const current = readSettings().preferredBackend;
      const items: (vscode.QuickPickItem & { value: BackendPreference })[] = PREFERENCES.map((p) => ({
        value: p,
        label: p,
        description: p === current ? '(current)' : undefined,
        detail: BACKEND_DETAIL[p],
      }));
      const pick = await vscode.window.showQuickPick(items, { title: 'Sequence Lab: training backend for the panel', placeHolder: current });
      if (!pick) return;
      await vscode.workspace.getConfiguration('seqlab').update('preferredBackend', pick.value, vscode.ConfigurationTarget.Global);
      deps.log.info(`preferred backend set to ${pick.value}`);
    },
    onDidEndRun: ended.event,
    dispose() {
      for (const s of [...sessions.values()]) s.panel.dispose();
      for (const d of disposables) d.dispose();
    },
  };
}

const BACKEND_DETAIL: Record<BackendPreference, string> = {
  auto: 'Fastest available: WebGPU, then WebGL, then wasm, then CPU',
  webgpu: 'WebGPU (GPU compute shaders)',
  webgl: 'WebGL 2 in the worker (OffscreenCanvas)',
  wasm: 'WebAssembly (SIMD) on the CPU',
  cpu: 'Plain JavaScript on the CPU (slowest, always works)',
};

function panelTitle(def: vscode.Uri): string {
  const base = def.path.split('/').pop() ?? 'experiment';
  return `Train: ${base.replace(/\.seqlab\.json$/, '')}`;
}

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    // Training runs inside the webview: it must survive the tab being hidden.
    retainContextWhenHidden: true,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
  };
}

export function readSettings(scope?: vscode.Uri): PanelSettings {
  const c = vscode.workspace.getConfiguration('seqlab', scope);
  const pref = c.get<string>('preferredBackend', 'auto');
  const interval = Math.max(1, Math.floor(c.get<number>('metricsInterval', 10)) || 10);
  const probe = Math.floor(c.get<number>('probeInterval', 0)) || 0;
  return {
    preferredBackend: (PREFERENCES as readonly string[]).includes(pref) ? (pref as BackendPreference) : 'auto',
    metricsInterval: interval,
    probeInterval: probe > 0 ? probe : interval,
  };
}

/** Thin a run's curve to at most `max` points (every k-th row, always keeping the last). */
export function thinRows(rows: PanelMetricRow[], max: number): PanelMetricRow[] {
  if (rows.length <= max) return rows;
  const k = Math.ceil(rows.length / max);
  const out = rows.filter((_, i) => i % k === 0);
  if (out[out.length - 1] !== rows[rows.length - 1]) out.push(rows[rows.length - 1]!);
  return out;
}

class PanelSession {
  private readonly sender: Sender<HostToView>;
  private readonly receiver: Receiver<ViewToHost>;
  private lifecycle = new RunLifecycle();
  private run?: {
    clientRunId: string; writer: PanelRunWriter; status: { report(step: number, loss: number): void; end(): void };
    step: number; definitionText: string;
  };
  private ready = false;
  private readonly queue: Parameters<PanelSession['post']>[0][] = [];
  private files = new Set<string>();
  private definitionText = '';
  private workspaceRoot = '';
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: TrainingPanelDeps,
    readonly def: vscode.Uri,
    readonly panel: vscode.WebviewPanel,
    private readonly onEnded: (s: PanelRunSummary) => void,
  ) {
    this.sender = new Sender<HostToView>((m) => void panel.webview.postMessage(m));
    this.receiver = new Receiver<ViewToHost>(viewToHost, (why) => deps.log.warn(`training panel: ${why}`), 'webview');
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw) => this.receive(raw)),
      panel.onDidDispose(() => this.closed()),
    );
  }

  async start(): Promise<void> {
    const w = this.panel.webview;
    const asset = (...p: string[]) => w.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, ...p)).toString();
    w.html = panelHtml({
      cspSource: w.cspSource,
      nonce: makeNonce((n) => randomBytes(n)),
      scriptUri: asset('dist', 'webview.js'),
      styleUris: [asset('dist', 'webview.css'), asset('media', 'panel.css')],
      title: panelTitle(this.def),
    });
  }

  dependsOn(uri: vscode.Uri): boolean {
    return uri.toString() === this.def.toString() || this.files.has(uri.fsPath);
  }

  /** Messages to the webview wait until it said ready. */
  post(body: Parameters<Sender<HostToView>['send']>[0]): void {
    if (!this.ready) this.queue.push(body);
    else this.sender.send(body);
  }

  pushSettings(): void {
    if (this.ready) this.sender.send({ type: 'settings', settings: readSettings(this.def) });
  }

  async pushExperiment(): Promise<void> {
    if (!this.ready) return;
    const exp = await readExperiment(this.def);
    this.files = new Set(exp.files.map((f) => f.path));
    this.definitionText = exp.definitionText;
    this.workspaceRoot = exp.workspaceRoot;
    this.sender.send({ type: 'experiment', experiment: exp });
  }

  private store(): PanelRunStore {
    return this.deps.runStore(this.def);
  }

  private async init(): Promise<void> {
    const exp = await readExperiment(this.def);
    this.files = new Set(exp.files.map((f) => f.path));
    this.definitionText = exp.definitionText;
    this.workspaceRoot = exp.workspaceRoot;
    let restore: Extract<HostToView, { type: 'init' }>['restore'];
    let overlays: OverlayRun[] = [];
    try {
      const store = this.store();
      const entries = store.list(store.experimentId?.(this.def.fsPath) ?? exp.relPath).filter((e) => e.summary);
      entries.sort((a, b) => (a.summary!.startedAt < b.summary!.startedAt ? 1 : -1));
      const last = entries[0];
      if (last?.summary) restore = { summary: liteSummary(last.summary), metrics: thinRows(store.readMetrics(last.id), 20000).map(cleanRow) };
      overlays = entries.slice(0, 10).map((e) => overlayOf(e.summary!, store.readMetrics(e.id)));
    } catch (e) {
      this.deps.log.warn(`training panel: could not read earlier runs: ${(e as Error).message}`);
    }
    const w = this.panel.webview;
    this.sender.send({
      type: 'init',
      experiment: exp,
      settings: readSettings(this.def),
      assets: {
        workerUrl: w.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'worker.js')).toString(),
        wasmBase: w.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist')).toString() + '/',
      },
      restore,
      overlays,
    });
  }

  private receive(raw: unknown): void {
    // A reloaded webview is a new peer: its numbering starts again.
    if (isFreshReady(raw)) this.receiver.resetOrder();
    const m = this.receiver.accept(raw);
    if (!m) return;
    const err = this.lifecycle.check(m);
    if (err) {
      this.deps.log.warn(`training panel: out-of-order message dropped: ${err}`);
      return;
    }
    this.lifecycle.apply(m);
    try {
      this.handle(m);
    } catch (e) {
      this.deps.log.error(`training panel: ${m.type}: ${(e as Error).stack ?? e}`);
    }
  }

  private handle(m: ViewToHost): void {
    switch (m.type) {
      case 'ready': {
        if (this.run) this.endRun('stopped', 'the panel was reloaded');
        this.lifecycle = new RunLifecycle();
        this.ready = false;
        void this.init().then(
          () => {
            this.ready = true;
            for (const q of this.queue.splice(0)) this.sender.send(q);
          },
          (e) => this.deps.log.error(`training panel: cannot open ${this.def.fsPath}: ${(e as Error).message}`),
        );
        return;
      }
      case 'backend': {
        const i = m.info;
        const why = i.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
        this.deps.log.info(`training panel backend: ${i.name}${i.adapter ? ` (${i.adapter.vendor} ${i.adapter.architecture})` : ''}${why ? ` — not used: ${why}` : ''}`);
        return;
      }
      case 'runStart': {
        let writer: PanelRunWriter;
        try {
          const spec = parseSpecForRun(this.definitionText, this.def.fsPath, this.workspaceRoot);
          writer = this.store().create({
          definitionFile: this.def.fsPath, definitionText: this.definitionText, spec, backend: m.backend, steps: m.steps,
            source: 'panel', ...(m.parameters !== undefined ? { parameters: m.parameters } : {}),
          });
        } catch (e) {
          // e.g. the same experiment already trains in the background: do not train unrecorded
          this.deps.log.error(`training panel: cannot record a run: ${(e as Error).message}`);
          void vscode.window.showErrorMessage(`Sequence Lab: ${(e as Error).message}`);
          this.sender.send({ type: 'control', action: 'stop' });
          return;
        }
        writer.update({ steps: m.steps, step: 0 });
        const status = this.deps.status.begin({
          experiment: panelTitle(this.def).replace(/^Train: /, ''),
          backend: m.backend,
          cancel: () => this.post({ type: 'control', action: 'stop' }),
        });
        this.run = { clientRunId: m.clientRunId, writer, status, step: 0, definitionText: this.definitionText };
        this.deps.log.info(`training panel: run ${writer.id} started on ${m.backend} (${m.steps} steps)`);
        this.sender.send({ type: 'runCreated', clientRunId: m.clientRunId, runId: writer.id });
        return;
      }
      case 'metrics': {
        const r = this.run;
        if (!r || r.clientRunId !== m.clientRunId) return;
        if (!m.rows.length) return;
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
        r.status.report(last.step, last.loss);
        return;
      }
      case 'runEnd': {
        const r = this.run;
        if (!r || r.clientRunId !== m.clientRunId) return;
        if (m.weights) {
          try {
            r.writer.saveWeights(m.weights);
          } catch (e) {
            this.deps.log.error(`training panel: could not save weights: ${(e as Error).message}`);
          }
        }
        r.step = m.step;
        r.writer.update({ step: m.step });
        this.endRun(m.status, m.message);
        return;
      }
      case 'log':
        this.deps.log[m.level](`training panel: ${m.message}`);
        return;
      case 'state':
        return;
    }
  }

  private endRun(status: 'completed' | 'stopped' | 'failed', message?: string): void {
    const r = this.run;
    if (!r) return;
    this.run = undefined;
    r.status.end();
    try {
      const summary = r.writer.finish(status, message);
      this.deps.log.info(`training panel: run ${r.writer.id} ${status}${message ? `: ${message}` : ''}`);
      this.onEnded(summary);
    } catch (e) {
      this.deps.log.error(`training panel: could not finish run ${r.writer.id}: ${(e as Error).message}`);
    }
  }

  private closed(): void {
    // Closing the panel stops training: the worker dies with the webview; the run is saved as stopped.
    this.endRun('stopped', 'the training panel was closed');
    for (const d of this.disposables) d.dispose();
  }
}

function isFreshReady(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'ready' && (raw as { seq?: unknown }).seq === 1;
}

function cleanRow(r: PanelMetricRow): PanelMetricRow {
  // JSON cannot hold NaN/Infinity: drop non-finite optional fields rather than write invalid lines.
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && (Number.isFinite(v) || k === 'loss')) out[k] = v;
  return out as unknown as PanelMetricRow;
}

function liteSummary(s: PanelRunSummary) {
  const pick = <K extends keyof PanelRunSummary>(k: K) => (s[k] === undefined || s[k] === null ? {} : { [k]: s[k] });
  return {
    id: s.id, name: s.name, status: s.status, backend: s.backend, startedAt: s.startedAt, step: s.step, steps: s.steps,
    ...pick('endedAt'), ...pick('finalLoss'), ...pick('lastLoss'), ...pick('validLoss'), ...pick('accuracy'), ...pick('message'),
  };
}

function overlayOf(s: PanelRunSummary, rows: PanelMetricRow[]): OverlayRun {
  const t = thinRows(rows, 2000);
  const hasValid = t.some((r) => r.validLoss !== undefined);
  return {
    id: s.id,
    label: `${s.name || s.id} (${s.status}, ${s.backend})`,
    status: s.status,
    steps: t.map((r) => r.step),
    loss: t.map((r) => r.loss),
    ...(hasValid ? { validLoss: t.map((r) => r.validLoss ?? null) } : {}),
  };
}

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
  type BackendInfo, type BackendPreference, type HostToView, type OverlayRun, type PanelSettings, type Phase, type ViewToHost,
} from '../../protocol';
import { makeNonce, panelHtml } from './html';
import { readExperiment, parseSpecForRun } from './experiment';
import { RunRecorder, type StatusHandle } from './recorder';
import { readConfig } from '../config';
import { restoreData } from './restore';
export { thinRows, restoreData } from './restore';
import type { PanelRunStore, PanelRunSummary } from './store';

export const TRAINING_PANEL_VIEW_TYPE = 'seqlab.trainingPanel';
export const SELECT_BACKEND_COMMAND = 'seqlab.selectBackend';

/**
 * The host's training status (src/host/trainingStatus.ts): one active run per experiment, keyed by
 * the definition's Uri, so the status bar, CodeLens, tree and Stop find the panel's run. `begin`
 * throws AlreadyTrainingError while the experiment trains elsewhere (e.g. in the background).
 */
export interface TrainingStatusService {
  begin(o: { experiment: vscode.Uri; backend: string; cancel(): void; label?: string; steps?: number; notify?: boolean }): StatusHandle;
}

/** What a panel last reported (for tests and diagnostics). */
export interface PanelInfo {
  backend?: BackendInfo;
  phase: Phase;
  step: number;
  /** The run being recorded, if any. */
  run?: { clientRunId: string; runId: string; step: number };
  /** Why the host last refused to record a run the panel started (e.g. it already trains in the background). */
  refused?: string;
  /** The alignment view the panel draws (target x source tokens, the snapshot's step), if any. */
  alignment?: { targets: number; sources: number; step: number };
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
  /** Draw these runs (of any experiment) as overlays on the panel's chart, besides the experiment's own runs. */
  overlay(def: vscode.Uri, runs: OverlayRun[]): void;
  /** Fires when a panel's run ends and its record is on disk. */
  readonly onDidEndRun: vscode.Event<{ definition: vscode.Uri; summary: PanelRunSummary }>;
  /** What the experiment's panel last reported, undefined without a panel. */
  info(def: vscode.Uri): PanelInfo | undefined;
  /** The serializer's restore (VS Code calls it after a reload; tests call it with a fresh panel). */
  deserialize(panel: vscode.WebviewPanel, state: unknown): Promise<void>;
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
    // The panel trains and writes run records: not in a restricted workspace (the commands say so first).
    if (!vscode.workspace.isTrusted) throw new Error(vscode.l10n.t('The training panel is disabled in a restricted workspace. Trust the workspace to train.'));
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

  const deserialize = async (panel: vscode.WebviewPanel, state: unknown): Promise<void> => {
    const def = typeof (state as PersistedState)?.definition === 'string' ? (state as PersistedState).definition! : undefined;
    if (!def) {
      deps.log.warn('training panel restored without a definition in its state: closing it');
      panel.dispose();
      return;
    }
    if (!vscode.workspace.isTrusted) {
      deps.log.warn('training panel not restored: the workspace is restricted (untrusted)');
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
  };

  disposables.push(
    vscode.window.registerWebviewPanelSerializer(TRAINING_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: (panel: vscode.WebviewPanel, state: unknown) => deserialize(panel, state),
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
    overlay(def, runs) {
      sessions.get(def.toString())?.overlay(runs);
    },
    async selectBackend() {
      const current = readSettings().preferredBackend;
      const items: (vscode.QuickPickItem & { value: BackendPreference })[] = PREFERENCES.map((p) => ({
        value: p,
        label: p,
        description: p === current ? vscode.l10n.t('(current)') : undefined,
        detail: backendDetail(p),
      }));
      const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Sequence Lab: training backend for the panel'), placeHolder: current });
      if (!pick) return;
      await vscode.workspace.getConfiguration('seqlab').update('preferredBackend', pick.value, vscode.ConfigurationTarget.Global);
      deps.log.info(`preferred backend set to ${pick.value}`);
    },
    onDidEndRun: ended.event,
    info(def) {
      const s = sessions.get(def.toString());
      if (!s) return undefined;
      const run = s.activeRun;
      return { ...(s.backend ? { backend: s.backend } : {}), phase: s.phase, step: s.step, ...(run ? { run } : {}), ...(s.refused ? { refused: s.refused } : {}), ...(s.alignment ? { alignment: s.alignment } : {}) };
    },
    deserialize,
    dispose() {
      for (const s of [...sessions.values()]) s.panel.dispose();
      for (const d of disposables) d.dispose();
    },
  };
}

function backendDetail(p: BackendPreference): string {
  const t = vscode.l10n.t;
  return {
    auto: t('Fastest available: WebGPU, then WebGL, then wasm, then CPU'),
    webgpu: t('WebGPU (GPU compute shaders)'),
    webgl: t('WebGL 2 in the worker (OffscreenCanvas)'),
    wasm: t('WebAssembly (SIMD) on the CPU'),
    cpu: t('Plain JavaScript on the CPU (slowest, always works)'),
  }[p];
}

/** "hello" for .../hello.seqlab.json. */
function experimentName(def: vscode.Uri): string {
  return (def.path.split('/').pop() ?? 'experiment').replace(/\.seqlab\.json$/, '');
}

function panelTitle(def: vscode.Uri): string {
  return vscode.l10n.t('Train: {0}', experimentName(def));
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
  // the settings are read in one place (config.ts); the definition's own intervals win over them
  const c = readConfig(scope);
  return {
    preferredBackend: c.preferredBackend,
    metricsInterval: c.metricsInterval,
    probeTimeShare: c.probeTimeShare,
    checkpointSeconds: c.checkpointSeconds,
  };
}

class PanelSession {
  private readonly sender: Sender<HostToView>;
  private readonly receiver: Receiver<ViewToHost>;
  private lifecycle = new RunLifecycle();
  private readonly recorder: RunRecorder;
  private ready = false;
  private readonly queue: Parameters<PanelSession['post']>[0][] = [];
  private files = new Set<string>();
  private definitionText = '';
  private workspaceRoot = '';
  private label: string;
  private readonly disposables: vscode.Disposable[] = [];
  /** What the webview last reported (test hooks and the log). */
  backend?: BackendInfo;
  phase: Phase = 'loading';
  step = 0;
  refused?: string;
  /** The alignment view the webview draws (encoder-decoder with attention), when it draws one. */
  alignment?: { targets: number; sources: number; step: number };

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: TrainingPanelDeps,
    readonly def: vscode.Uri,
    readonly panel: vscode.WebviewPanel,
    onEnded: (s: PanelRunSummary) => void,
  ) {
    this.label = experimentName(def);
    this.sender = new Sender<HostToView>((m) => void panel.webview.postMessage(m));
    this.receiver = new Receiver<ViewToHost>(viewToHost, (why) => deps.log.warn(`training panel: ${why}`), 'webview');
    this.recorder = new RunRecorder({
      definitionFile: def.fsPath,
      store: () => this.deps.runStore(this.def),
      parseSpec: (text) => parseSpecForRun(text, this.def.fsPath, this.workspaceRoot),
      // the panel shows its own progress: no notification on top of it
      beginStatus: (o) => this.deps.status.begin({ experiment: this.def, ...o, notify: false }),
      send: (body) => this.post(body),
      log: {
        info: (m) => deps.log.info(m), warn: (m) => deps.log.warn(m), error: (m) => deps.log.error(m),
      },
      showError: (m) => {
        this.refused = m;
        void vscode.window.showErrorMessage(vscode.l10n.t('Sequence Lab: {0}', m));
      },
      onEnded,
      trusted: () => vscode.workspace.isTrusted,
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw) => this.receive(raw)),
      panel.onDidDispose(() => this.closed()),
    );
  }

  get activeRun(): { clientRunId: string; runId: string; step: number } | undefined {
    return this.recorder.active;
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
      lang: vscode.env.language,
      loading: vscode.l10n.t('Loading {0}…', panelTitle(this.def)),
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

  /** The experiment's own overlays plus `runs` (other experiments' runs picked by the user). */
  overlay(runs: OverlayRun[]): void {
    let own: OverlayRun[] = [];
    try {
      const store = this.deps.runStore(this.def);
      own = restoreData(store, store.experimentId?.(this.def.fsPath) ?? '').overlays;
    } catch (e) {
      this.deps.log.warn(`training panel: could not read earlier runs: ${(e as Error).message}`);
    }
    const ids = new Set(runs.map((r) => r.id));
    this.post({ type: 'overlays', runs: [...own.filter((r) => !ids.has(r.id)), ...runs] });
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

  private async init(): Promise<void> {
    const exp = await readExperiment(this.def);
    this.files = new Set(exp.files.map((f) => f.path));
    this.definitionText = exp.definitionText;
    this.workspaceRoot = exp.workspaceRoot;
    this.label = exp.spec?.name || exp.name;
    let restore: Extract<HostToView, { type: 'init' }>['restore'];
    let overlays: OverlayRun[] = [];
    try {
      const store = this.deps.runStore(this.def);
      ({ restore, overlays } = restoreData(store, store.experimentId?.(this.def.fsPath) ?? exp.relPath));
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
      // the panel's strings: the same bundle as the host's (vscode.l10n.bundle is undefined in English)
      l10n: { language: vscode.env.language, ...(vscode.l10n.bundle ? { bundle: vscode.l10n.bundle } : {}) },
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

  /**
   * Resume a stopped or interrupted run of this experiment in the panel: its checkpoint goes to the
   * webview (the worker continues it; the recorder reopens the same record on its runStart). Refused,
   * with the reason shown, when the run cannot be resumed or was trained from another definition text.
   */
  private resume(runId: string): void {
    const refuse = (why: string) => {
      this.deps.log.warn(`training panel: cannot resume run ${runId}: ${why}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot resume run {0}: {1}', runId, why));
    };
    if (!vscode.workspace.isTrusted) return refuse('training is disabled in a restricted workspace');
    const store = this.deps.runStore(this.def);
    let cp;
    try {
      cp = store.resumable(runId).checkpoint;
    } catch (e) {
      return refuse((e as Error).message);
    }
    if (store.definitionText(runId) !== this.definitionText) {
      return refuse('the definition changed since the run started (Resume Training in the experiment tree continues it with its own definition)');
    }
    const { format: _f, step, weights, ...state } = cp;
    this.post({ type: 'resume', runId, step, weights, state });
  }

  private handle(m: ViewToHost): void {
    switch (m.type) {
      case 'ready': {
        this.recorder.end('stopped', 'the panel was reloaded');
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
        this.backend = i;
        const why = i.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
        this.deps.log.info(`training panel backend: ${i.name}${i.adapter ? ` (${i.adapter.vendor} ${i.adapter.architecture})` : ''}${why ? ` — not used: ${why}` : ''}`);
        return;
      }
      case 'runStart':
      case 'metrics':
      case 'checkpoint':
      case 'best':
      case 'evaluation':
      case 'runEnd':
        this.recorder.handle(m, this.definitionText, this.label);
        return;
      case 'resumeRequest':
        return this.resume(m.runId);
      case 'pickOverlays':
        void vscode.commands.executeCommand('seqlab.overlayRuns', this.def);
        return;
      case 'log':
        this.deps.log[m.level](`training panel: ${m.message}`);
        return;
      case 'state':
        this.phase = m.phase;
        this.step = m.step;
        return;
      case 'views':
        this.alignment = m.alignment;
        return;
    }
  }

  private closed(): void {
    // Closing the panel stops training: the worker dies with the webview; the run is saved as stopped.
    this.recorder.end('stopped', 'the training panel was closed');
    for (const d of this.disposables) d.dispose();
  }
}

function isFreshReady(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'ready' && (raw as { seq?: unknown }).seq === 1;
}

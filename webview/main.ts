/**
 * The training panel's page: controls, backend badge, live loss curve, hidden-state heatmaps,
 * unit-over-text, gradient strip and predictions. Training itself runs in a Web Worker
 * (dist/worker.js), which also names the runs; this thread only draws. The panel's state is one
 * object (./state.ts, `apply(message)`); this file builds the DOM and draws from it. All messages,
 * both ways, go through src/protocol.
 */
import {
  Receiver, Sender, fromWorker, hostToView, workerIntervals,
  type ControlAction, type FromWorker, type Grid, type HostToView, type MetricRowMsg,
  type L10nInfo, type ProbeResultMsg, type ToWorker, type TraceLayerMsg, type ViewToHost,
} from '../src/protocol';
import { LossChart } from './ui/chart';
import { Heatmap, diverging, fmt, pickSteps, unpaddedSteps } from './ui/heatmap';
import { ForecastChart } from './ui/forecast';
import { UnrolledView } from './ui/unrolled';
import { ConfusionView, evaluationCaption } from './ui/confusion';
import { PredTable } from './ui/predTable';
import { AlignmentView } from './ui/alignment';
import { renderTyped } from './ui/typed';
import { catalogueLocale, configureL10n, displayLanguage, t } from './ui/l10n';
import { TASK_TITLES } from '../src/core/dsl/schemaL10n';
import { formatInteger } from '../src/core/format';
import { PanelState } from './state';
import { HostRelay } from './relay';
import { installTestHooks } from './testHooks';

interface VsCodeApi { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const host = new Sender<ViewToHost>((m) => vscode.postMessage(m));
const hostLog = (level: 'info' | 'warn' | 'error', message: string) => host.send({ type: 'log', level, message });
const fromHost = new Receiver<HostToView>(hostToView, (why) => { console.warn(why); hostLog('warn', `webview: ${why}`); }, 'host->webview');

// ---- state ------------------------------------------------------------------------------------
const state = new PanelState();
/** Messages to the host, metric rows batched (./relay.ts). */
const relay = new HostRelay(host);
/** The display language and the host's bundle, from 'init' (the worker gets them too). */
let l10nInfo: L10nInfo | undefined;
const RUN_STATUS: Record<string, () => string> = {
  completed: () => t('completed'), stopped: () => t('stopped'), failed: () => t('failed'), running: () => t('running'), interrupted: () => t('interrupted'),
};
let worker: Worker | undefined;
let toWorker: Sender<ToWorker> | undefined;
let workerIn: Receiver<FromWorker> | undefined;
const snapshots: ProbeResultMsg[] = [];
const MAX_SNAPSHOTS = 300;
let followLive = true;

// ---- DOM --------------------------------------------------------------------------------------
const $ = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
/**
 * Static texts of the page, built before 'init' brings the language: each is set through `t` now
 * and again once the bundle is configured (`relabel`). Texts drawn later are looked up when drawn.
 */
const statics: (() => void)[] = [];
function label<E extends HTMLElement>(e: E, text: () => string, where: 'text' | 'prepend' | 'append' | 'placeholder' = 'text'): E {
  let node: Text | undefined;
  const apply = () => {
    if (where === 'placeholder') (e as unknown as HTMLInputElement).placeholder = text();
    else if (where === 'text') e.textContent = text();
    else if (node) node.data = text();
    else {
      node = document.createTextNode(text());
      if (where === 'prepend') e.prepend(node);
      else e.append(node);
    }
  };
  apply();
  statics.push(apply);
  return e;
}
function relabel(): void {
  for (const apply of statics) apply();
}
const app = document.getElementById('app')!;
app.textContent = '';
const header = $('header', 'top');
const title = $('h1', 'title', 'Sequence Lab');
const about = $('p', 'about');
const backendBox = $('div', 'backend');
backendBox.id = 'backend';
const status = $('div', 'status');
status.id = 'status';
status.setAttribute('role', 'status');
const errors = $('div', 'errors');
errors.id = 'errors';
errors.hidden = true;
header.append(title, about, backendBox, status);

const controls = $('div', 'controls');
const buttons = {} as Record<ControlAction, HTMLButtonElement>;
for (const a of ['start', 'pause', 'resume', 'step', 'stop', 'reset'] as const) {
  const b = label($('button', `btn btn-${a}`), { start: () => t('Start'), pause: () => t('Pause'), resume: () => t('Resume'), step: () => t('Step once'), stop: () => t('Stop'), reset: () => t('Reset') }[a]);
  b.id = `btn-${a}`;
  b.addEventListener('click', () => userControl(a));
  buttons[a] = b;
  controls.append(b);
}
/** Continue the last run (stopped or interrupted, with a checkpoint) where it was: the host sends its checkpoint. */
const resumeRunBtn = $('button', 'btn btn-resume-run');
resumeRunBtn.id = 'btn-resume-run';
resumeRunBtn.hidden = true;
resumeRunBtn.addEventListener('click', () => {
  if (state.resumable) host.send({ type: 'resumeRequest', runId: state.resumable.runId });
});
controls.append(resumeRunBtn);
/** The restored run's rows: a resumed run's chart continues from them. */
let restoredRows: MetricRowMsg[] = [];

const chartSection = $('section', 'card chart-card');
const chartTools = $('div', 'tools');
const logToggle = $('input');
logToggle.type = 'checkbox';
logToggle.id = 'log-scale';
const logLabel = label($('label'), () => t(' log scale'), 'append');
logLabel.prepend(logToggle);
const smoothing = $('input');
smoothing.type = 'range'; smoothing.min = '0'; smoothing.max = '0.99'; smoothing.step = '0.01'; smoothing.value = '0.6';
smoothing.id = 'smoothing';
const smoothingLabel = label($('label'), () => t(' smoothing '), 'prepend');
const smoothingValue = $('span', 'num', '0.60');
smoothingLabel.append(smoothing, smoothingValue);
const lossNow = $('span', 'num loss-now', '');
lossNow.id = 'loss-now';
lossNow.setAttribute('aria-live', 'polite');
chartTools.append(label($('h2'), () => t('Loss')), lossNow, logLabel, smoothingLabel);
// runs of any experiment as overlays: the host lists them ('experiment / run') and sends 'overlays'
const overlayBtn = label($('button', 'btn btn-overlays'), () => t('Overlay runs…'));
overlayBtn.id = 'btn-overlays';
overlayBtn.addEventListener('click', () => host.send({ type: 'pickOverlays' }));
chartTools.append(overlayBtn);
const chartEl = $('div', 'chart');
chartEl.id = 'chart';
chartSection.append(chartTools, chartEl);
const chart = new LossChart(chartEl);
logToggle.addEventListener('change', () => chart.setLog(logToggle.checked));
smoothing.addEventListener('input', () => {
  smoothingValue.textContent = Number(smoothing.value).toFixed(2);
  chart.setSmoothing(Number(smoothing.value));
});

const heatSection = $('section', 'card heat-card');
const heatTools = $('div', 'tools');
const viewSelect = $('select');
viewSelect.id = 'heat-view';
const probeSelect = $('select');
probeSelect.id = 'probe-select';
const probeText = $('input');
probeText.id = 'probe-text';
label(probeText, () => t('type a probe text…'), 'placeholder');
probeText.hidden = true;
/** An encoder-decoder probe's beam width (1: greedy); shown for encoder-decoder models. */
const beamInput = $('input');
beamInput.type = 'number'; beamInput.min = '1'; beamInput.max = '10'; beamInput.value = '1';
beamInput.id = 'beam-width';
const beamLabel = label($('label'), () => t(' beam width '), 'prepend');
beamLabel.append(beamInput);
beamLabel.hidden = true;
/** Why typed input could not be read. */
const probeErrorEl = $('span', 'probe-error');
probeErrorEl.id = 'probe-error';
probeErrorEl.setAttribute('role', 'alert');
probeErrorEl.hidden = true;
const snapSlider = $('input');
snapSlider.type = 'range'; snapSlider.min = '0'; snapSlider.max = '0'; snapSlider.value = '0';
snapSlider.id = 'snapshot';
const snapLabel = label($('span', 'num'), () => t('no snapshots'));
snapLabel.id = 'snapshot-label';
heatTools.append(label($('h2'), () => t('Hidden state')), viewSelect, probeSelect, probeText, beamLabel, probeErrorEl, snapSlider, snapLabel);
const heatHost = $('div', 'heat');
heatHost.id = 'heatmap';
const heatmap = new Heatmap(heatHost);
heatmap.canvas.id = 'heatmap-canvas';
heatmap.tooltip.id = 'heatmap-tooltip';
const unitRow = $('div', 'unit-row');
const unitInput = $('input');
unitInput.type = 'number'; unitInput.min = '0'; unitInput.value = '0';
unitInput.id = 'unit';
const unitLabel = label($('label'), () => t('unit over text: '), 'prepend');
unitLabel.append(unitInput);
const unitText = $('div', 'unit-text');
unitText.id = 'unit-text';
unitRow.append(unitLabel, unitText);
heatSection.append(heatTools, heatHost, label($('p', 'hint'), () => t('rows: units, columns: timesteps; colour: the value (h, c and tanh gates: blue < 0 < red; sigmoid gates: 0 to 1); ∇ strip: ‖dL/dh_t‖ of the top layer (log scale)')), unitRow);

// the network unrolled over the probe sequence (./ui/unrolled.ts), following the snapshot slider
const unrolledSection = $('section', 'card unrolled-card');
unrolledSection.append(label($('h2'), () => t('Unrolled network')), label($('p', 'hint'), () => t('boxes: one cell per layer and timestep (colour: mean of h_t); arrows: h_t across time, x_t in, y_t out')));
const unrolled = new UnrolledView(unrolledSection);

const predSection = $('section', 'card pred-card');
predSection.append(label($('h2'), () => t('Predictions')));
const predBody = $('div', 'pred');
predBody.id = 'predictions';
const sampleRow = $('div', 'sample-row');
sampleRow.hidden = true;
const temp = $('input');
temp.type = 'range'; temp.min = '0.1'; temp.max = '2'; temp.step = '0.05'; temp.value = '0.8';
temp.id = 'temperature';
const tempValue = $('span', 'num', '0.80');
temp.addEventListener('input', () => (tempValue.textContent = Number(temp.value).toFixed(2)));
const sampleBtn = label($('button', 'btn'), () => t('Sample'));
sampleBtn.id = 'btn-sample';
const sampleOut = $('pre', 'sample');
sampleOut.id = 'sample-text';
const tempLabel = label($('label'), () => t('temperature '), 'prepend');
tempLabel.append(temp, tempValue);
sampleRow.append(tempLabel, sampleBtn, sampleOut);
sampleBtn.addEventListener('click', () => toWorker?.send({ type: 'sample', temperature: Number(temp.value), length: 200 }));
/** The prediction on typed input, or an encoder-decoder's free-running output and beam (./ui/typed.ts). */
const typedEl = $('div', 'typed');
typedEl.id = 'typed-prediction';
typedEl.hidden = true;
/** The attention alignment of an encoder-decoder with attention (./ui/alignment.ts), next to its output. */
const alignSection = $('div', 'alignment');
alignSection.id = 'alignment';
alignSection.hidden = true;
alignSection.append(label($('h3'), () => t('Alignment (attention weights: target × source)')));
const alignment = new AlignmentView(alignSection);
alignment.heatmap.canvas.id = 'alignment-canvas';
alignment.heatmap.tooltip.id = 'alignment-tooltip';
const predChartEl = $('div', 'pred-chart');
predChartEl.id = 'forecast';
predChartEl.hidden = true;
predSection.append(typedEl, alignSection, predBody, predChartEl, sampleRow);
const forecastLabels = () => ({ step: t('time step'), value: t('value'), predicted: t('predicted'), truth: t('true'), past: t('input window'), error: t('error') });
const forecast = new ForecastChart(predChartEl, forecastLabels());

// the evaluation that fits the task (confusion matrix, P/R/F1; MAE/RMSE; perplexity): ./ui/confusion.ts
const evalSection = $('section', 'card eval-card');
evalSection.id = 'evaluation';
evalSection.hidden = true;
evalSection.append(label($('h2'), () => t('Evaluation')));
const confusion = new ConfusionView(evalSection);
confusion.canvas.id = 'confusion-canvas';
function renderEvaluation(): void {
  const e = state.evaluation;
  evalSection.hidden = !e;
  confusion.set(e?.report, e ? evaluationCaption(e) : '');
}

app.append(header, errors, controls, chartSection, heatSection, unrolledSection, predSection, evalSection);

// ---- rendering ---------------------------------------------------------------------------------
function renderStatus(): void {
  const phase = state.phase;
  status.textContent = state.statusText();
  document.body.dataset.phase = phase;
  const can: Record<ControlAction, boolean> = {
    start: phase === 'ready' || phase === 'done',
    pause: phase === 'running',
    resume: phase === 'paused',
    step: phase === 'ready' || phase === 'paused',
    stop: phase === 'running' || phase === 'paused',
    reset: phase !== 'loading',
  };
  for (const [a, b] of Object.entries(buttons)) b.disabled = !can[a as ControlAction];
  const r = state.resumable;
  resumeRunBtn.hidden = !r || (phase !== 'ready' && phase !== 'done');
  if (r) resumeRunBtn.textContent = t('Resume run {0} from step {1}', r.runId, r.step);
}

/** The latest loss, best step and learning rate as text next to the chart (what a screen reader announces; the tests read it). */
function showLoss(): void {
  const r = state.lastRow;
  lossNow.textContent = state.lossText(fmt);
  if (r) {
    lossNow.dataset.step = String(r.step);
    lossNow.dataset.loss = String(r.loss);
  } else {
    delete lossNow.dataset.step;
    delete lossNow.dataset.loss;
  }
  if (state.best) lossNow.dataset.bestStep = String(state.best.step);
  else delete lossNow.dataset.bestStep;
}

function renderBackend(): void {
  const backend = state.backend;
  backendBox.textContent = '';
  if (!backend) {
    backendBox.append($('span', 'badge', t('starting backend…')));
    return;
  }
  const badge = $('span', `badge backend-${backend.name}`, backend.name.toUpperCase());
  badge.id = 'backend-name';
  backendBox.append(badge);
  if (backend.adapter) {
    const a = backend.adapter;
    backendBox.append($('span', 'adapter', ` ${a.vendor} · ${a.architecture}${a.description ? ` · ${a.description}` : ''}${a.fallback ? t(' (software fallback adapter)') : ''}`));
  }
  if (backend.skipped.length) {
    const why = $('ul', 'why-not');
    why.id = 'backend-why';
    for (const s of backend.skipped) why.append($('li', undefined, `${s.name}: ${s.reason}`));
    backendBox.append($('span', 'adapter', t(' — not used:')), why);
  }
  if (backend.fallbacks?.length) {
    const fell = $('ul', 'why-not');
    fell.id = 'backend-fallbacks';
    for (const f of backend.fallbacks) fell.append($('li', undefined, f));
    backendBox.append($('span', 'adapter', t(' — fused kernel fell back:')), fell);
  }
}

function showErrors(message: string, details: string[] = []): void {
  errors.hidden = false;
  errors.textContent = '';
  errors.append($('strong', undefined, message));
  if (details.length) {
    const ul = $('ul');
    for (const d of details) ul.append($('li', undefined, d));
    errors.append(ul);
  }
}

interface View { key: string; label: string; decoder: boolean; pick(p: ProbeResultMsg): Grid | undefined }
let views: View[] = [];

function layerName(l: TraceLayerMsg, bidi: boolean): string {
  const part = { encoder: () => t('encoder'), decoder: () => t('decoder'), forward: () => t('forward'), backward: () => t('backward') } as Record<string, () => string>;
  return `${l.name ? `${part[l.name]?.() ?? l.name} ` : ''}${t('layer {0}', l.layer)}${bidi ? ` ${part[l.direction]!()}` : ''}`;
}

function buildViews(p: ProbeResultMsg): void {
  const next: View[] = [];
  const find = (l: TraceLayerMsg) => (q: ProbeResultMsg) =>
    q.layers.find((x) => x.layer === l.layer && x.direction === l.direction && x.name === l.name);
  for (const l of p.layers) {
    const bidi = p.layers.some((x) => x.layer === l.layer && x.name === l.name && x.direction === 'backward');
    const base = layerName(l, bidi);
    const get = find(l);
    const decoder = l.name === 'decoder';
    next.push({ key: `${base}|h`, label: t('{0}: h_t', base), decoder, pick: (q) => get(q)?.h });
    if (l.c) next.push({ key: `${base}|c`, label: t('{0}: c_t (cell state)', base), decoder, pick: (q) => get(q)?.c });
    for (const g of Object.keys(l.gates ?? {}) as (keyof NonNullable<TraceLayerMsg['gates']>)[]) {
      next.push({ key: `${base}|${g}`, label: t('{0}: gate {1}', base, g), decoder, pick: (q) => get(q)?.gates?.[g] });
    }
  }
  const keys = next.map((v) => `${v.key}\t${v.label}`).join('\n');
  if (keys === views.map((v) => `${v.key}\t${v.label}`).join('\n')) return;
  const selected = viewSelect.value;
  views = next;
  viewSelect.textContent = '';
  for (const v of views) {
    const o = $('option', undefined, v.label);
    o.value = v.key;
    viewSelect.append(o);
  }
  if (views.some((v) => v.key === selected)) viewSelect.value = selected;
}

function currentSnapshot(): ProbeResultMsg | undefined {
  return snapshots[Number(snapSlider.value)] ?? snapshots[snapshots.length - 1];
}

const SIGMOID_GATES = new Set(['i', 'f', 'o', 'r', 'z']);

function renderProbe(): void {
  const p = currentSnapshot();
  unrolled.set(state.model, p);
  if (!p) {
    heatmap.set(undefined);
    return;
  }
  buildViews(p);
  const view = views.find((v) => v.key === viewSelect.value) ?? views[0];
  const all = view?.pick(p);
  // the decoder's time axis is the output it wrote (free-running: the decoded tokens), not the source
  const allTokens = p.outputTokens && (view?.decoder || (all && all.rows !== p.inputTokens.length)) ? p.outputTokens : p.inputTokens;
  // padding steps are left out of the heatmap, its labels, the gradient strip and the unit text
  const keep = all && all.rows === allTokens.length ? unpaddedSteps(allTokens) : undefined;
  const values = all && keep ? pickSteps(all, keep) : all;
  const tokens = keep ? keep.map((i) => allTokens[i]!) : allTokens;
  const gradNorms = keep && p.gradNorms ? keep.map((i) => p.gradNorms![i]!) : p.gradNorms;
  const what = view?.key.split('|')[1] ?? 'h';
  // sigmoid gates live in [0, 1]: a sequential scale; h, c and the tanh gates g, n: diverging
  const scale = SIGMOID_GATES.has(what) ? 'sequential' : 'diverging';
  heatmap.set(values ? { values, tokens, label: what.length === 1 && what !== 'h' && what !== 'c' ? t('gate {0}', what) : what, gradNorms, scale } : undefined);
  snapLabel.textContent = t('snapshot {0}/{1} · step {2}', Number(snapSlider.value) + 1, snapshots.length, p.step) + (followLive ? t(' (live)') : '') + (p.outputTokens
    // traced along its own free-running output (no truth): the loss is the output's mean -log p per token
    ? t(' · mean −log p of the output {0}', fmt(p.loss))
    : t(' · probe loss {0}', fmt(p.loss)));
  renderUnitText(tokens, values);
  renderPrediction(p);
}

function renderUnitText(tokens: string[], values: Grid | undefined): void {
  if (!values?.rows || !values.cols) {
    unitText.textContent = '';
    return;
  }
  const { rows: T, cols: units, data } = values;
  unitInput.max = String(units - 1);
  const u = Math.max(0, Math.min(units - 1, Number(unitInput.value) || 0));
  let m = 0;
  for (let i = 0; i < T; i++) m = Math.max(m, Math.abs(data[i * units + u]!));
  // Reuse the spans (a live update must not rebuild the DOM every snapshot).
  while (unitText.childElementCount > T) unitText.lastElementChild!.remove();
  while (unitText.childElementCount < T) unitText.append($('span', 'tok'));
  for (let tt = 0; tt < T; tt++) {
    const s = unitText.children[tt] as HTMLSpanElement;
    const tok = tokens[tt] ?? '·';
    if (s.textContent !== tok) s.textContent = tok;
    const v = data[tt * units + u]!;
    const [r, g, b] = diverging(m ? v / m : 0);
    s.style.backgroundColor = `rgb(${r},${g},${b})`;
    s.style.color = (r * 299 + g * 587 + b * 114) / 1000 > 140 ? '#000' : '#fff';
    s.title = t('t={0} unit {1}: {2}', tt, u, fmt(v));
  }
}

/** The per-step predictions, wrapping inside the card (./ui/predTable.ts). */
const predTable = new PredTable();
/** The alignment view's size and step last told to the host ('' for none). */
let alignmentShape = '';

function renderPrediction(p: ProbeResultMsg): void {
  // typed input, or an encoder-decoder's free-running output: the Predictor's answer replaces the teacher-forced table
  typedEl.hidden = !p.typed;
  if (p.typed) renderTyped(typedEl, p.typed);
  alignSection.hidden = !p.attention;
  alignment.set(p.attention ? { attention: p.attention, source: p.inputTokens, target: p.outputTokens ?? (p.prediction.kind === 'classes' ? p.prediction.tokens : []) } : undefined);
  // the host learns what the alignment view shows (drawn snapshots only: at most one message per drawn frame)
  const shape = p.attention ? `${p.attention.rows}x${p.attention.cols}@${p.step}` : '';
  if (shape !== alignmentShape) {
    alignmentShape = shape;
    host.send({ type: 'views', ...(p.attention ? { alignment: { targets: p.attention.rows, sources: p.attention.cols, step: p.step } } : {}) });
  }
  if (p.typed) {
    predBody.textContent = '';
    predChartEl.hidden = true;
    return;
  }
  if (p.prediction.kind !== 'classes' || predBody.firstElementChild !== predTable.root) predBody.textContent = '';
  const pr = p.prediction;
  predChartEl.hidden = pr.kind !== 'real';
  if (pr.kind === 'classes') {
    // padding steps (a tagger's filler after the sentence) are not predictions to show
    const keep = pr.tokens.length === p.inputTokens.length ? unpaddedSteps(p.inputTokens) : undefined;
    const steps = <T,>(xs: T[]) => (keep ? keep.map((i) => xs[i]!) : xs);
    const rows = [[t('input'), ...steps(p.inputTokens)], [t('predicted'), ...steps(pr.tokens)], ['p', ...steps(pr.probs).map((x) => x.toFixed(2))]];
    if (pr.targets) rows.push([t('target'), ...steps(pr.targets)]);
    if (predBody.firstElementChild !== predTable.root) predBody.append(predTable.root);
    predTable.set(rows);
  } else if (pr.kind === 'binary') {
    const lines = pr.probs.map((q, i) => `${pr.labels[q >= 0.5 ? 1 : 0] ?? (q >= 0.5 ? t('positive') : t('negative'))} (p=${q.toFixed(3)})${pr.targets ? t(' · true: {0}', pr.labels[pr.targets[i]! >= 0.5 ? 1 : 0] ?? String(pr.targets[i])) : ''}`);
    predBody.append($('p', 'pred-binary', lines.length === 1 ? t('predicted: {0}', lines[0]!) : lines.join(' | ')));
  } else {
    if (p.forecast) forecast.setWindow(p.forecast);
    else forecast.set(pr.predicted.map((r) => r[0] ?? NaN), pr.target.map((r) => r[0] ?? NaN));
  }
}

/** What the UI thread spent on the worker's messages and on drawing snapshots (benchmarks read it). */
const uiStats = { messages: 0, messageMs: 0, probeDraws: 0, probeDrawMs: 0 };

/**
 * Live updates (loss readout, status line, chart, snapshot) are drawn together, in one animation
 * frame, at most every LIVE_INTERVAL_MS while training: every repaint of the page costs the
 * compositor (on a machine without a GPU, CPU time the training worker competes for), and a person
 * cannot read faster than that. Phase changes and user actions are drawn at once.
 */
const LIVE_INTERVAL_MS = 200;
type Part = 'status' | 'loss' | 'chart' | 'probe';
const dirty = new Set<Part>();
let liveTimer: ReturnType<typeof setTimeout> | undefined;
let liveFrame = 0;
let lastLive = 0;

function invalidate(part: Part): void {
  dirty.add(part);
  if (liveTimer || liveFrame) return;
  const wait = state.phase === 'running' ? Math.max(0, lastLive + LIVE_INTERVAL_MS - performance.now()) : 0;
  liveTimer = setTimeout(() => {
    liveTimer = undefined;
    liveFrame = requestAnimationFrame(() => {
      liveFrame = 0;
      renderLive();
    });
  }, wait);
}

/** Draw everything pending now (also called directly when training stops or pauses). */
function renderLive(): void {
  if (liveTimer) clearTimeout(liveTimer);
  if (liveFrame) cancelAnimationFrame(liveFrame);
  liveTimer = undefined;
  liveFrame = 0;
  lastLive = performance.now();
  const parts = new Set(dirty);
  dirty.clear();
  if (parts.has('loss')) showLoss();
  if (parts.has('status')) renderStatus();
  if (parts.has('chart')) chart.flush();
  if (parts.has('probe')) {
    const t0 = performance.now();
    renderProbe();
    uiStats.probeDraws++;
    uiStats.probeDrawMs += performance.now() - t0;
    const last = snapshots[snapshots.length - 1];
    if (last) ackProbe(last.step, t0);
  }
}

/**
 * Tell the worker it may take the next periodic snapshot (flow control: never faster than we draw),
 * once drawing this one has taken at most the snapshot share of the time. Drawing is measured up
 * to the frame after it (style, layout and paint included): on a 2-core machine the page's drawing
 * takes the CPU the worker trains on, so the share budgets the page's drawing as the worker's
 * session budgets its probes. While the run is not live, the ack goes at once.
 */
function ackProbe(step: number, t0: number): void {
  const share = Math.min(0.9, Math.max(0.01, (state.settings?.probeTimeShare ?? 10) / 100));
  requestAnimationFrame(() => setTimeout(() => {
    const drawn = performance.now() - t0;
    const wait = state.phase === 'running' ? Math.max(0, drawn / share - drawn) : 0;
    setTimeout(() => toWorker?.send({ type: 'probeDrawn', step }), wait);
  }, 0));
}
chart.onDirty = () => invalidate('chart');

viewSelect.addEventListener('change', renderProbe);
unitInput.addEventListener('input', renderProbe);
snapSlider.addEventListener('input', () => {
  followLive = Number(snapSlider.value) === snapshots.length - 1;
  renderProbe();
});
/** Ask the worker for a probe of what the user chose (./state.ts probeRequest), and clear the last input error. */
function requestProbe(choice: { example?: number; text?: string; beam?: number }): void {
  const m = state.probeRequest(choice);
  renderProbeError();
  toWorker?.send(m);
}
function renderProbeError(): void {
  const e = state.probeError;
  probeErrorEl.hidden = !e;
  probeErrorEl.textContent = e ? t('cannot read {0}: {1}', JSON.stringify(e.text), e.message) : '';
}
probeSelect.addEventListener('change', () => {
  if (probeSelect.value === 'text') {
    probeText.hidden = false;
    probeText.focus();
    return;
  }
  probeText.hidden = true;
  requestProbe({ example: Number(probeSelect.value) });
});
probeText.addEventListener('change', () => requestProbe({ text: probeText.value }));
beamInput.addEventListener('change', () => {
  const k = Math.max(1, Math.min(10, Math.round(Number(beamInput.value)) || 1));
  beamInput.value = String(k);
  requestProbe({ ...state.probe, beam: k });
});

function renderModel(): void {
  const model = state.model;
  if (!model) return;
  title.textContent = `${model.name} — ${model.task}`;
  const taskTitle = (TASK_TITLES[catalogueLocale()] as Record<string, string>)[model.task] ?? model.about;
  about.textContent = `${taskTitle} · ${model.structure} · ${model.layers.map((l) => `${l.bidirectional ? 'bi-' : ''}${l.cell.toUpperCase()}(${l.units})`).join(' → ')} · ${t('{0} parameters', formatInteger(model.params, displayLanguage()))} · ${t('{0} steps', formatInteger(model.steps, displayLanguage()))}`;
  probeSelect.textContent = '';
  for (const p of model.probes) {
    const o = $('option', undefined, t('probe: {0}', p.label));
    o.value = String(p.index);
    probeSelect.append(o);
  }
  // typed input for every task: text, or numbers for a real-valued model
  const o = $('option', undefined, model.inputKind === 'tokens' ? t('probe: type a text…') : t('probe: type numbers…'));
  o.value = 'text';
  probeSelect.append(o);
  probeText.placeholder = model.inputKind === 'tokens' ? t('type a probe text…') : t('numbers, comma-separated (rows separated by ;)');
  beamLabel.hidden = model.structure !== 'encoder-decoder';
  sampleRow.hidden = !model.generative;
}

// ---- worker ------------------------------------------------------------------------------------
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];
/** Our fused recurrence for the wasm and cpu backends (9 KB): fetched whatever the backend. */
const RECURRENCE_WASM = 'seqlab-recurrence.wasm';

async function startWorker(): Promise<void> {
  stopWorker('the training worker was restarted');
  const { experiment, settings, assets } = state;
  if (!experiment || !settings || !assets) return;
  errors.hidden = true;
  renderBackend();
  renderStatus();
  let url: string;
  try {
    const src = await (await fetch(assets.workerUrl)).text();
    url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
  } catch (e) {
    showErrors(t('cannot load the training worker: {0}', (e as Error).message));
    return;
  }
  const wasm: Record<string, ArrayBuffer> = {};
  if (assets.wasmBase) {
    const tfjsWasm = settings.preferredBackend === 'auto' || settings.preferredBackend === 'wasm';
    await Promise.all([...(tfjsWasm ? WASM_FILES : []), RECURRENCE_WASM].map(async (f) => {
      try {
        const r = await fetch(assets!.wasmBase + f);
        if (r.ok) wasm[f] = await r.arrayBuffer();
      } catch { /* the worker reports the wasm backend as unavailable */ }
    }));
  }
  const w = new Worker(url, { type: 'module', name: 'seqlab-training' });
  worker = w;
  workerIn = new Receiver<FromWorker>(fromWorker, (why) => hostLog('warn', `webview: ${why}`), 'worker->webview');
  toWorker = new Sender<ToWorker>((m, transfer) => w.postMessage(m, transfer ?? []));
  w.onmessage = (ev) => {
    if (w !== worker) return;
    const t0 = performance.now();
    const m = workerIn!.accept(ev.data);
    if (m) onWorker(m);
    uiStats.messages++;
    uiStats.messageMs += performance.now() - t0;
  };
  w.onerror = (ev) => {
    showErrors(t('training worker error: {0}', ev.message));
    hostLog('error', `worker error: ${ev.message}`);
  };
  // the data files' bytes are transferred; the page keeps its own (a restarted worker gets them again)
  const files = experiment.files.map((f) => ({ path: f.path, bytes: f.bytes.slice(0) }));
  toWorker.send({
    type: 'init', experiment: { ...experiment, files }, preferredBackend: settings.preferredBackend, ...workerIntervals(settings), ...(l10nInfo ? { l10n: l10nInfo } : {}),
    ...(Object.keys(wasm).length ? { wasm } : {}),
  }, [...Object.values(wasm), ...files.map((f) => f.bytes)]);
}

function stopWorker(why: string): void {
  relay.flush();
  for (const m of state.workerReplaced(why)) host.send(m);
  worker?.terminate();
  worker = undefined;
  toWorker = undefined;
}

function onWorker(m: FromWorker): void {
  const r = state.apply(m);
  if (m.type === 'runStart') {
    renderEvaluation();
    chart.reset(m.resumeOf && m.fromStep !== undefined ? restoredRows.filter((x) => x.step <= m.fromStep!) : []);
    snapshots.splice(0, Math.max(0, snapshots.length - 1));
  }
  if (m.type === 'state' && m.phase !== 'running' && dirty.size) renderLive();
  for (const h of r.toHost) relay.send(h);
  if (r.rows) chart.append(r.rows);
  for (const p of r.redraw) {
    if (p === 'backend') renderBackend();
    else if (p === 'model') renderModel();
    else if (p === 'evaluation') renderEvaluation();
    else if (p === 'status' && m.type === 'state') renderStatus();
    else if (p === 'status' || p === 'loss' || p === 'chart') invalidate(p);
  }
  if (r.startNow) toWorker?.send({ type: 'control', action: 'start' });
  if (r.error) showErrors(r.error.message, r.error.details);
  switch (m.type) {
    case 'probe':
      snapshots.push(m.result);
      if (snapshots.length > MAX_SNAPSHOTS) snapshots.splice(0, snapshots.length - MAX_SNAPSHOTS);
      snapSlider.max = String(snapshots.length - 1);
      if (followLive) snapSlider.value = String(snapshots.length - 1);
      invalidate('probe');
      return;
    case 'sample':
      sampleOut.textContent = m.text;
      return;
    case 'probeError':
      renderProbeError();
      return;
    case 'gradients':
      hooks.gradients = m;
      return;
    default:
      return;
  }
}

function userControl(a: ControlAction): void {
  if (a === 'reset' && state.staleDefinition) {
    void startWorker();
    return;
  }
  if (a === 'start' && state.phase === 'loading') {
    state.pendingStart = true;
    return;
  }
  toWorker?.send({ type: 'control', action: a });
}

// ---- host --------------------------------------------------------------------------------------
window.addEventListener('message', (ev: MessageEvent) => {
  const m = fromHost.accept(ev.data);
  if (!m) return;
  if (m.type !== 'init' && !state.experiment) {
    hostLog('warn', `webview: out-of-order message dropped: '${m.type}' before 'init'`);
    return;
  }
  switch (m.type) {
    case 'init':
      // first the language: everything drawn from here on is in it
      l10nInfo = m.l10n;
      configureL10n(m.l10n);
      document.documentElement.lang = displayLanguage();
      relabel();
      forecast.setLabels(forecastLabels());
      chart.relabel();
      renderBackend();
      renderStatus();
      state.experiment = m.experiment;
      state.settings = m.settings;
      state.assets = m.assets;
      vscode.setState({ definition: m.experiment.key });
      title.textContent = m.experiment.name;
      chart.setOverlays(m.overlays.filter((o) => o.id !== m.restore?.summary.id));
      if (m.restore) {
        chart.reset(m.restore.metrics);
        state.lastRow = m.restore.metrics[m.restore.metrics.length - 1];
        showLoss();
        state.lastRow = undefined; // the readout shows a new run from its first metrics on
        restoredRows = m.restore.metrics;
        const s = m.restore.summary;
        if (s.checkpointStep !== undefined) state.resumable = { runId: s.id, step: s.checkpointStep };
        if (m.restore.evaluation) {
          state.evaluation = { step: s.step, final: true, report: m.restore.evaluation };
          renderEvaluation();
        }
        status.textContent = t('last run {0}: {1} at step {2}/{3}', s.id, RUN_STATUS[s.status]?.() ?? s.status, s.step, s.steps) + (s.finalLoss !== undefined ? t(', final loss {0}', fmt(s.finalLoss)) : '');
      }
      void startWorker();
      return;
    case 'experiment':
      state.experiment = m.experiment;
      if (state.phase === 'running' || state.phase === 'paused') {
        state.staleDefinition = true;
        renderStatus();
      } else void startWorker();
      return;
    case 'settings': {
      const backendChanged = state.settings?.preferredBackend !== m.settings.preferredBackend;
      state.settings = m.settings;
      if (backendChanged && state.phase !== 'running' && state.phase !== 'paused') void startWorker();
      else toWorker?.send({ type: 'settings', ...workerIntervals(m.settings) });
      return;
    }
    case 'control':
      userControl(m.action);
      return;
    case 'runCreated':
      if (state.runCreated(m.clientRunId, m.runId)) renderStatus();
      else hostLog('warn', `webview: out-of-order message dropped: runCreated for unknown run '${m.clientRunId}'`);
      return;
    case 'runRefused':
      if (state.run?.clientRunId === m.clientRunId) {
        // The host will not record this run: end it (closing it on the host side too) and stop training.
        relay.send({ type: 'runEnd', clientRunId: m.clientRunId, status: 'stopped', step: state.step, message: `refused by the host: ${m.reason}` });
        state.run = undefined;
        toWorker?.send({ type: 'control', action: 'stop' });
        showErrors(t('Training stopped: {0}', m.reason));
      } else hostLog('warn', `webview: out-of-order message dropped: runRefused for unknown run '${m.clientRunId}'`);
      return;
    case 'overlays':
      chart.setOverlays(m.runs);
      return;
    case 'resume':
      toWorker?.send({ type: 'restore', runId: m.runId, step: m.step, weights: m.weights, state: m.state });
      return;
  }
});

// Read-only views of what is drawn, for the browser tests and the panel benchmark (./testHooks.ts).
const hooks = installTestHooks({ state, chart, heatmap, forecast, unrolled, confusion, alignment, snapshots, uiStats, droppedFromHost: () => fromHost.dropped, send: (m) => toWorker?.send(m) });

renderBackend();
renderStatus();
host.send({ type: 'ready' });

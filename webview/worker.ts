/**
 * The training worker: builds the dataset and trains on the best available backend, off the
 * panel's UI thread. The loop policy (intervals, validation, early stopping, checkpoints, probe
 * budget, yielding) is the core TrainingSession's (src/core/session.ts), as in the CLI; this file
 * only adapts it to the panel's controls and messages. The worker owns run identity: it names
 * each run (runStart) and every run-scoped message carries that name. Talks to the page only
 * through the validated protocol (src/protocol).
 */
/// <reference lib="webworker" />
import { catalogueLocale, configureL10n, t } from './ui/l10n';
import * as tf from '../src/core/tf';
import { chooseByProbe, selectBackend } from './backend';
import { registerWebGpuKernels, setRecurrenceKernel } from '../src/gpu';
import { getRecurrenceKernel, takeFallbacks } from '../src/core/fused';
import { registerCpuKernels } from '../src/wasm/kernels';
import { buildDataset } from '../src/core/tasks';
import { localizedMessage } from '../src/core/tasks/common';
import { Trainer, type ProbeResult } from '../src/core/train';
import { CHECKPOINT_FORMAT, TrainingSession, type SessionEnd } from '../src/core/session';
import { normalizePath } from '../src/core/paths';
import { forecastWindow } from '../src/core/evaluate';
import { decodeText } from '../src/core/bom';
import type { ModelSpec } from '../src/core/spec';
import { dataInfo, type SeqData, type Example } from '../src/core/data';
import { PredictError, Predictor, type ProbeInput, type TypedPrediction } from '../src/core/predict';
import {
  Receiver, Sender, toWorker,
  type BackendInfo, type BackendName, type ControlAction, type ExperimentMsg, type FromWorker, type Grid, type ModelInfo, type Phase, type ProbeResultMsg, type ToWorker, type WorkerIntervals,
} from '../src/protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const out = new Sender<FromWorker>((m, transfer) => scope.postMessage(m, transfer ?? []));
const log = (level: 'info' | 'warn' | 'error', message: string) => out.send({ type: 'log', level, message });
const inbox = new Receiver<ToWorker>(toWorker, (why) => log('warn', `worker: ${why}`), 'page->worker');

let trainer: Trainer | undefined;
let session: TrainingSession | undefined;
let spec: ModelSpec | undefined;
let data: SeqData | undefined;
let phase: Phase = 'loading';
/** The run being trained (named here, carried by every run message), undefined between runs. */
let runId: string | undefined;
let runCount = 0;
/** The panel's settings: defaults for what the definition does not say (see applyIntervals). */
let metricsInterval = 10;
let probeTimeShare = 10;
/** Weights go to the page (and the run record) at most this often while training; 0: only at the end. */
let checkpointSeconds = 30;
/** What the probe reads: a validation example, or typed input (any task); an encoder-decoder's beam width. */
let probeChoice: { example?: number; text?: string; beam?: number } = {};
/** A periodic probe was sent and the page has not drawn it yet (see toWorker 'probeDrawn'). */
let probeUnacked = false;
/** Periodic probes skipped because the page had not drawn the previous one (benchmarks read it from the log). */
let probesSkipped = 0;
let initialised = false;
/** Serialises everything that touches the trainer (tfjs is not re-entrant across awaits). */
let chain: Promise<unknown> = Promise.resolve();
const exclusive = <T>(f: () => Promise<T>): Promise<T> => {
  const p = chain.then(f);
  chain = p.catch(() => undefined);
  return p;
};

function setPhase(p: Phase): void {
  phase = p;
  out.send({ type: 'state', phase, step: trainer?.step ?? 0, steps: trainer?.totalSteps ?? 0 });
}

function fail(message: string, details?: string[]): void {
  out.send({ type: 'error', message, ...(details?.length ? { details } : {}) });
}

scope.onmessage = (ev: MessageEvent) => {
  const m = inbox.accept(ev.data);
  if (!m) return;
  if (m.type !== 'init' && !initialised) {
    log('warn', `worker: out-of-order message dropped: '${m.type}' before 'init'`);
    return;
  }
  if (m.type === 'init' && initialised) {
    log('warn', "worker: out-of-order message dropped: second 'init' (create a new worker instead)");
    return;
  }
  void handle(m).catch((e) => fail(`worker: ${(e as Error).message}`, [(e as Error).stack ?? '']));
};

/**
 * The page's settings (from 'init' or 'settings'): the metrics interval is only the default for a
 * definition without `logEvery`; they apply from the next session (Start, Reset).
 */
function applyIntervals(m: WorkerIntervals): void {
  metricsInterval = Math.max(1, m.metricsInterval);
  probeTimeShare = Math.min(90, m.probeTimeShare);
  checkpointSeconds = m.checkpointSeconds;
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init':
      initialised = true;
      configureL10n(m.l10n); // errors and backend reasons in the panel's language
      applyIntervals(m);
      return init(m.experiment, m.preferredBackend, m.wasm);
    case 'settings':
      applyIntervals(m);
      return;
    case 'control':
      return control(m.action);
    case 'restore':
      return restoreRun(m);
    case 'probeDrawn':
      probeUnacked = false;
      return;
    case 'probe': {
      const previous = probeChoice;
      probeChoice = { ...(m.example !== undefined ? { example: m.example } : {}), ...(m.text !== undefined ? { text: m.text } : {}), ...(m.beam !== undefined ? { beam: m.beam } : {}) };
      return withTrainer(() => sendProbe(false, previous));
    }
    case 'sample':
      return withTrainer(async () => {
        if (!trainer || !data?.generative) return fail(t('sampling needs a generative character model'));
        const text = await trainer.sample({ length: m.length, temperature: m.temperature, ...(m.prefix ? { prefix: m.prefix } : {}) });
        out.send({ type: 'sample', text, temperature: m.temperature });
      });
    case 'gradients':
      return withTrainer(async () => {
        if (!trainer) return fail(t('no model'));
        const r = await trainer.probe(firstProbe(), { gradients: true });
        out.send({ type: 'gradients', loss: r.loss, grads: { gradNorms: r.gradNorms ?? [] } });
      });
  }
}

/**
 * On WebGPU the recurrence runs in our fused WGSL kernels (src/gpu), on wasm and cpu in our fused
 * WebAssembly SIMD kernels (src/wasm): a few calls per layer direction instead of a dozen ops per
 * timestep. Elsewhere (webgl, or without the module's bytes) the op-by-op cells run.
 */
function useFusedKernels(name: BackendName, wasm?: Record<string, ArrayBuffer>): void {
  const recurrence = wasm?.['seqlab-recurrence.wasm'];
  if (name === 'webgpu') registerWebGpuKernels();
  else if ((name === 'wasm' || name === 'cpu') && recurrence) {
    try {
      registerCpuKernels(recurrence);
    } catch (e) {
      setRecurrenceKernel(undefined);
      log('warn', `fused wasm/cpu kernels unavailable, the op-by-op cells run: ${(e as Error).message}`);
    }
  } else setRecurrenceKernel(undefined);
  log('info', `recurrent layers run in: ${getRecurrenceKernel()?.name ?? 'op-by-op cells'} (${name})`);
}

async function init(exp: ExperimentMsg, preferred: Parameters<typeof selectBackend>[0], wasm?: Record<string, ArrayBuffer>): Promise<void> {
  setPhase('loading');
  let info: BackendInfo;
  try {
    info = await selectBackend(preferred, wasm);
  } catch (e) {
    setPhase('error');
    return fail((e as Error).message);
  }
  const register = (name: BackendName) => useFusedKernels(name, wasm);
  register(info.name);
  backendInfo = info;
  takeFallbacks();
  out.send({ type: 'backend', info });
  if (exp.fileErrors.length) {
    setPhase('error');
    return fail(t('The definition references data the panel could not read'), exp.fileErrors);
  }
  if (exp.problems.length || !exp.spec) {
    setPhase('error');
    const n = exp.problems.length;
    return fail(n ? (n === 1 ? t('{0} has 1 error', exp.relPath) : t('{0} has {1} errors', exp.relPath, n)) : t('{0} could not be parsed', exp.relPath), exp.problems);
  }
  spec = exp.spec as ModelSpec;
  // the bytes the host read (transferred, not copied), decoded here once each as they are read
  const files = new Map(exp.files.map((f) => [normalizePath(f.path), f.bytes]));
  const decoded = new Map<string, string>();
  try {
    data = buildDataset(spec, {
      definitionFile: exp.definitionFile,
      workspaceRoot: exp.workspaceRoot,
      memoryBudgetMB: exp.memoryBudgetMB,
      readFile: (abs: string) => {
        const key = normalizePath(abs);
        const bytes = files.get(key);
        if (bytes === undefined) throw new Error(`${abs} was not sent to the panel`);
        if (!decoded.has(key)) decoded.set(key, decodeText(bytes));
        return decoded.get(key)!;
      },
      // the files the host sent from a data folder
      listFolder: (abs: string) => {
        const dir = normalizePath(abs).replace(/\/$/, '') + '/';
        return [...files.keys()].filter((p) => p.startsWith(dir) && !p.slice(dir.length).includes('/')).map((p) => p.slice(dir.length)).sort();
      },
    });
  } catch (e) {
    setPhase('error');
    const path = (e as { path?: unknown }).path;
    // a data file's problem in the panel's language (the catalogue of src/core/dsl/messages.ts)
    return fail(`${exp.relPath}: data: ${localizedMessage(e, catalogueLocale())}`, Array.isArray(path) ? [`at ${path.join('.')}`] : undefined);
  }
  // "auto": now that the model is known, time it on every backend that starts and keep the fastest
  if (preferred === 'auto') {
    try {
      const probed = await chooseByProbe(info, spec, data, wasm, register);
      takeFallbacks(); // the probe's own runs are not the run's fallbacks
      if (JSON.stringify(probed) !== JSON.stringify(info)) {
        backendInfo = probed;
        out.send({ type: 'backend', info: probed });
      }
    } catch (e) {
      log('warn', `backend probe failed, staying on ${info.name}: ${(e as Error).message}`);
      await tf.setBackend(info.name);
      register(info.name);
    }
  }
  await exclusive(async () => newSession());
  out.send({ type: 'ready', model: modelInfo(spec, data) });
  setPhase('ready');
  await exclusive(() => sendProbe());
}

function modelInfo(s: ModelSpec, d: SeqData): ModelInfo {
  const pool = d.valid.length ? d.valid : d.train;
  const probes = pool.slice(0, 50).map((ex, index) => ({ index, label: exampleLabel(d, ex, index) }));
  const model = trainer!.model;
  const counts = model.layerParameterCounts();
  const configs = [...model.stack.layers, ...(model.decoder?.layers ?? [])];
  const recurrentLayers = counts.layers.map((c) => {
    const l = configs[c.layer]!;
    return {
      layer: c.layer, stack: c.stack as 'rnn' | 'encoder' | 'decoder', cell: l.cell, ...(l.cell === 'rnn' ? { activation: l.activation ?? 'tanh' } : {}),
      units: l.units, bidirectional: l.bidirectional, ...(l.bidirectional ? { merge: l.merge } : {}), params: c.params,
    };
  });
  return {
    name: s.name, task: d.task, about: d.about, structure: s.structure, steps: trainer!.totalSteps, batchSize: s.training.batchSize,
    layers: s.layers.map((l) => ({ cell: l.cell, units: l.units, bidirectional: l.bidirectional })),
    inputKind: d.input.kind, outputKind: d.output.kind, generative: d.generative, params: model.parameterCount, probes,
    recurrentLayers, headParams: counts.head, ...(s.attention ? { attention: s.attention } : {}),
  };
}

/** The filler token of the word tasks (sentiment, tagging). */
const PAD_TOKEN = '<pad>';

function exampleLabel(d: SeqData, ex: Example, index: number): string {
  if (d.input.kind === 'tokens') {
    const v = d.input.vocab;
    const sep = v.every((t) => t.length <= 1) ? '' : ' ';
    // padding is filler, not the example: leave it out of the label
    return ex.x.map((s) => v[s[0]!] ?? '?').filter((tok) => tok !== PAD_TOKEN).join(sep).slice(0, 60);
  }
  // real-valued inputs have no text: number the examples
  return t('example {0}: {1} steps × {2} features', index + 1, ex.x.length, ex.x[0]?.length ?? 0);
}

function firstProbe(): Example | undefined {
  if (!data) return undefined;
  const pool = data.valid.length ? data.valid : data.train;
  return pool[Math.min(probeChoice.example ?? 0, pool.length - 1)];
}

/**
 * What the probe traces. Typed input (any task) and every encoder-decoder probe go through the
 * core's Predictor (src/core/predict.ts: one implementation of prediction and decoding) on the
 * trainer's live model: its prediction rides along with the snapshot, and the example it returns
 * (an encoder-decoder's: the free-running output as target) is what Trainer.probe traces.
 */
function probeInput(): { input?: ProbeInput; example?: Example } {
  const ex = firstProbe();
  const typed = probeChoice.text !== undefined; // empty: the Predictor says so
  if (!typed && spec!.structure !== 'encoder-decoder') return { example: ex };
  const beam = probeChoice.beam ?? 1;
  const p = new Predictor(spec!, dataInfo(data!), trainer!.model);
  const input = p.probe(typed ? probeChoice.text! : ex!, beam > 1 ? { method: { kind: 'beam', width: beam } } : {});
  return { input, example: ex };
}

/**
 * Takes a hidden-state snapshot and sends it with its arrays transferred. A periodic snapshot
 * (`periodic`) is skipped while the page has not drawn the previous one; the first, the last and
 * requested ones are always sent.
 */
async function sendProbe(periodic = false, previous?: typeof probeChoice): Promise<void> {
  if (!trainer) return;
  if (periodic && probeUnacked) {
    probesSkipped++;
    return;
  }
  let read: ReturnType<typeof probeInput>;
  try {
    read = probeInput();
  } catch (e) {
    if (!(e instanceof PredictError) || probeChoice.text === undefined) {
      log('warn', `probe failed: ${(e as Error).message}`);
      return;
    }
    // input the model cannot read: say why by the input box, and keep probing what was probed before
    out.send({ type: 'probeError', text: probeChoice.text, message: e.message });
    probeChoice = previous?.text === probeChoice.text ? {} : previous ?? {};
    return;
  }
  try {
    const { input, example } = read;
    const ex = input?.example ?? example;
    let r: ProbeResult;
    try {
      r = await trainer.probe(ex, { gradients: true });
    } catch (e) {
      // a snapshot without the gradient strip rather than none (the strip's failure is logged)
      log('warn', `probe gradients failed, snapshot without the gradient strip: ${(e as Error).message}`);
      r = await trainer.probe(ex);
    }
    if (input && !probeChoice.text && example && r.prediction.kind === 'classes' && data?.output.kind === 'classes') {
      // an example's free-running output is compared with its true target
      const classes = data.output.classes;
      r.prediction = { ...r.prediction, targets: example.y.map((v) => classes[v[0]!]!) };
    }
    const { result, transfer } = packProbe({ ...r, ...(input?.outputTokens ? { outputTokens: input.outputTokens } : {}), ...(input ? { typed: input.prediction } : {}) });
    // the input window and its forecast against the truth (an example; typed numbers have no truth)
    if (!input && r.prediction.kind === 'real' && data && ex) {
      const w = forecastWindow(data, ex.x, r.prediction.predicted, r.prediction.target, spec?.data.horizon ?? 1);
      if (w) result.forecast = w;
    }
    probeUnacked = true;
    out.send({ type: 'probe', result }, transfer);
  } catch (e) {
    log('warn', `probe failed: ${(e as Error).message}`);
  }
}

function toGrid(m: number[][], transfer: ArrayBuffer[]): Grid {
  const rows = m.length, cols = m[0]?.length ?? 0;
  const data = new Float32Array(rows * cols);
  for (let t = 0; t < rows; t++) data.set(m[t]!, t * cols);
  transfer.push(data.buffer);
  return { rows, cols, data };
}

/** The core's probe (nested arrays) as the protocol's message: Float32Array grids to transfer. */
export function packProbe(r: ProbeResult & { outputTokens?: string[]; typed?: TypedPrediction }): { result: ProbeResultMsg; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const layers = r.layers.map((l) => {
    const gates: Partial<Record<string, Grid>> = {};
    for (const [k, g] of Object.entries(l.gates ?? {})) if (g) gates[k] = toGrid(g, transfer);
    return {
      layer: l.layer, direction: l.direction, cell: l.cell, units: l.units,
      ...(l.name !== undefined ? { name: l.name } : {}),
      h: toGrid(l.h, transfer),
      ...(l.c ? { c: toGrid(l.c, transfer) } : {}),
      ...(l.gates ? { gates } : {}),
      ...(l.gradNorms ? { gradNorms: l.gradNorms } : {}),
    };
  });
  const result = {
    step: r.step, inputTokens: r.inputTokens, ...(r.outputTokens ? { outputTokens: r.outputTokens } : {}),
    layers, ...(r.gradNorms ? { gradNorms: r.gradNorms } : {}), prediction: r.prediction, loss: r.loss,
    ...(r.attention ? { attention: toGrid(r.attention, transfer) } : {}),
    ...(r.typed ? { typed: r.typed } : {}),
  } as ProbeResultMsg;
  return { result, transfer };
}

async function control(action: ControlAction): Promise<void> {
  if (!trainer || !session || !spec || !data) {
    if (action === 'start' || action === 'step') log('warn', `'${action}' ignored: the model is not ready`);
    return;
  }
  switch (action) {
    case 'start':
      if (phase === 'running') return;
      if (phase === 'done') await reset();
      if (phase !== 'ready' && phase !== 'paused') return;
      beginRun();
      setPhase('running');
      return runLoop();
    case 'resume':
      if (phase !== 'paused') return;
      setPhase('running');
      return runLoop();
    case 'pause':
      if (phase === 'running') {
        session.pause();
        setPhase('paused');
      }
      return;
    case 'step':
      if (phase !== 'ready' && phase !== 'paused') return;
      beginRun();
      setPhase('paused');
      return exclusive(async () => {
        const end = await session!.stepOnce();
        await sendProbe();
        if (end) await finish(end);
        await runQueued();
      });
    case 'stop':
      return stopRun();
    case 'reset':
      await stopRun('reset');
      await reset();
      return;
  }
}

/** Stop the run in progress (running: the loop ends it; paused: ended here). */
async function stopRun(message?: string): Promise<void> {
  if (phase === 'running') {
    session!.stop();
    setPhase('done');
    await exclusive(async () => undefined); // runs once the loop has ended the run (run and finish are one job)
  } else if (phase === 'paused') {
    setPhase('done');
    await exclusive(async () => finish(await session!.stopNow(), message));
  }
}

/**
 * The session's yield to this worker's event loop (so that Pause, Stop and probe requests get in):
 * a message on a channel of our own, which runs as soon as the messages already queued have. Not
 * setTimeout(0): nested timeouts are clamped to 4 ms, and the worker sleeps through them, so that
 * on a busy machine the thread waits to be scheduled again (5% of adding-lstm's worker time was
 * idle in a profile, where the CLI yields with setImmediate and never sleeps).
 */
const yieldChannel = new MessageChannel();
const yieldWaiting: (() => void)[] = [];
yieldChannel.port1.onmessage = () => yieldWaiting.shift()?.();
const yieldToEventLoop = (): Promise<void> => new Promise<void>((resolve) => {
  yieldWaiting.push(resolve);
  yieldChannel.port2.postMessage(0);
});

/** A fresh trainer and session (weights initialised from the seed). */
function newSession(): void {
  session?.trainer.dispose();
  trainer = new Trainer(spec!, data!);
  session = new TrainingSession(trainer, {
    metrics: async (row) => {
      out.send({ type: 'metrics', clientRunId: runId!, rows: [row] });
      reportFallbacks();
      // after a validation, a class task's confusion matrix and per-class scores on the validation set
      if (row.validLoss !== undefined && classTask()) await sendEvaluation(false);
    },
    checkpoint: (cp) => {
      const { format: _f, step, weights, ...resume } = cp;
      out.send({ type: 'checkpoint', clientRunId: runId!, step, weights, resume });
    },
    best: (b, weights) => out.send({ type: 'best', clientRunId: runId!, step: b.step, validLoss: b.validLoss, weights }),
    event: (e) => {
      if (e.type === 'earlyStop') out.send({ type: 'earlyStop', clientRunId: runId!, step: e.step, bestStep: e.bestStep, bestLoss: e.bestLoss, patience: e.patience });
    },
    probe: () => sendProbe(true),
    boundary: () => runQueued(),
  }, {
    defaults: { logEvery: metricsInterval },
    checkpointSeconds,
    probeShare: probeTimeShare / 100,
    yieldToEventLoop,
  });
}

/** Name a new run (once per run: Start, the first Step from ready, or a resumed run). */
function beginRun(resumed?: { resumeOf: string; fromStep: number }): void {
  if (runId) return;
  runId = `w${Date.now().toString(36)}-${++runCount}`;
  // the data's vocabularies, tokenizer and scaling: the run record's data.json (and a resume is checked against it)
  out.send({ type: 'runStart', clientRunId: runId, steps: trainer!.totalSteps, ...(resumed ?? {}), data: dataInfo(trainer!.data) });
}

/** Continue a recorded run from its checkpoint (the host checked it belongs to this definition). */
async function restoreRun(m: Extract<ToWorker, { type: 'restore' }>): Promise<void> {
  if (!spec || !data || (phase !== 'ready' && phase !== 'done')) {
    log('warn', `'restore' ignored: the panel is ${phase}`);
    return;
  }
  try {
    await exclusive(async () => {
      newSession();
      await session!.restore({ format: CHECKPOINT_FORMAT, step: m.step, weights: m.weights, ...m.state });
    });
  } catch (e) {
    await reset();
    return fail(`cannot resume run ${m.runId}: ${(e as Error).message}`);
  }
  beginRun({ resumeOf: m.runId, fromStep: m.step });
  setPhase('running');
  return runLoop();
}

async function reset(): Promise<void> {
  await exclusive(async () => newSession());
  setPhase('ready');
  await exclusive(() => sendProbe());
}

let backendInfo: BackendInfo | undefined;

/** Tell the panel when the fused kernel fell back to the op-by-op path, and why (once per reason). */
function reportFallbacks(): void {
  const why = takeFallbacks();
  if (!backendInfo || !why.length) return;
  const known = backendInfo.fallbacks ?? [];
  const fresh = why.filter((w) => !known.includes(w));
  if (!fresh.length) return;
  backendInfo = { ...backendInfo, fallbacks: [...known, ...fresh] };
  out.send({ type: 'backend', info: backendInfo });
}

/** Probe, sample and gradient requests that arrive while the session trains wait for its next boundary. */
let queued: (() => Promise<void>)[] = [];
function withTrainer(f: () => Promise<void>): Promise<void> {
  if (session?.isRunning) {
    queued.push(f);
    return Promise.resolve();
  }
  return exclusive(f);
}
async function runQueued(): Promise<void> {
  const q = queued;
  queued = [];
  for (const f of q) await f().catch((e) => log('warn', `worker: ${(e as Error).message}`));
}

async function runLoop(): Promise<void> {
  try {
    // serialised: a Resume right after a Pause runs once the paused run() has returned
    await exclusive(async () => {
      if (phase !== 'running') return;
      const end = await session!.run();
      if (end) await finish(end);
      // requests that came after the session's last boundary (e.g. while it evaluated at the end)
      await runQueued();
    });
  } catch (e) {
    setPhase('error');
    fail(t('training failed: {0}', (e as Error).message), [(e as Error).stack ?? '']);
    if (runId) {
      out.send({ type: 'done', clientRunId: runId, status: 'failed', step: trainer!.step, message: (e as Error).message });
      runId = undefined;
    }
  }
}

/** Class tasks whose evaluation is a confusion matrix (classification, tagging; not next-token models). */
function classTask(): boolean {
  return !!data && data.output.kind !== 'real' && !data.generative && data.structure !== 'encoder-decoder';
}

/**
 * The evaluation that fits the task (src/core/evaluate.ts, as the CLI's): on the validation set
 * after a validation, and at the end of a run on the test split when there is one (`final`).
 */
async function sendEvaluation(final: boolean): Promise<void> {
  if (!trainer || !data) return;
  const split = final ? undefined : data.valid.length ? 'validation' : 'training';
  try {
    const report = await trainer.report(split);
    out.send({ type: 'evaluation', ...(runId ? { clientRunId: runId } : {}), step: trainer.step, final, report });
  } catch (e) {
    log('warn', `evaluation failed: ${(e as Error).message}`);
  }
}

async function finish(end: SessionEnd, message?: string): Promise<void> {
  if (!runId) return;
  if (probesSkipped) log('info', `worker: ${probesSkipped} periodic snapshot(s) skipped while the page was drawing or hidden`);
  probesSkipped = 0;
  let weights;
  // no weights after a divergence: they are NaN
  if (end.status !== 'failed') {
    try {
      weights = await trainer!.stateDict();
    } catch (e) {
      log('error', `could not read the weights back: ${(e as Error).message}`);
    }
  }
  const msg = message ?? end.message;
  if (end.status !== 'failed') await sendEvaluation(true);
  out.send({
    type: 'done', clientRunId: runId, status: end.status, step: end.step, ...(msg ? { message: msg } : {}), ...(weights ? { weights } : {}),
    ...(end.earlyStopped ? { earlyStoppedAt: end.earlyStopped.step } : {}), ...(end.best ? { bestStep: end.best.step } : {}),
  });
  runId = undefined;
  if (end.status === 'completed') await sendProbe();
  if (phase !== 'done') setPhase('done');
  else out.send({ type: 'state', phase: 'done', step: trainer!.step, steps: trainer!.totalSteps });
}

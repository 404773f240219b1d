/**
 * The training worker: parses the definition, builds the dataset and trains with the core
 * Trainer on the best available backend, off the panel's UI thread. Talks to the page only
 * through the validated protocol (src/protocol).
 */
/// <reference lib="webworker" />
import { selectBackend } from './backend';
import { registerWebGpuKernels, setRecurrenceKernel } from '../src/gpu';
import { buildDataset } from '../src/core/tasks';
import { Trainer, DivergenceError, type MetricRow, type ProbeResult } from '../src/core/train';
import { normalizePath } from '../src/core/paths';
import type { ModelSpec } from '../src/core/spec';
import type { SeqData, Example } from '../src/core/data';
import {
  Receiver, Sender, toWorker,
  type ControlAction, type ExperimentMsg, type FromWorker, type Grid, type ModelInfo, type Phase, type ProbeResultMsg, type ToWorker, type WorkerIntervals,
} from '../src/protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const out = new Sender<FromWorker>((m, transfer) => scope.postMessage(m, transfer ?? []));
const log = (level: 'info' | 'warn' | 'error', message: string) => out.send({ type: 'log', level, message });
const inbox = new Receiver<ToWorker>(toWorker, (why) => log('warn', `worker: ${why}`), 'page->worker');

let trainer: Trainer | undefined;
let spec: ModelSpec | undefined;
let data: SeqData | undefined;
let phase: Phase = 'loading';
let metricsInterval = 10;
let probeInterval = 10;
/** Weights go to the page (and the run record) at most this often while training; 0: only at the end. */
let checkpointSeconds = 30;
let lastCheckpoint = 0;
let probeChoice: { example?: number; text?: string } = {};
let loopRunning = false;
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
  out.send({ type: 'state', phase, step: trainer?.step ?? 0, steps: spec?.training.steps ?? 0 });
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

/** The page's metrics, probe and checkpoint intervals (from 'init' or 'settings'). */
function applyIntervals(m: WorkerIntervals): void {
  metricsInterval = Math.max(1, m.metricsInterval);
  probeInterval = Math.max(1, m.probeInterval);
  checkpointSeconds = m.checkpointSeconds;
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init':
      initialised = true;
      applyIntervals(m);
      return init(m.experiment, m.preferredBackend, m.wasm);
    case 'settings':
      applyIntervals(m);
      return;
    case 'control':
      return control(m.action);
    case 'probeDrawn':
      probeUnacked = false;
      return;
    case 'probe':
      probeChoice = { ...(m.example !== undefined ? { example: m.example } : {}), ...(m.text !== undefined ? { text: m.text } : {}) };
      return exclusive(() => sendProbe());
    case 'sample':
      return exclusive(async () => {
        if (!trainer || !data?.generative) return fail('sampling needs a generative character model');
        const text = await trainer.sample({ length: m.length, temperature: m.temperature, ...(m.prefix ? { prefix: m.prefix } : {}) });
        out.send({ type: 'sample', text, temperature: m.temperature });
      });
    case 'gradients':
      return exclusive(async () => {
        if (!trainer) return fail('no model');
        const r = await trainer.probe(firstProbe(), { gradients: true });
        out.send({ type: 'gradients', loss: r.loss, grads: { gradNorms: r.gradNorms ?? [] } });
      });
  }
}

async function init(exp: ExperimentMsg, preferred: Parameters<typeof selectBackend>[0], wasm?: Record<string, ArrayBuffer>): Promise<void> {
  setPhase('loading');
  let info;
  try {
    info = await selectBackend(preferred, wasm);
  } catch (e) {
    setPhase('error');
    return fail((e as Error).message);
  }
  // On WebGPU the recurrence runs in our fused WGSL kernels (src/gpu): a few dispatches per
  // layer direction instead of a dozen ops per timestep. Elsewhere the op-by-op cells run.
  if (info.name === 'webgpu') registerWebGpuKernels();
  else setRecurrenceKernel(undefined);
  out.send({ type: 'backend', info });
  if (exp.fileErrors.length) {
    setPhase('error');
    return fail('The definition references data the panel could not read', exp.fileErrors);
  }
  if (exp.problems.length || !exp.spec) {
    setPhase('error');
    const n = exp.problems.length;
    return fail(n ? `${exp.relPath} has ${n} error${n === 1 ? '' : 's'}` : `${exp.relPath} could not be parsed`, exp.problems);
  }
  spec = exp.spec as ModelSpec;
  const files = new Map(exp.files.map((f) => [normalizePath(f.path), f.text]));
  try {
    data = buildDataset(spec, {
      definitionFile: exp.definitionFile,
      workspaceRoot: exp.workspaceRoot,
      readFile: (abs: string) => {
        const t = files.get(normalizePath(abs));
        if (t === undefined) throw new Error(`${abs} was not sent to the panel`);
        return t;
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
    return fail(`${exp.relPath}: data: ${(e as Error).message}`, Array.isArray(path) ? [`at ${path.join('.')}`] : undefined);
  }
  await exclusive(async () => {
    trainer = new Trainer(spec!, data!);
  });
  out.send({ type: 'ready', model: modelInfo(spec, data) });
  setPhase('ready');
  await exclusive(() => sendProbe());
}

function modelInfo(s: ModelSpec, d: SeqData): ModelInfo {
  const pool = d.valid.length ? d.valid : d.train;
  const probes = pool.slice(0, 50).map((ex, index) => ({ index, label: exampleLabel(d, ex) }));
  let params = 0;
  for (const v of trainer!.model.params.values()) params += v.size;
  return {
    name: s.name, task: d.task, about: d.about, structure: s.structure, steps: s.training.steps, batchSize: s.training.batchSize,
    layers: s.layers.map((l) => ({ cell: l.cell, units: l.units, bidirectional: l.bidirectional })),
    inputKind: d.input.kind, outputKind: d.output.kind, generative: d.generative, params, probes,
  };
}

function exampleLabel(d: SeqData, ex: Example): string {
  if (d.input.kind === 'tokens') {
    const v = d.input.vocab;
    const sep = v.every((t) => t.length <= 1) ? '' : ' ';
    return ex.x.map((s) => v[s[0]!] ?? '?').join(sep).slice(0, 60);
  }
  return `${ex.x.length} steps × ${ex.x[0]?.length ?? 0} features`;
}

function firstProbe(): Example | string | undefined {
  if (!data) return undefined;
  if (probeChoice.text !== undefined && probeChoice.text.length) return probeChoice.text;
  const pool = data.valid.length ? data.valid : data.train;
  return pool[Math.min(probeChoice.example ?? 0, pool.length - 1)];
}

/**
 * Takes a hidden-state snapshot and sends it with its arrays transferred. A periodic snapshot
 * (`periodic`) is skipped while the page has not drawn the previous one; the first, the last and
 * requested ones are always sent.
 */
async function sendProbe(periodic = false): Promise<void> {
  if (!trainer) return;
  if (periodic && probeUnacked) {
    probesSkipped++;
    return;
  }
  try {
    const r = await trainer.probe(firstProbe(), { gradients: true });
    const { result, transfer } = packProbe(r);
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
export function packProbe(r: ProbeResult): { result: ProbeResultMsg; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const layers = r.layers.map((l) => {
    const gates: Partial<Record<string, Grid>> = {};
    for (const [k, g] of Object.entries(l.gates ?? {})) if (g) gates[k] = toGrid(g, transfer);
    return {
      layer: l.layer, direction: l.direction, cell: l.cell, units: l.units,
      ...((l as { name?: string }).name !== undefined ? { name: (l as { name?: string }).name } : {}),
      h: toGrid(l.h, transfer),
      ...(l.c ? { c: toGrid(l.c, transfer) } : {}),
      ...(l.gates ? { gates } : {}),
    };
  });
  const extra = r as ProbeResult & { outputTokens?: string[] };
  const result = {
    step: r.step, inputTokens: r.inputTokens, ...(extra.outputTokens ? { outputTokens: extra.outputTokens } : {}),
    layers, ...(r.gradNorms ? { gradNorms: r.gradNorms } : {}), prediction: r.prediction, loss: r.loss,
  } as ProbeResultMsg;
  return { result, transfer };
}

async function control(action: ControlAction): Promise<void> {
  if (!trainer || !spec || !data) {
    if (action === 'start' || action === 'step') log('warn', `'${action}' ignored: the model is not ready`);
    return;
  }
  switch (action) {
    case 'start':
      if (phase === 'running') return;
      if (phase === 'done') await reset();
      if (phase !== 'ready' && phase !== 'paused') return;
      setPhase('running');
      return runLoop();
    case 'resume':
      if (phase !== 'paused') return;
      setPhase('running');
      return runLoop();
    case 'pause':
      if (phase === 'running') setPhase('paused');
      return;
    case 'step':
      if (phase !== 'ready' && phase !== 'paused') return;
      setPhase('paused');
      return exclusive(async () => {
        await chunk(1);
        await sendProbe();
        if (trainer!.step >= spec!.training.steps) await finish('completed');
      });
    case 'stop':
      if (phase !== 'running' && phase !== 'paused') return;
      setPhase('done'); // the loop sees it and ends
      return exclusive(() => finish('stopped'));
    case 'reset':
      if (phase === 'running' || phase === 'paused') {
        setPhase('done');
        await exclusive(() => finish('stopped', 'reset'));
      }
      await reset();
      return;
  }
}

async function reset(): Promise<void> {
  await exclusive(async () => {
    trainer?.dispose();
    trainer = new Trainer(spec!, data!);
  });
  setPhase('ready');
  await exclusive(() => sendProbe());
}

const yieldToMessages = () => new Promise<void>((r) => setTimeout(r, 0));

async function chunk(n: number): Promise<MetricRow | undefined> {
  try {
    const row = await trainer!.runSteps(n);
    out.send({ type: 'metrics', rows: [row as never] });
    return row;
  } catch (e) {
    if (e instanceof DivergenceError) {
      setPhase('done');
      await finish('failed', e.message);
      return undefined;
    }
    throw e;
  }
}

/** Send the weights when `checkpointSeconds` have passed since the run started or last did. */
async function maybeCheckpoint(): Promise<void> {
  if (checkpointSeconds <= 0 || Date.now() - lastCheckpoint < checkpointSeconds * 1000) return;
  lastCheckpoint = Date.now();
  try {
    out.send({ type: 'checkpoint', step: trainer!.step, weights: await trainer!.stateDict() });
  } catch (e) {
    log('error', `could not read the weights back for a checkpoint: ${(e as Error).message}`);
  }
}

async function runLoop(): Promise<void> {
  if (loopRunning) return;
  loopRunning = true;
  if (trainer!.step === 0) lastCheckpoint = Date.now();
  try {
    const total = spec!.training.steps;
    while (phase === 'running' && trainer!.step < total) {
      const step = trainer!.step;
      const toMetrics = metricsInterval - (step % metricsInterval);
      const toProbe = probeInterval - (step % probeInterval);
      const n = Math.min(toMetrics, toProbe, total - step);
      const done = await exclusive(async () => {
        const row = await chunk(n);
        if (!row) return true;
        if (trainer!.step >= total) await sendProbe();
        else {
          if (trainer!.step % probeInterval === 0) await sendProbe(true);
          await maybeCheckpoint();
        }
        return false;
      });
      if (done) return;
      await yieldToMessages();
    }
    if (phase === 'running' && trainer!.step >= total) {
      setPhase('done');
      await exclusive(() => finish('completed'));
    }
  } catch (e) {
    setPhase('error');
    fail(`training failed: ${(e as Error).message}`, [(e as Error).stack ?? '']);
    await exclusive(() => finish('failed', (e as Error).message)).catch(() => undefined);
  } finally {
    loopRunning = false;
  }
}

async function finish(status: 'completed' | 'stopped' | 'failed', message?: string): Promise<void> {
  if (probesSkipped) log('info', `worker: ${probesSkipped} periodic snapshot(s) skipped while the page was drawing or hidden`);
  probesSkipped = 0;
  let weights;
  try {
    weights = await trainer!.stateDict();
  } catch (e) {
    log('error', `could not read the weights back: ${(e as Error).message}`);
  }
  out.send({ type: 'done', status, step: trainer!.step, ...(message ? { message } : {}), ...(weights ? { weights } : {}) });
  if (phase !== 'done') setPhase('done');
  else out.send({ type: 'state', phase: 'done', step: trainer!.step, steps: spec!.training.steps });
}

/**
 * What training a definition will hold in memory, estimated before anything is allocated, and the
 * check against a memory budget (setting `seqlab.memoryBudgetMB`, CLI `--memory-budget MB`).
 * Without it, 16 LSTM layers of 4096 units or batchSize 65536 start, grow to 4 GB and die with
 * wasm's `Aborted()`; with it they are refused at the field that makes them too big.
 *
 * In float32 (4 bytes) unless noted, with B = batchSize, T = timesteps kept for BPTT (the whole
 * sequence, or the tbptt window), H = units, F = a layer's input width, D = directions:
 *
 *   parameters   P = sum over layers and directions of G·H·(F + H) + 2·G·H (biases),
 *                G = 1 (rnn), 3 (gru), 4 (lstm); plus embeddings and the head
 *   gradients    P                       (one per parameter)
 *   optimizer    k·P                     k = 0 sgd, 1 momentum, 2 rmsprop, 2 adam
 *   activations  B·T·D·H·A per layer     A = floats kept per unit and step for the backward pass:
 *                                        rnn 3 (pre-activation, h, grad), gru 9, lstm 12 (gates,
 *                                        c, tanh c, h); plus B·T·(F₀ + 3·V) for inputs and the head
 *   data         E·T·64 bytes            E examples, each step an array of numbers in JS
 *
 * These are estimates meant to catch what cannot fit (they are within a small factor of what the
 * backends allocate), not an accounting of every buffer.
 */
import type { ModelSpec, LayerSpec, CellType } from './spec';
import { inputWidth, outputWidth, type SeqData } from './data';
import { TASKS } from './tasks/catalog';
import type { JsonPath } from './dsl/diagnostics';
import { messagesFor, type Messages, type MemoryRemedy } from './dsl/messages';

/** Default budget, documented in docs/dsl.md and README: what a wasm heap (4 GB at most) reliably gives. */
export const DEFAULT_MEMORY_BUDGET_MB = 2048;

const GATES: Record<CellType, number> = { rnn: 1, gru: 3, lstm: 4 };
const KEPT_PER_UNIT: Record<CellType, number> = { rnn: 3, gru: 9, lstm: 12 };
// state tensors per parameter: rmsprop's square average, plus its momentum buffer and centred mean when set (3 at most)
const OPTIMIZER_SLOTS: Record<ModelSpec['training']['optimizer'], number> = { sgd: 0, momentum: 1, rmsprop: 3, adam: 2, adamw: 2 };
const BYTES_PER_DATA_STEP = 64;

/** The sizes the estimate needs; from the built data set, or lower bounds before it is built. */
export interface CostShape {
  /** Width of the input (vocabulary size or real features). */
  inputWidth: number;
  /** Width of the output (classes or features). */
  outputWidth: number;
  /** Input timesteps of an example. */
  timesteps: number;
  /** Output timesteps of an example (the decoder's, for encoder-decoder). */
  outputSteps: number;
  /** Examples held (train + validation). */
  examples: number;
}

export interface CostEstimate {
  parameters: number;
  bytes: { parameters: number; gradients: number; optimizer: number; activations: number; data: number };
  total: number;
  /** The field a person should change to make it smaller, and how (the largest part decides; words.memoryRemedy reads it). */
  culprit: { path: JsonPath; remedy: MemoryRemedy };
}

function layerParams(l: LayerSpec, inputWidth: number): number {
  const G = GATES[l.cell] ?? 1;
  const dirs = l.bidirectional ? 2 : 1;
  return dirs * (G * l.units * (inputWidth + l.units) + (l.bias ? 2 * G * l.units : 0));
}

function layerOutput(l: LayerSpec): number {
  return l.bidirectional && l.merge === 'concat' ? 2 * l.units : l.units;
}

export function estimateCost(spec: ModelSpec, shape: CostShape): CostEstimate {
  const t = spec.training;
  const B = Math.max(1, Math.min(t.batchSize, Math.max(1, shape.examples)));
  const truncated = spec.structure === 'many-to-many' && t.tbptt > 0 && t.tbptt < shape.timesteps;
  const T = truncated ? t.tbptt : shape.timesteps;
  const Tout = spec.structure === 'encoder-decoder' ? shape.outputSteps : 0;
  const embed = spec.input.encoding === 'embedding';
  const F0 = (embed ? spec.input.embeddingSize : shape.inputWidth) + (spec.input.positionFeature ? 1 : 0);

  let params = embed ? shape.inputWidth * spec.input.embeddingSize : 0;
  let acts = B * T * F0;
  let biggest = { bytes: 0, path: ['layers'] as JsonPath, units: 0 };
  const stack = (layers: LayerSpec[], prefix: JsonPath, steps: number, width: number) => {
    let F = width;
    layers.forEach((l, i) => {
      const p = layerParams(l, F);
      const a = B * steps * (l.bidirectional ? 2 : 1) * l.units * (KEPT_PER_UNIT[l.cell] ?? 12);
      params += p;
      acts += a;
      const share = p * 4 * (2 + (OPTIMIZER_SLOTS[t.optimizer] ?? 2)) + a * 4;
      if (share > biggest.bytes) biggest = { bytes: share, path: [...prefix, i, 'units'], units: l.units };
      F = layerOutput(l);
    });
    return F;
  };
  const top = stack(spec.layers, ['layers'], T, F0);
  let headIn = top;
  if (spec.structure === 'encoder-decoder') {
    if (embed) params += shape.outputWidth * spec.input.embeddingSize;
    // bahdanau feeds the context (the encoder's output width, K) to the decoder beside the token
    const context = spec.attention === 'bahdanau' ? top : 0;
    headIn = stack(spec.decoderLayers, ['decoder', 'layers'], Tout, (embed ? spec.input.embeddingSize : shape.outputWidth) + (spec.input.positionFeature ? 1 : 0) + context);
    const Hd = headIn;
    // attention (src/core/attention.ts): its Linear layers, and per target step the scores and
    // weights over the T source steps (bahdanau also keeps tanh(query + key) [T, Hd])
    if (spec.attention === 'bahdanau') {
      params += Hd * Hd + Hd + Hd * top + Hd + Hd + 1;
      acts += B * Tout * T * (2 * Hd + 2);
    } else if (spec.attention) {
      params += (spec.attention === 'luong-general' ? Hd * top : 0) + (top + Hd) * Hd;
      acts += B * Tout * (T * 2 + 2 * (top + Hd));
    }
    // a bidirectional encoder layer's learned bridge: nn.Linear(2H, H) for h (and c)
    if ((spec.bridge ?? 'linear') === 'linear') {
      for (const l of spec.layers) if (l.bidirectional) params += (l.cell === 'lstm' ? 2 : 1) * (2 * l.units * l.units + l.units);
    }
  }
  params += headIn * shape.outputWidth + shape.outputWidth;
  const headSteps = spec.structure === 'many-to-one' ? 1 : spec.structure === 'encoder-decoder' ? Tout : T;
  acts += B * headSteps * 3 * shape.outputWidth;

  const bytes = {
    parameters: params * 4,
    gradients: params * 4,
    optimizer: params * 4 * (OPTIMIZER_SLOTS[t.optimizer] ?? 2),
    activations: acts * 4,
    data: shape.examples * (shape.timesteps + Math.max(shape.outputSteps, 1)) * BYTES_PER_DATA_STEP,
  };
  const total = bytes.parameters + bytes.gradients + bytes.optimizer + bytes.activations + bytes.data;

  // Who to blame: the largest part, and within the model the largest layer.
  const modelBytes = bytes.parameters + bytes.gradients + bytes.optimizer;
  let culprit: CostEstimate['culprit'];
  if (bytes.data >= modelBytes && bytes.data >= bytes.activations) {
    culprit = spec.data.task === 'text'
      ? { path: ['data', spec.data.file !== undefined ? 'file' : 'text'], remedy: { kind: spec.data.file !== undefined ? 'file' : 'text' } }
      : { path: ['data', 'samples'], remedy: { kind: 'samples' } };
  } else if (bytes.activations >= modelBytes && biggest.bytes < bytes.activations / 2) {
    culprit = { path: ['training', 'batchSize'], remedy: { kind: 'batch', batchSize: t.batchSize, tbptt: spec.structure === 'many-to-many' } };
  } else if (bytes.activations >= modelBytes) {
    culprit = { path: ['training', 'batchSize'], remedy: { kind: 'batch-or-layer', batchSize: t.batchSize, layer: pathText(biggest.path), units: biggest.units } };
  } else {
    culprit = { path: biggest.path, remedy: { kind: 'layer', layer: pathText(biggest.path), units: biggest.units } };
  }
  return { parameters: params, bytes, total, culprit };
}

function pathText(p: JsonPath): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i ? `.${s}` : s)).join('');
}

function mb(bytes: number): string {
  const m = bytes / (1024 * 1024);
  return m >= 1024 ? `${(m / 1024).toFixed(1)} GB` : `${m < 10 ? m.toFixed(1) : Math.round(m).toLocaleString('en-US')} MB`;
}

/**
 * The budget message (catalogue entry 'memory-budget', in the language of `m`) for an estimate over
 * `budgetMB`, or undefined when it fits.
 */
export function overBudget(e: CostEstimate, budgetMB: number, optimizer: string, m: Messages = messagesFor('en')): { path: JsonPath; message: string } | undefined {
  if (!(e.total > budgetMB * 1024 * 1024)) return undefined;
  const b = e.bytes;
  const parts = m.words.memoryParts({
    parameters: e.parameters.toLocaleString('en-US'),
    parameterBytes: mb(b.parameters),
    gradients: mb(b.gradients),
    optimizer,
    optimizerBytes: b.optimizer ? mb(b.optimizer) : '',
    activations: mb(b.activations),
    data: mb(b.data),
  });
  return {
    path: e.culprit.path,
    message: m.text('memory-budget', { total: mb(e.total), parts, budget: budgetMB.toLocaleString('en-US'), remedy: m.words.memoryRemedy(e.culprit.remedy) }),
  };
}

/** Shape of a built data set. */
export function shapeOfData(d: SeqData): CostShape {
  const ex = d.train[0] ?? d.valid[0];
  return {
    inputWidth: inputWidth(d),
    outputWidth: outputWidth(d),
    timesteps: ex ? ex.x.length : 1,
    outputSteps: ex ? ex.y.length : 1,
    examples: d.train.length + d.valid.length,
  };
}

/**
 * Lower bounds of the shape from the definition alone (before the data is built): what the fields
 * say, 1 where the data decides (a text's vocabulary, a fixed-length task's length).
 */
export function shapeFromSpec(spec: ModelSpec): CostShape {
  const d = spec.data;
  const chars = (s: string | undefined) => (s === undefined ? 0 : new Set(Array.from(s)).size);
  let width = 1;
  let steps = 1;
  let examples = Math.max(1, d.samples);
  switch (d.task) {
    case 'hello':
      width = chars(d.word);
      steps = Math.max(1, Array.from(d.word).length - 1);
      examples = 1;
      break;
    case 'text': {
      width = d.vocabulary?.length ?? chars(d.text) ?? 1;
      steps = spec.training.sequenceLength;
      const n = d.text !== undefined ? Array.from(d.text).length : 0;
      examples = Math.max(1, Math.floor(n / Math.max(1, steps)));
      break;
    }
    case 'copy':
    case 'reverse':
      width = d.symbols;
      steps = d.length;
      break;
    case 'parity':
      width = 2;
      steps = d.length;
      break;
    case 'adding':
      width = 2;
      steps = d.length;
      break;
    case 'sine':
      steps = d.length;
      break;
  }
  const outW = TASKS[d.task]?.output === 'classes' ? Math.max(1, width) : 1;
  return { inputWidth: Math.max(1, width), outputWidth: outW, timesteps: Math.max(1, steps), outputSteps: spec.structure === 'many-to-one' ? 1 : Math.max(1, steps), examples };
}

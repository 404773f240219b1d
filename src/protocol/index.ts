/**
 * The training panel's ONE message protocol: extension host <-> webview <-> training worker.
 *
 * Every message is `{ v: PROTOCOL_VERSION, seq, type, ...fields }`. `seq` increases by one per
 * sender and channel; a receiver drops anything malformed, from another protocol version, or out of
 * order (seq not greater than the last accepted one), logs why, and never acts on it. Run-scoped
 * messages (metrics, runEnd) must belong to a run the receiver saw start: {@link RunLifecycle}.
 *
 * Types are inferred from the validators, so what is checked on receipt is exactly what is typed.
 * Platform-neutral: imported by the host (Node), the webview and the worker (browser).
 */
import {
  arr, arrayBuffer, bool, count, finite, grid, lit, matrix, nullable, num, nums, obj, oneOf, opt, record, str, tagged, union,
  type Check, type Grid, type Infer,
} from './validate';
import { GATE_NAMES, type GateName } from '../core/cells/types';
export type { Grid } from './validate';

/**
 * 2: probe traces are Float32Array grids (transferred); the page acknowledges drawn probes.
 * 3: the worker owns run identity (runStart, clientRunId on run messages), validates, reports the
 *    best step and early stopping, checkpoints carry what resuming needs; probes get a time share.
 */
export const PROTOCOL_VERSION = 3;

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const PREFERENCES = ['auto', ...BACKENDS] as const;
export type BackendPreference = (typeof PREFERENCES)[number];
export const CONTROL_ACTIONS = ['start', 'pause', 'resume', 'step', 'stop', 'reset'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];
export const PHASES = ['loading', 'ready', 'running', 'paused', 'done', 'error'] as const;
export type Phase = (typeof PHASES)[number];
/** Run statuses as the run store writes them (src/node/runStore.ts), and those a run can end with. */
export const RUN_STATUSES = ['running', 'completed', 'failed', 'stopped', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const END_STATUSES = ['completed', 'stopped', 'failed'] as const;
export type EndStatus = (typeof END_STATUSES)[number];

function msg<T extends string, S extends Record<string, Check<unknown>>>(type: T, fields: S) {
  return obj({ v: lit(PROTOCOL_VERSION), seq: count, type: lit(type), ...fields });
}

// ---- shared payloads ------------------------------------------------------------------------

export const metricRow = obj({
  step: count, loss: num, accuracy: opt(num), perplexity: opt(num), validLoss: opt(num),
  validAccuracy: opt(num), validPerplexity: opt(num), validExactMatch: opt(num), validTokenAccuracy: opt(num), validBleu: opt(num), gradNorm: opt(num), learningRate: opt(num), elapsedMs: num,
});
/** The core's MetricRow (src/core/train.ts), checked on receipt: the same type (see the compile-time check below). */
export type MetricRowMsg = Infer<typeof metricRow>;

export const backendInfo = obj({
  name: oneOf(...BACKENDS),
  preferred: oneOf(...PREFERENCES),
  /** GPU adapter (webgpu) or renderer (webgl) description, when known. */
  adapter: opt(obj({ vendor: str, architecture: str, device: opt(str), description: opt(str), fallback: opt(bool) })),
  /** Every backend tried before the one in use, and why it was not used. */
  skipped: arr(obj({ name: oneOf(...BACKENDS), reason: str })),
  /**
   * Why the fused recurrent kernel (src/core/fused.ts) fell back to the op-by-op path for some
   * batches (e.g. a variable-length batch it does not take); sent again when a new reason appears.
   */
  fallbacks: opt(arr(str)),
});
export type BackendInfo = Infer<typeof backendInfo>;

const gateKeys = GATE_NAMES;
export type GateKey = GateName;
const gates: Check<Partial<Record<GateKey, Grid>>> = (v, p) => {
  const e = record(grid)(v, p);
  if (e) return e;
  for (const k of Object.keys(v as object)) if (!(gateKeys as readonly string[]).includes(k)) return `${p}: unknown gate '${k}'`;
  return undefined;
};

export const traceLayer = obj({
  layer: count, direction: oneOf('forward', 'backward'), cell: oneOf('rnn', 'lstm', 'gru'), units: count,
  /** Present for encoder-decoder models: 'encoder' | 'decoder'. */
  name: opt(str),
  /** [T][units] */
  h: grid, c: opt(grid), gates: opt(gates),
  /** ||dL/dh_t|| of this layer and direction per t (time order), when the probe took gradients. */
  gradNorms: opt(nums),
});
export type TraceLayerMsg = Infer<typeof traceLayer>;

/** A typed (or encoder-decoder) probe's prediction: src/core/predict.ts TypedPrediction, checked on receipt. */
const scoredLabel = obj({ label: str, probability: num });
const decodedOutput = obj({ output: str, tokens: arr(str), logProb: num, finished: bool, score: opt(num) });
export const typedPrediction = obj({
  input: str, unknown: opt(arr(str)),
  label: opt(str), probability: opt(num), top: opt(arr(scoredLabel)), flags: opt(record(bool)),
  tokens: opt(arr(str)), tags: opt(arr(str)), probabilities: opt(nums),
  output: opt(str), logProb: opt(num), finished: opt(bool), truncated: opt(bool), target: opt(str), score: opt(num), alternatives: opt(arr(decodedOutput)),
  sourceTokens: opt(arr(str)), attention: opt(matrix),
  next: opt(arr(obj({ token: str, probability: num }))), continuation: opt(str),
  prediction: opt(record(num)), predictions: opt(arr(record(num))),
});
export type TypedPredictionMsg = Infer<typeof typedPrediction>;

export const probeResult = obj({
  step: count,
  inputTokens: arr(str),
  /** Labels of the output time axis when it differs from the input's (encoder-decoder). */
  outputTokens: opt(arr(str)),
  layers: arr(traceLayer),
  gradNorms: opt(nums),
  /** encoder-decoder with attention: weights [target step][source step] (for an alignment view). */
  attention: opt(grid),
  /** The prediction on typed input (any task), or an encoder-decoder's free-running output (and the beam's alternatives). */
  typed: opt(typedPrediction),
  prediction: union(
    obj({ kind: lit('classes'), tokens: arr(str), probs: nums, targets: opt(arr(str)) }),
    obj({ kind: lit('binary'), probs: nums, labels: arr(str), targets: opt(nums) }),
    obj({ kind: lit('real'), predicted: matrix, target: matrix }),
  ),
  loss: num,
  /** Regression: the probe on a time axis, the target's own input window first (src/core/evaluate.ts forecastWindow). */
  forecast: opt(obj({ target: str, units: oneOf('original', 'as-is'), past: nums, at: nums, predicted: nums, truth: nums })),
});
export type ProbeResultMsg = Infer<typeof probeResult>;
const forecastMatches: Same<NonNullable<ProbeResultMsg['forecast']>, import('../core/evaluate').ForecastWindow> = true;
void forecastMatches;

/** The evaluation that fits the task (src/core/evaluate.ts EvaluationReport), as the worker sends it. */
const reportBase = { split: oneOf('test', 'validation', 'training'), examples: count, loss: num };
export const evaluationReport = union(
  obj({
    ...reportBase, kind: lit('classification'), n: count, accuracy: num, macroF1: num, labels: arr(str),
    classes: arr(obj({ label: str, precision: num, recall: num, f1: num, support: count })), confusion: matrix,
  }),
  obj({ ...reportBase, kind: lit('regression'), n: count, units: oneOf('original', 'as-is'), targets: arr(obj({ name: str, mae: num, rmse: num })) }),
  obj({
    ...reportBase, kind: lit('language'), n: count, perplexity: num, accuracy: num,
    freeRunning: opt(obj({ exactMatch: num, tokenAccuracy: num, bleu: opt(num) })),
  }),
);
export type EvaluationReportMsg = Infer<typeof evaluationReport>;
const evaluationMatches: Same<EvaluationReportMsg, import('../core/evaluate').EvaluationReport> = true;
void evaluationMatches;

export const stateDict = record(obj({ shape: arr(count), data: nums }));

export const runSummaryLite = obj({
  id: str, name: str, status: oneOf(...RUN_STATUSES),
  backend: str, startedAt: str, endedAt: opt(str), step: count, steps: count,
  finalLoss: opt(num), lastLoss: opt(num), validLoss: opt(num), accuracy: opt(num), message: opt(str),
  /** The step of the run's checkpoint: a stopped or interrupted run with one can be resumed. */
  checkpointStep: opt(count),
});
export type RunSummaryLite = Infer<typeof runSummaryLite>;

const isNull: Check<null> = (v, p) => (v === null ? undefined : `${p}: expected null`);

/** A past run of the same experiment, drawn as an overlay (few fields, thinned rows). */
export const overlayRun = obj({
  id: str, label: str, status: str,
  steps: nums, loss: nums, validLoss: opt(arr(union(num, isNull))),
});
export type OverlayRun = Infer<typeof overlayRun>;

export const settings = obj({
  preferredBackend: oneOf(...PREFERENCES),
  /** Metrics (the loss) are read back from the device every N steps. */
  metricsInterval: count,
  /** Hidden-state snapshots (probes) may take at most this percentage of the training time. */
  probeTimeShare: count,
  /** While training, the weights go to the run record at most every N seconds (0: only at the end). */
  checkpointSeconds: count,
});
export type PanelSettings = Infer<typeof settings>;

/**
 * A data file as the host read it: its bytes, decoded (UTF-8, BOM dropped: src/core/bom.ts decodeText)
 * by the worker that builds the data. Host -> webview -> worker, the bytes travel as a transferred
 * ArrayBuffer, never as one JSON string.
 */
export const sourceFile = obj({ path: str, bytes: arrayBuffer });

// The normalised definition (src/core/spec.ts). The host parses the definition (ajv, which the
// parser uses, compiles validators with Function(): not allowed under the webview's CSP) and the
// worker checks the result's shape here before training on it.
const layerSpec = obj({
  cell: oneOf('rnn', 'lstm', 'gru'), units: count, activation: oneOf('tanh', 'relu'), bias: bool,
  bidirectional: bool, merge: oneOf('concat', 'sum', 'mul', 'avg'), dropout: finite,
});
const scheduleSpec = union(
  obj({ type: lit('none') }),
  obj({ type: lit('step'), stepSize: count, gamma: finite }),
  obj({ type: lit('exponential'), gamma: finite }),
  obj({ type: lit('cosine'), warmupSteps: count, warmupStartFactor: finite, minLr: finite }),
  obj({ type: lit('plateau'), factor: finite, patience: count, threshold: finite, cooldown: count, minLr: finite }),
);
export const modelSpec = obj({
  name: str, description: str,
  data: obj({
    task: oneOf('hello', 'copy', 'reverse', 'adding', 'parity', 'sine', 'sentiment', 'tagging', 'spell', 'text', 'classify', 'tag', 'pairs', 'forecast'),
    seed: finite, samples: count, validation: finite, length: count, word: str, symbols: count, test: opt(finite),
    file: opt(str), text: opt(str), column: opt(union(str, finite)), vocabulary: opt(arr(str)),
    folder: opt(str), format: opt(oneOf('csv', 'tsv', 'jsonl', 'conll')), textField: opt(union(str, finite)), labelField: opt(union(str, finite)),
    tokenize: opt(oneOf('characters', 'words')), lowercase: opt(bool), maxVocab: opt(count), minCount: opt(count),
    features: opt(arr(union(str, finite))), targets: opt(arr(union(str, finite))), horizon: opt(count), stride: opt(count),
    scaling: opt(oneOf('minmax', 'zscore', 'none')),
  }),
  input: obj({ encoding: oneOf('onehot', 'embedding'), embeddingSize: count, positionFeature: bool }),
  layers: arr(layerSpec),
  decoderLayers: arr(layerSpec),
  attention: opt(oneOf('bahdanau', 'luong-general', 'luong-dot')),
  bridge: opt(oneOf('linear', 'sum')),
  decoderMaxLength: opt(count),
  initialState: oneOf('zeros', 'random', 'learned'),
  structure: oneOf('many-to-one', 'many-to-many', 'one-to-many', 'encoder-decoder'),
  head: obj({ activation: oneOf('softmax', 'sigmoid', 'linear'), loss: oneOf('cross-entropy', 'binary-cross-entropy', 'mse'), dropout: finite }),
  training: obj({
    optimizer: oneOf('sgd', 'momentum', 'rmsprop', 'adam', 'adamw'), learningRate: finite, momentum: finite, nesterov: bool,
    beta1: finite, beta2: finite, epsilon: finite, rho: finite, centered: bool, weightDecay: finite, batchSize: count, steps: count, epochs: opt(finite),
    sequenceLength: count, tbptt: count, clip: obj({ type: oneOf('none', 'norm', 'value'), threshold: finite }),
    schedule: scheduleSpec,
    seed: finite, logEvery: opt(count), evalEvery: opt(count),
    earlyStopping: opt(obj({ patience: count, minDelta: finite })),
  }),
});
/** What the worker validates is exactly src/core/spec.ts's ModelSpec: a compile error here when they drift apart. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * What a run's data.json records (src/core/data.ts DataInfo): vocabularies, tokenizer, scaling. The
 * worker sends it with a panel run's runStart, so that the panel's runs have the one record of their
 * vocabulary that CLI runs have (and a resumed run is checked against it).
 */
const columnScale = obj({ name: str, offset: finite, scale: finite });
export const dataInfoMsg = obj({
  format: lit('seqlab-data/1'), task: str, structure: oneOf('many-to-one', 'many-to-many', 'one-to-many', 'encoder-decoder'),
  input: union(obj({ kind: lit('tokens'), vocab: arr(str) }), obj({ kind: lit('real'), features: count, names: opt(arr(str)) })),
  output: union(
    obj({ kind: lit('classes'), classes: arr(str) }), obj({ kind: lit('binary'), labels: arr(str) }),
    obj({ kind: lit('real'), features: count, names: opt(arr(str)) }),
  ),
  startToken: opt(count), endToken: opt(count), generative: bool,
  tokenizer: opt(obj({ level: oneOf('characters', 'words'), lowercase: bool })),
  scaling: opt(obj({ method: oneOf('minmax', 'zscore', 'none'), features: arr(columnScale), targets: arr(columnScale) })),
  sizes: obj({ train: count, valid: count, test: count }),
  outputLength: opt(count), inputLength: opt(count),
});
const dataInfoMatches: Same<Infer<typeof dataInfoMsg>, import('../core/data').DataInfo> = true;
void dataInfoMatches;
const specMatches: Same<Infer<typeof modelSpec>, Omit<import('../core/spec').ModelSpec, 'sweep'>> = true;
// every field but the sweep travels (an optional field left out of the validator would pass the check above but be dropped as unknown on receipt)
const specKeys: Same<keyof Infer<typeof modelSpec>, Exclude<keyof import('../core/spec').ModelSpec, 'sweep'>> = true;
void specKeys;
export type SpecMsg = Infer<typeof modelSpec>;
/**
 * The definition as the panel trains it: the definition itself, without its `sweep` section (the
 * trials of a sweep train in the background: Run Sweep). The worker would drop a spec carrying it.
 */
export function panelSpec(spec: import('../core/spec').ModelSpec): SpecMsg {
  const { sweep: _sweep, ...rest } = spec;
  return rest;
}
const rowMatches: Same<MetricRowMsg, import('../core/train').MetricRow> = true;
void specMatches;
void rowMatches;

/** What resuming needs besides the weights (src/core/session.ts Checkpoint), as plain data. */
const tensorJson = obj({ shape: arr(count), data: nums });
export const resumeState = obj({
  optimizer: obj({ optimizer: str, step: count, slots: record(tensorJson) }),
  progress: obj({
    step: count, rng: count, order: arr(count), cursor: count, elapsedMs: finite,
    tbptt: opt(obj({ batch: arr(count), offset: count, state: opt(arr(obj({ h: tensorJson, c: opt(tensorJson) }))) })),
    schedule: opt(obj({ lr: finite, best: nullable(finite), badEpochs: count, cooldownLeft: count })),
  }),
  session: obj({ best: opt(obj({ step: count, validLoss: finite })), sinceBest: count }),
});
export type ResumeState = Infer<typeof resumeState>;
const checkpointMatches: Same<ResumeState, Omit<import('../core/checkpoint').Checkpoint, 'format' | 'step' | 'weights'>> = true;
void checkpointMatches;
const typedMatches: Same<TypedPredictionMsg, import('../core/predict').TypedPrediction> = true;
void typedMatches;

/** The experiment as the host read it: definition text plus every data file it references. */
export const experiment = obj({
  key: str, name: str, definitionFile: str, relPath: str, workspaceRoot: str,
  definitionText: str, files: arr(sourceFile),
  /** Set when the host could not read a referenced file (shown, training refused). */
  fileErrors: arr(str),
  /** The parsed definition, absent when it has errors. */
  spec: opt(modelSpec),
  /** The definition's errors as `file:line:col: message` (training refused while any exist). */
  problems: arr(str),
  /** The training memory budget in MB (setting seqlab.memoryBudgetMB), checked again on the built data. */
  memoryBudgetMB: opt(finite),
});
export type ExperimentMsg = Infer<typeof experiment>;

export const restoredRun = obj({
  summary: runSummaryLite, metrics: arr(metricRow),
  /** The run's end-of-run evaluation (evaluation.json), when it has one. */
  evaluation: opt(evaluationReport),
});

/** The display language (vscode.env.language) and the host's l10n bundle (vscode.l10n.bundle; none in English). */
export const l10nInfo = obj({ language: str, bundle: opt(record(str)) });
export type L10nInfo = Infer<typeof l10nInfo>;

// ---- host -> webview ------------------------------------------------------------------------

export const hostToView = tagged({
  init: msg('init', {
    experiment, settings,
    assets: obj({ workerUrl: str, wasmBase: opt(str) }),
    /** The last run of this experiment (panel restored after a reload or reopened). */
    restore: opt(restoredRun),
    overlays: arr(overlayRun),
    /** The panel's strings: looked up in this bundle (webview/ui/l10n.ts). */
    l10n: opt(l10nInfo),
  }),
  /** The definition or its data changed on disk: the panel resets to it when idle. */
  experiment: msg('experiment', { experiment }),
  settings: msg('settings', { settings }),
  control: msg('control', { action: oneOf(...CONTROL_ACTIONS) }),
  /** Reply to runStart: the run store's id for the webview's run. */
  runCreated: msg('runCreated', { clientRunId: str, runId: str }),
  /** Reply to runStart: the host will not record this run (e.g. it already trains elsewhere); the panel stops it. */
  runRefused: msg('runRefused', { clientRunId: str, reason: str }),
  overlays: msg('overlays', { runs: arr(overlayRun) }),
  /** Reply to resumeRequest: the run's checkpoint, to continue it in the panel. */
  resume: msg('resume', { runId: str, step: count, weights: stateDict, state: resumeState }),
});
export type HostToView = Infer<typeof hostToView>;

// ---- webview -> host ------------------------------------------------------------------------

export const viewToHost = tagged({
  ready: msg('ready', {}),
  backend: msg('backend', { info: backendInfo }),
  state: msg('state', { phase: oneOf(...PHASES), step: count, steps: count }),
  /** A run starts; `resumeOf`: it continues that stopped or interrupted run (same record). */
  runStart: msg('runStart', { clientRunId: str, backend: str, steps: count, parameters: opt(count), resumeOf: opt(str), data: opt(dataInfoMsg) }),
  /** Resume this run in the panel (the host answers with 'resume', or says why not). */
  resumeRequest: msg('resumeRequest', { runId: str }),
  /** The user wants runs of any experiment overlaid on the chart: the host lets them pick ('experiment / run') and answers with 'overlays'. */
  pickOverlays: msg('pickOverlays', {}),
  metrics: msg('metrics', { clientRunId: str, rows: arr(metricRow) }),
  /** The weights at `step` of a run still training (and what resuming needs): the record keeps them if the panel closes. */
  checkpoint: msg('checkpoint', { clientRunId: str, step: count, weights: stateDict, resume: opt(resumeState) }),
  /** A new best validation loss and its weights (best.json). */
  best: msg('best', { clientRunId: str, step: count, validLoss: finite, weights: stateDict }),
  /** The end-of-run evaluation (evaluation.json), before runEnd. */
  evaluation: msg('evaluation', { clientRunId: str, report: evaluationReport }),
  runEnd: msg('runEnd', {
    clientRunId: str, status: oneOf(...END_STATUSES), step: count,
    message: opt(str), weights: opt(stateDict), earlyStoppedAt: opt(count), bestStep: opt(count),
  }),
  log: msg('log', { level: oneOf('info', 'warn', 'error'), message: str }),
  /** What the panel draws besides the basics, when it changes: the alignment view's size (target x source tokens) and snapshot step, or none. */
  views: msg('views', { alignment: opt(obj({ targets: count, sources: count, step: count })) }),
});
export type ViewToHost = Infer<typeof viewToHost>;

// ---- webview -> worker ----------------------------------------------------------------------

/** The panel settings the worker runs by (sent in 'init' and again in 'settings'). */
export type WorkerIntervals = Pick<PanelSettings, 'metricsInterval' | 'probeTimeShare' | 'checkpointSeconds'>;
export const workerIntervals = (s: PanelSettings): WorkerIntervals =>
  ({ metricsInterval: s.metricsInterval, probeTimeShare: s.probeTimeShare, checkpointSeconds: s.checkpointSeconds });

export const toWorker = tagged({
  init: msg('init', {
    experiment, preferredBackend: oneOf(...PREFERENCES), metricsInterval: count, probeTimeShare: count, checkpointSeconds: count,
    /** wasm binaries fetched by the page (workers from blob: URLs cannot fetch webview resources). */
    wasm: opt(record(arrayBuffer)),
    /** The worker's messages (errors, why a backend was not used) in the panel's language. */
    l10n: opt(l10nInfo),
  }),
  control: msg('control', { action: oneOf(...CONTROL_ACTIONS) }),
  settings: msg('settings', { metricsInterval: count, probeTimeShare: count, checkpointSeconds: count }),
  /** Continue a recorded run from its checkpoint (a new session; the run keeps its record). */
  restore: msg('restore', { runId: str, step: count, weights: stateDict, state: resumeState }),
  /**
   * Probe the model on a validation example (index) or on typed input (text, or numbers for a
   * real-valued model); `beam`: an encoder-decoder's beam width (1 or absent: greedy).
   */
  probe: msg('probe', { example: opt(count), text: opt(str), beam: opt(count) }),
  sample: msg('sample', { temperature: finite, length: count, prefix: opt(str) }),
  /** Test hook: loss and gradients of the current weights on the first training batch. */
  gradients: msg('gradients', {}),
  /**
   * The page drew the last probe it received. While a probe is not acknowledged the worker takes
   * no new periodic snapshot: snapshots never come faster than the page draws them (and none are
   * computed while the panel is hidden).
   */
  probeDrawn: msg('probeDrawn', { step: count }),
});
export type ToWorker = Infer<typeof toWorker>;

// ---- worker -> webview ----------------------------------------------------------------------

export const modelInfo = obj({
  name: str, task: str, about: str, structure: str, steps: count, batchSize: count,
  layers: arr(obj({ cell: oneOf('rnn', 'lstm', 'gru'), units: count, bidirectional: bool })),
  inputKind: oneOf('tokens', 'real'), outputKind: oneOf('classes', 'binary', 'real'),
  generative: bool, params: count,
  /**
   * Every recurrent layer as the probe's layers number them (an encoder-decoder's decoder layers
   * after the encoder's; stack 'rnn', 'encoder' or 'decoder'), with its parameters (both
   * directions); the head's parameters; the attention, if any (the unrolled view draws from these).
   */
  recurrentLayers: opt(arr(obj({
    layer: count, stack: oneOf('rnn', 'encoder', 'decoder'), cell: oneOf('rnn', 'lstm', 'gru'), activation: opt(oneOf('tanh', 'relu')),
    units: count, bidirectional: bool, merge: opt(oneOf('concat', 'sum', 'mul', 'avg')), params: count,
  }))),
  headParams: opt(count),
  attention: opt(str),
  /** Validation (or training) examples offered as probes. */
  probes: arr(obj({ index: count, label: str })),
});
export type ModelInfo = Infer<typeof modelInfo>;

export const fromWorker = tagged({
  backend: msg('backend', { info: backendInfo }),
  ready: msg('ready', { model: modelInfo }),
  state: msg('state', { phase: oneOf(...PHASES), step: count, steps: count }),
  /** A run starts (Start, or Step from ready): the worker names it; every run message carries the name. */
  runStart: msg('runStart', { clientRunId: str, steps: count, resumeOf: opt(str), fromStep: opt(count), data: opt(dataInfoMsg) }),
  metrics: msg('metrics', { clientRunId: str, rows: arr(metricRow) }),
  /** The weights while training (every `checkpointSeconds`), with what resuming needs. */
  checkpoint: msg('checkpoint', { clientRunId: str, step: count, weights: stateDict, resume: opt(resumeState) }),
  /** A new best validation loss, with its weights. */
  best: msg('best', { clientRunId: str, step: count, validLoss: finite, weights: stateDict }),
  /** Early stopping ended the run: no improvement for `patience` validations; the weights are bestStep's. */
  earlyStop: msg('earlyStop', { clientRunId: str, step: count, bestStep: count, bestLoss: finite, patience: count }),
  probe: msg('probe', { result: probeResult }),
  /**
   * The evaluation that fits the task: on the validation set after each validation (class tasks:
   * the confusion matrix), and at the end of a run (`final`: the test split when there is one).
   */
  evaluation: msg('evaluation', { clientRunId: opt(str), step: count, final: bool, report: evaluationReport }),
  /** Typed probe input the model cannot read (empty, wrong count of numbers, ...): shown by the input box; the probe stays as it was. */
  probeError: msg('probeError', { text: str, message: str }),
  sample: msg('sample', { text: str, temperature: num }),
  done: msg('done', {
    clientRunId: str, status: oneOf(...END_STATUSES), step: count, message: opt(str), weights: opt(stateDict),
    earlyStoppedAt: opt(count), bestStep: opt(count),
  }),
  /** Definition or data errors (with file position when the parser gave one), backend failures. */
  error: msg('error', { message: str, details: opt(arr(str)) }),
  gradients: msg('gradients', { loss: num, grads: record(nums) }),
  log: msg('log', { level: oneOf('info', 'warn', 'error'), message: str }),
});
export type FromWorker = Infer<typeof fromWorker>;

// ---- sending and receiving --------------------------------------------------------------------

type Body<M> = M extends unknown ? Omit<M, 'v' | 'seq'> : never;
export type Outgoing<M> = Body<M>;

/** Stamps version and sequence numbers on outgoing messages of one channel. */
export class Sender<M extends { type: string }> {
  private seq = 0;
  constructor(private readonly post: (m: M, transfer?: Transferable[]) => void) {}
  send(body: Body<M>, transfer?: Transferable[]): void {
    this.post({ v: PROTOCOL_VERSION, seq: ++this.seq, ...body } as unknown as M, transfer);
  }
}

/**
 * Validates incoming messages of one channel: shape, protocol version, and order. Returns the
 * typed message, or undefined after logging why it was dropped.
 */
export class Receiver<M extends { seq: number; type: string }> {
  private last = 0;
  dropped = 0;
  constructor(
    private readonly check: Check<M>,
    private readonly log: (why: string) => void,
    private readonly channel: string,
  ) {}
  accept(raw: unknown): M | undefined {
    const err = checkVersion(raw) ?? this.check(raw, this.channel);
    if (err) return this.drop(`malformed message dropped: ${err}`);
    const m = raw as M;
    if (m.seq <= this.last) return this.drop(`out-of-order message dropped: ${this.channel} '${m.type}' seq ${m.seq} after seq ${this.last}`);
    this.last = m.seq;
    return m;
  }
  /** A new peer (a reloaded webview, a restarted worker) starts its numbering again. */
  resetOrder(): void {
    this.last = 0;
  }
  private drop(why: string): undefined {
    this.dropped++;
    this.log(why);
    return undefined;
  }
}

function checkVersion(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined; // the shape check names it
  const v = (raw as { v?: unknown }).v;
  return v === PROTOCOL_VERSION ? undefined : `protocol version ${JSON.stringify(v)} (this side speaks ${PROTOCOL_VERSION})`;
}

/**
 * Run-scoped ordering on the host side: metrics, checkpoint and runEnd are accepted only for a run that
 * started and has not ended; a run id is never reused.
 */
export class RunLifecycle {
  private readonly open = new Set<string>();
  private readonly seen = new Set<string>();
  check(m: ViewToHost): string | undefined {
    switch (m.type) {
      case 'runStart':
        if (this.seen.has(m.clientRunId)) return `runStart for run '${m.clientRunId}' which already started`;
        if (this.open.size) return `runStart for '${m.clientRunId}' while run '${[...this.open][0]}' is still open`;
        return undefined;
      case 'metrics':
      case 'checkpoint':
      case 'best':
      case 'evaluation':
      case 'runEnd':
        return this.open.has(m.clientRunId) ? undefined : `${m.type} for run '${m.clientRunId}' which is not running`;
      default:
        return undefined;
    }
  }
  /** Record an accepted message. */
  apply(m: ViewToHost): void {
    if (m.type === 'runStart') {
      this.seen.add(m.clientRunId);
      this.open.add(m.clientRunId);
    } else if (m.type === 'runEnd') this.open.delete(m.clientRunId);
  }
  get openRun(): string | undefined {
    return [...this.open][0];
  }
}

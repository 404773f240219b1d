/**
 * Raw (schema-valid) definition -> ModelSpec, with every default filled in. The defaults here are
 * the ones documented in schema.ts and docs/dsl.md.
 */
import { TASKS } from '../tasks/catalog';
import type {
  AttentionType, BridgeType, ClipSpec, DataSpec, ScheduleSpec, HeadActivation, InputSpec, LayerSpec, Loss, ModelSpec, Structure, TaskName, TrainingSpec,
} from '../spec';
import { LOSS_FOR_HEAD } from './semantic';
import { isPlainObject } from './tree';

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (isPlainObject(v) ? v : {});
function pick<T>(v: unknown, def: T): T {
  return v === undefined ? def : (v as T);
}

export const DEFAULTS = {
  data: { seed: 1, samples: 1000, length: 16, symbols: 8, validation: 0.1, word: 'hello' },
  input: { encoding: 'onehot', embeddingSize: 16, positionFeature: false } as InputSpec,
  layer: { activation: 'tanh', bias: true, bidirectional: false, merge: 'concat', dropout: 0 } as Omit<LayerSpec, 'cell' | 'units'>,
  initialState: 'zeros',
  training: {
    // PyTorch's defaults, except momentum 0.9 for the momentum optimizer (torch.optim.SGD's is 0)
    optimizer: 'adam', learningRate: 0.01, momentum: 0.9, rmspropMomentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999,
    epsilon: 1e-8, rho: 0.99, centered: false, weightDecay: 0, adamwWeightDecay: 0.01,
    batchSize: 32, steps: 500, sequenceLength: 32, seed: 42,
  },
  earlyStopping: { minDelta: 0 },
  clip: { type: 'none', threshold: 5 } as ClipSpec,
  /** torch.optim.lr_scheduler's defaults (StepLR gamma, LinearLR start_factor, ReduceLROnPlateau's). */
  schedule: {
    step: { gamma: 0.1 },
    cosine: { warmupSteps: 0, warmupStartFactor: 1 / 3, minLr: 0 },
    plateau: { factor: 0.1, patience: 10, threshold: 1e-4, cooldown: 0, minLr: 0 },
  },
} as const;

/** The schedule with its defaults; `raw` passed the schema and semantic checks (stepSize/gamma given where required). */
export function normalizeSchedule(raw: unknown): ScheduleSpec {
  const r = o(raw);
  const d = DEFAULTS.schedule;
  switch (r.type) {
    case 'step': return { type: 'step', stepSize: r.stepSize as number, gamma: pick(r.gamma, d.step.gamma) };
    case 'exponential': return { type: 'exponential', gamma: r.gamma as number };
    case 'cosine':
      return {
        type: 'cosine', warmupSteps: pick(r.warmupSteps, d.cosine.warmupSteps),
        warmupStartFactor: pick(r.warmupStartFactor, d.cosine.warmupStartFactor), minLr: pick(r.minLr, d.cosine.minLr),
      };
    case 'plateau':
      return {
        type: 'plateau', factor: pick(r.factor, d.plateau.factor), patience: pick(r.patience, d.plateau.patience),
        threshold: pick(r.threshold, d.plateau.threshold), cooldown: pick(r.cooldown, d.plateau.cooldown), minLr: pick(r.minLr, d.plateau.minLr),
      };
    default: return { type: 'none' };
  }
}

export function normalizeLayer(raw: unknown): LayerSpec {
  const l = o(raw);
  const d = DEFAULTS.layer;
  return {
    cell: l.cell as LayerSpec['cell'],
    units: l.units as number,
    activation: pick(l.activation, d.activation),
    bias: pick(l.bias, d.bias),
    bidirectional: pick(l.bidirectional, d.bidirectional),
    merge: pick(l.merge, d.merge),
    dropout: pick(l.dropout, d.dropout),
  };
}

/** Fill in defaults. `raw` must have passed the schema and semantic checks without errors. */
export function normalize(raw: unknown): ModelSpec {
  const top = o(raw);
  const rd = o(top.data);
  const task = rd.task as TaskName;
  const info = TASKS[task];
  const dd = DEFAULTS.data;

  const data: DataSpec = {
    task,
    seed: pick(rd.seed, dd.seed),
    samples: pick(rd.samples, info.defaults.samples ?? dd.samples),
    validation: pick(rd.validation, info.defaults.validation ?? dd.validation),
    length: pick(rd.length, info.defaults.length ?? dd.length),
    word: pick(rd.word, dd.word),
    symbols: pick(rd.symbols, info.defaults.symbols ?? dd.symbols),
  };
  if (rd.file !== undefined) data.file = rd.file as string;
  if (rd.text !== undefined) data.text = rd.text as string;
  if (rd.column !== undefined) data.column = rd.column as string | number;
  if (rd.vocabulary !== undefined) data.vocabulary = [...(rd.vocabulary as string[])];
  // Data from files: copied when given; each reader documents and applies its own default.
  for (const k of ['test', 'folder', 'format', 'textField', 'labelField', 'tokenize', 'lowercase', 'maxVocab', 'minCount', 'horizon', 'stride', 'scaling'] as const) {
    if (rd[k] !== undefined) (data as unknown as Record<string, unknown>)[k] = rd[k];
  }
  if (Array.isArray(rd.features)) data.features = [...(rd.features as (string | number)[])];
  if (Array.isArray(rd.targets)) data.targets = [...(rd.targets as (string | number)[])];

  const ri = o(top.input);
  const input: InputSpec = {
    encoding: pick(ri.encoding, DEFAULTS.input.encoding),
    embeddingSize: pick(ri.embeddingSize, DEFAULTS.input.embeddingSize),
    positionFeature: pick(ri.positionFeature, DEFAULTS.input.positionFeature),
  };

  const layers = (top.layers as unknown[]).map(normalizeLayer);
  const structure = pick<Structure>(top.structure, info.structures[0]);
  const rdec = o(top.decoder);
  const decoderLayers =
    structure !== 'encoder-decoder'
      ? []
      : Array.isArray(rdec.layers)
        ? rdec.layers.map(normalizeLayer)
        : layers.map((l) => ({ ...l, bidirectional: false }));

  const rh = o(top.head);
  const activation = pick<HeadActivation>(rh.activation, info.head);
  const loss = pick<Loss>(rh.loss, LOSS_FOR_HEAD[activation]);

  const rt = o(top.training);
  const td = DEFAULTS.training;
  const sequenceLength = pick(rt.sequenceLength, td.sequenceLength);
  const rc = isPlainObject(rt.clip) ? rt.clip : undefined;
  const clip: ClipSpec = rc
    ? { type: pick(rc.type, rc.threshold !== undefined ? 'norm' : DEFAULTS.clip.type), threshold: pick(rc.threshold, DEFAULTS.clip.threshold) }
    : { ...DEFAULTS.clip };
  const optimizer = pick<TrainingSpec['optimizer']>(rt.optimizer, td.optimizer);
  const training: TrainingSpec = {
    optimizer,
    learningRate: pick(rt.learningRate, td.learningRate),
    momentum: pick(rt.momentum, optimizer === 'rmsprop' ? td.rmspropMomentum : td.momentum),
    nesterov: pick(rt.nesterov, td.nesterov),
    beta1: pick(rt.beta1, td.beta1),
    beta2: pick(rt.beta2, td.beta2),
    epsilon: pick(rt.epsilon, td.epsilon),
    rho: pick(rt.rho, td.rho),
    centered: pick(rt.centered, td.centered),
    weightDecay: pick(rt.weightDecay, optimizer === 'adamw' ? td.adamwWeightDecay : td.weightDecay),
    batchSize: pick(rt.batchSize, td.batchSize),
    // epochs: the trainer converts them to steps once it knows the number of examples
    steps: rt.steps !== undefined ? (rt.steps as number) : rt.epochs !== undefined ? 0 : td.steps,
    sequenceLength,
    // 0: full backpropagation through time. Truncation only when asked for (issue 15).
    tbptt: pick(rt.tbptt, 0),
    clip,
    schedule: normalizeSchedule(rt.schedule),
    seed: pick(rt.seed, td.seed),
  };
  if (rt.epochs !== undefined) training.epochs = rt.epochs as number;
  // intervals: the definition's when given, else the front end's default (see src/core/session.ts)
  if (rt.logEvery !== undefined) training.logEvery = rt.logEvery as number;
  if (rt.evalEvery !== undefined) training.evalEvery = rt.evalEvery as number;
  if (isPlainObject(rt.earlyStopping)) {
    const es = rt.earlyStopping;
    training.earlyStopping = { patience: es.patience as number, minDelta: pick(es.minDelta, DEFAULTS.earlyStopping.minDelta) };
  }

  const ed = structure === 'encoder-decoder';
  const attention = ed && typeof rdec.attention === 'string' && rdec.attention !== 'none' ? (rdec.attention as AttentionType) : undefined;
  const bridge = ed && layers.some((l) => l.bidirectional) ? pick<BridgeType>(rdec.bridge, 'linear') : undefined;

  return {
    name: top.name as string,
    description: pick(top.description, ''),
    data,
    input,
    layers,
    decoderLayers,
    ...(attention ? { attention } : {}),
    ...(bridge ? { bridge } : {}),
    ...(ed && typeof rdec.maxLength === 'number' ? { decoderMaxLength: rdec.maxLength } : {}),
    initialState: pick(top.initialState, DEFAULTS.initialState),
    structure,
    head: { activation, loss, dropout: pick(rh.dropout, 0) },
    training,
  };
}

/**
 * Raw (schema-valid) definition -> ModelSpec, with every default filled in. The defaults here are
 * the ones documented in schema.ts and docs/dsl.md.
 */
import { TASKS } from '../tasks/catalog';
import type {
  ClipSpec, DataSpec, HeadActivation, InputSpec, LayerSpec, Loss, ModelSpec, Structure, TaskName, TrainingSpec,
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
    batchSize: 32, steps: 500, sequenceLength: 32, seed: 42, logEvery: 10, evalEvery: 50,
  },
  clip: { type: 'none', threshold: 5 } as ClipSpec,
} as const;

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
    tbptt: pick(rt.tbptt, sequenceLength),
    clip,
    seed: pick(rt.seed, td.seed),
    logEvery: pick(rt.logEvery, td.logEvery),
    evalEvery: pick(rt.evalEvery, td.evalEvery),
  };
  if (rt.epochs !== undefined) training.epochs = rt.epochs as number;

  return {
    name: top.name as string,
    description: pick(top.description, ''),
    data,
    input,
    layers,
    decoderLayers,
    initialState: pick(top.initialState, DEFAULTS.initialState),
    structure,
    head: { activation, loss },
    training,
  };
}

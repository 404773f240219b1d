/**
 * The normalised model definition: what a `*.seqlab.json` file means once the parser has
 * checked it and filled in every default. Everything downstream (model, training, tasks, CLI,
 * host, webview) works from this type, never from raw JSON.
 */

export type CellType = 'rnn' | 'lstm' | 'gru';
export type RnnActivation = 'tanh' | 'relu';
export type MergeMode = 'concat' | 'sum' | 'mul' | 'avg';
export type InitialState = 'zeros' | 'random' | 'learned';
export type Structure = 'many-to-one' | 'many-to-many' | 'one-to-many' | 'encoder-decoder';
export type HeadActivation = 'softmax' | 'sigmoid' | 'linear';
export type Loss = 'cross-entropy' | 'binary-cross-entropy' | 'mse';
export type OptimizerType = 'sgd' | 'momentum' | 'rmsprop' | 'adam';
export type InputEncoding = 'onehot' | 'embedding';
export type TaskName =
  | 'hello' | 'copy' | 'reverse' | 'adding' | 'parity' | 'sine' | 'sentiment' | 'tagging' | 'spell' | 'text';

/** Where a data set comes from. Built-in tasks are generated deterministically from `seed`. */
export interface DataSpec {
  task: TaskName;
  /** Seed of the task generator (independent of the training seed). */
  seed: number;
  /** Number of generated examples (generated tasks). */
  samples: number;
  /** Fraction of examples held out for validation, 0 <= v < 1. */
  validation: number;
  /** Sequence length for generated tasks (copy, reverse, adding, parity, sine windows). */
  length: number;
  /** hello: the word ("hello" gives inputs "hell" and targets "ello"). */
  word: string;
  /** copy/reverse: number of distinct symbols. */
  symbols: number;
  /** text/sine from a file: path relative to the definition, must stay inside the workspace. */
  file?: string;
  /** text: inline text instead of a file. */
  text?: string;
  /** csv files (sine/forecast from a file): the column holding the series (name or 0-based index). */
  column?: string | number;
  /** Optional explicit input vocabulary (character tasks); every character of the data must be in it. */
  vocabulary?: string[];
}

export interface InputSpec {
  encoding: InputEncoding;
  /** Embedding width when encoding = embedding. */
  embeddingSize: number;
  /** Append t / (T - 1) as an extra input feature. */
  positionFeature: boolean;
}

export interface LayerSpec {
  cell: CellType;
  units: number;
  /** Only for cell = rnn. */
  activation: RnnActivation;
  bias: boolean;
  bidirectional: boolean;
  merge: MergeMode;
  /** Dropout applied to this layer's output before the next layer (training only). */
  dropout: number;
}

export interface HeadSpec {
  activation: HeadActivation;
  loss: Loss;
}

export interface ClipSpec {
  type: 'none' | 'norm' | 'value';
  /** Global-norm threshold (type norm) or absolute value bound (type value). */
  threshold: number;
}

export interface TrainingSpec {
  optimizer: OptimizerType;
  learningRate: number;
  /** momentum (momentum optimizer, rmsprop momentum). */
  momentum: number;
  beta1: number;
  beta2: number;
  /** Passed explicitly so that every backend uses the same epsilon (WebGL's default is 1e-4). */
  epsilon: number;
  /** RMSProp decay. */
  rho: number;
  batchSize: number;
  /** Total optimizer steps. When the file gives epochs, steps = ceil(epochs * train / batch). */
  steps: number;
  epochs?: number;
  /** Character tasks from text: length of each training window. */
  sequenceLength: number;
  /** Truncated BPTT window (<= sequenceLength); equal means full BPTT. */
  /** Truncated BPTT window in steps (many-to-many only); 0 (the default) means full BPTT. */
  tbptt: number;
  clip: ClipSpec;
  seed: number;
  /** Metrics are read back from the device every logEvery steps (not every step). */
  logEvery: number;
  /** Validation every evalEvery steps. */
  evalEvery: number;
}

export interface ModelSpec {
  name: string;
  description: string;
  data: DataSpec;
  input: InputSpec;
  layers: LayerSpec[];
  /** encoder-decoder only: the decoder stack (defaults to the encoder's shape, unidirectional). */
  decoderLayers: LayerSpec[];
  initialState: InitialState;
  structure: Structure;
  head: HeadSpec;
  training: TrainingSpec;
}

export const CELL_GATES: Record<CellType, number> = { rnn: 1, lstm: 4, gru: 3 };

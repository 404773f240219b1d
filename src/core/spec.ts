/**
 * The normalised model definition: what a `*.seqlab.json` file means once the parser has
 * checked it and filled in every default. Everything downstream (model, training, tasks, CLI,
 * host, webview) works from this type, never from raw JSON.
 */
import type { SweepSpec } from './sweep';

export type CellType = 'rnn' | 'lstm' | 'gru';
export type RnnActivation = 'tanh' | 'relu';
export type MergeMode = 'concat' | 'sum' | 'mul' | 'avg';
export type InitialState = 'zeros' | 'random' | 'learned';
export type Structure = 'many-to-one' | 'many-to-many' | 'one-to-many' | 'encoder-decoder';
export type HeadActivation = 'softmax' | 'sigmoid' | 'linear';
export type Loss = 'cross-entropy' | 'binary-cross-entropy' | 'mse';
export type OptimizerType = 'sgd' | 'momentum' | 'rmsprop' | 'adam' | 'adamw';
export type InputEncoding = 'onehot' | 'embedding';
/** encoder-decoder attention over the encoder's outputs (src/core/attention.ts). */
export type AttentionType = 'bahdanau' | 'luong-general' | 'luong-dot';
/** How a bidirectional encoder layer's two final states start the matching decoder layer. */
export type BridgeType = 'linear' | 'sum';
export type TaskName =
  | 'hello' | 'copy' | 'reverse' | 'adding' | 'parity' | 'sine' | 'sentiment' | 'tagging' | 'spell' | 'text'
  | 'classify' | 'tag' | 'pairs' | 'forecast';
export type DataFormat = 'csv' | 'tsv' | 'jsonl' | 'conll';
export type Scaling = 'minmax' | 'zscore' | 'none';

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
  /** Fraction held out as the test split, reported once at the end of a run, 0 <= test < 1 - validation. */
  test?: number;
  /** classify: a folder with one file per class (the file name is the label), one example a line. */
  folder?: string;
  /** How `file` is read; default from its extension (.csv, .tsv, .jsonl, .conll). */
  format?: DataFormat;
  /** classify from CSV/TSV/JSONL: the field holding the text (header name or 0-based index). Default "text". */
  textField?: string | number;
  /** classify from CSV/TSV/JSONL: the field holding the label. Default "label". */
  labelField?: string | number;
  /** Token level of text read from files (classify, pairs: words; text: characters). */
  tokenize?: 'characters' | 'words';
  /** Fold text to lower case before building the vocabulary. */
  lowercase?: boolean;
  /** Largest vocabulary, special symbols included. */
  maxVocab?: number;
  /** Tokens seen fewer times in the training split read as <unk>. */
  minCount?: number;
  /** forecast: the input columns (names or 0-based indices). Default: every numeric column. */
  features?: (string | number)[];
  /** forecast: the columns to predict. Default: the last numeric column. */
  targets?: (string | number)[];
  /** forecast: predict the targets this many rows after the window's last row. Default 1. */
  horizon?: number;
  /** forecast and text: rows (characters, words) between the starts of consecutive windows. */
  stride?: number;
  /** forecast: per-column scaling fitted on the training rows only. Default minmax. */
  scaling?: Scaling;
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
  /**
   * Dropout on this layer's outputs before the next layer (training only), as PyTorch's
   * nn.RNN/LSTM/GRU(dropout=p): it has no effect on the top layer (use HeadSpec.dropout there).
   */
  dropout: number;
}

export interface HeadSpec {
  activation: HeadActivation;
  loss: Loss;
  /** Dropout on the head's input (the top layer's outputs or final state), training only; 0 = none. */
  dropout: number;
}

export interface ClipSpec {
  type: 'none' | 'norm' | 'value';
  /** Global-norm threshold (type norm) or absolute value bound (type value). */
  threshold: number;
}

/** Learning-rate schedule, stepped once per optimizer step (PyTorch's lr_scheduler; src/core/schedule.ts). */
export type ScheduleSpec =
  | { type: 'none' }
  /** StepLR: lr0 * gamma^floor(step / stepSize). */
  | { type: 'step'; stepSize: number; gamma: number }
  /** ExponentialLR: lr0 * gamma^step. */
  | { type: 'exponential'; gamma: number }
  /** LinearLR warm-up over warmupSteps from lr0 * warmupStartFactor, then CosineAnnealingLR down to minLr at the end of the run. */
  | { type: 'cosine'; warmupSteps: number; warmupStartFactor: number; minLr: number }
  /** ReduceLROnPlateau on the validation loss (mode min, relative threshold). */
  | { type: 'plateau'; factor: number; patience: number; threshold: number; cooldown: number; minLr: number };
export type ScheduleType = ScheduleSpec['type'];

export interface TrainingSpec {
  /** torch.optim: SGD, SGD(momentum), RMSprop, Adam, AdamW (see src/core/optim.ts). */
  optimizer: OptimizerType;
  /** The base learning rate (a schedule scales it per step). */
  learningRate: number;
  /** Momentum factor (momentum optimizer: default 0.9; rmsprop: default 0, as in PyTorch). */
  momentum: number;
  /** momentum: Nesterov momentum (SGD's `nesterov=True`). */
  nesterov: boolean;
  /** adam/adamw betas. */
  beta1: number;
  beta2: number;
  /** adam, adamw, rmsprop: added to the denominator, outside the square root (PyTorch's `eps`, default 1e-8). */
  epsilon: number;
  /** RMSprop decay of the squared-gradient average (PyTorch `alpha`, default 0.99). */
  rho: number;
  /** RMSprop: divide by the centred second moment (an estimate of the gradient's variance). */
  centered: boolean;
  /**
   * PyTorch's `weight_decay`: an L2 term `wd * p` added to the gradient (sgd, momentum, rmsprop,
   * adam), or decoupled decay `p *= 1 - lr * wd` (adamw, default 0.01). 0 = none.
   */
  weightDecay: number;
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
  schedule: ScheduleSpec;
  seed: number;
  /**
   * Metrics are read back from the device every logEvery steps (not every step). Absent when the
   * definition does not say: the front end's default applies (VS Code setting, else 10).
   */
  logEvery?: number;
  /** Validation every evalEvery steps (absent: the front end's default, else 50). */
  evalEvery?: number;
  /** Early stopping on the validation loss (absent: train all steps). */
  earlyStopping?: EarlyStoppingSpec;
}

export interface EarlyStoppingSpec {
  /** Validations in a row without an improvement larger than minDelta before the run stops. */
  patience: number;
  /** The least decrease of the validation loss that counts as an improvement. */
  minDelta: number;
}

export interface ModelSpec {
  name: string;
  description: string;
  data: DataSpec;
  input: InputSpec;
  layers: LayerSpec[];
  /** encoder-decoder only: the decoder stack (defaults to the encoder's shape, unidirectional). */
  decoderLayers: LayerSpec[];
  /** encoder-decoder only: attention over the encoder's outputs; absent: none (the final state alone). */
  attention?: AttentionType;
  /**
   * encoder-decoder with a bidirectional encoder layer: how its forward and backward final states
   * become the decoder layer's initial state (model.ts). Absent when no encoder layer is bidirectional.
   */
  bridge?: BridgeType;
  /** encoder-decoder only: most tokens free-running decoding writes (`decoder.maxLength`, src/core/decode.ts); absent: the default there. */
  decoderMaxLength?: number;
  initialState: InitialState;
  structure: Structure;
  head: HeadSpec;
  training: TrainingSpec;
  /** The `sweep` section (src/core/sweep.ts): settings its trials vary. Training the definition itself ignores it. */
  sweep?: SweepSpec;
}

export const CELL_GATES: Record<CellType, number> = { rnn: 1, lstm: 4, gru: 3 };

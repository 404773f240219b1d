/**
 * The in-memory form of a data set, produced by src/core/tasks and consumed by the model and
 * the trainer. Plain arrays: platform-neutral and cheap to post to a worker.
 *
 * Every example is a pair of sequences. `x[t]` is one input step and `y[t]` one target step:
 *  - token inputs:  x[t] = [tokenId]              real inputs:  x[t] = [f0, f1, ...]
 *  - class targets: y[t] = [classId]              binary:       y[t] = [0|1, ...]   real: y[t] = [v0, ...]
 * The structure fixes the lengths: many-to-many T_in = T_out; many-to-one T_out = 1;
 * one-to-many T_in = 1; encoder-decoder any T_in, T_out (the decoder is teacher-forced with
 * the previous target, starting from `startToken`).
 */
import type { Scaling, Structure } from './spec';
import type { TokenizerSpec } from './tokenize';
import type { Vocabulary } from './stateDict';

export type InputKind = { kind: 'tokens'; vocab: string[] } | { kind: 'real'; features: number; names?: string[] };
export type OutputKind =
  | { kind: 'classes'; classes: string[] }
  | { kind: 'binary'; labels: string[] }
  | { kind: 'real'; features: number; names?: string[] };

/**
 * One example. Lengths may differ from example to example (sentences, names, pairs): the batcher
 * pads them and the model masks the padding.
 */
export interface Example {
  x: number[][];
  y: number[][];
}

/** How a column was scaled: scaled = (value - offset) / scale. */
export interface ColumnScale {
  name: string;
  offset: number;
  scale: number;
}

export interface ScalingInfo {
  method: Scaling;
  features: ColumnScale[];
  targets: ColumnScale[];
}

export interface SeqData {
  task: string;
  structure: Structure;
  input: InputKind;
  output: OutputKind;
  /** encoder-decoder: index in output classes of the decoder's start symbol. */
  startToken?: number;
  /** True for next-token character models, which can be sampled from. */
  generative: boolean;
  train: Example[];
  valid: Example[];
  /** Held-out test split, evaluated once at the end of a run (absent or empty: none). */
  test?: Example[];
  /** How typed or file input becomes tokens of `input.vocab` (data read from files). */
  tokenizer?: TokenizerSpec;
  /** encoder-decoder from files: index in output classes of the end symbol the decoder writes last. */
  endToken?: number;
  /** forecast: how features and targets were scaled (predictions are reported in original units). */
  scaling?: ScalingInfo;
  /** One line a person can read: what the task is and what "solved" looks like. */
  about: string;
  /** Loss of a trivial predictor (e.g. the adding problem's 0.1767), for comparison. */
  baselineLoss?: number;
}

/** Input size the first recurrent layer sees (before any embedding). */
export function inputWidth(d: SeqData): number {
  return d.input.kind === 'tokens' ? d.input.vocab.length : d.input.features;
}

export function outputWidth(d: SeqData): number {
  const o = d.output;
  return o.kind === 'classes' ? o.classes.length : o.kind === 'binary' ? o.labels.length : o.features;
}

/**
 * What a trained model needs to read new input and name its outputs, without the examples: the
 * vocabularies, the tokenizer, the start/end symbols and the scaling. Saved in the run record
 * (`data.json`) and used by predict, sample and export.
 */
export interface DataInfo {
  format: 'seqlab-data/1';
  task: string;
  structure: Structure;
  input: InputKind;
  output: OutputKind;
  startToken?: number;
  endToken?: number;
  generative: boolean;
  tokenizer?: TokenizerSpec;
  scaling?: ScalingInfo;
  /** Example counts of the splits. */
  sizes: { train: number; valid: number; test: number };
  /** Steps the model writes when the input does not say (one-to-many: the target length). */
  outputLength?: number;
  /** Steps of the training windows (many-to-one real series: the window a prediction reads). */
  inputLength?: number;
}

export function dataInfo(d: SeqData): DataInfo {
  const info: DataInfo = {
    format: 'seqlab-data/1', task: d.task, structure: d.structure, input: d.input, output: d.output, generative: d.generative,
    sizes: { train: d.train.length, valid: d.valid.length, test: d.test?.length ?? 0 },
  };
  if (d.startToken !== undefined) info.startToken = d.startToken;
  if (d.endToken !== undefined) info.endToken = d.endToken;
  if (d.tokenizer) info.tokenizer = d.tokenizer;
  if (d.scaling) info.scaling = d.scaling;
  const first = d.train[0] ?? d.valid[0];
  if (first && d.structure === 'one-to-many') info.outputLength = first.y.length;
  if (first && d.input.kind === 'real') info.inputLength = first.x.length;
  return info;
}

/**
 * The vocabulary a model trained on this data reads and writes: input tokens and output classes
 * (or binary labels). What a run records, and what loading its weights elsewhere is checked against.
 */
export function dataVocabulary(d: Pick<DataInfo, 'input' | 'output'>): Vocabulary {
  return {
    ...(d.input.kind === 'tokens' ? { input: d.input.vocab } : {}),
    ...(d.output.kind === 'classes' ? { output: d.output.classes } : d.output.kind === 'binary' ? { output: d.output.labels } : {}),
  };
}

/** A data set with the shape of `info` and no examples (to rebuild a model for prediction). */
export function emptyData(info: DataInfo): SeqData {
  const { format: _f, sizes: _s, outputLength: _o, inputLength: _i, ...rest } = info;
  return { ...rest, train: [], valid: [], test: [], about: '' };
}

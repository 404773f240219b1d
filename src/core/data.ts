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

/**
 * What each built-in task is: the structures it can be laid out for, its input and output kinds,
 * and the head that fits it. The DSL validator and the task generators both read this table.
 */
import type { HeadActivation, Structure, TaskName } from '../spec';

export interface TaskInfo {
  name: TaskName;
  title: string;
  /** First entry is the default. */
  structures: Structure[];
  input: 'tokens' | 'real';
  output: 'classes' | 'binary' | 'real';
  head: HeadActivation;
  /** Next-token models that can be sampled from: a bidirectional layer would see the future. */
  generative: boolean;
  /** Needs data.file or data.text. */
  needsText: boolean;
  /** Reads your own data file (data.file; classify also data.folder). */
  needsFile?: boolean;
  /**
   * Defaults the DSL fills in for this task. `validation` is given where the usual held-out
   * fraction makes no sense (hello has one example; spell has ten, each needed to learn it).
   */
  defaults: { length?: number; samples?: number; symbols?: number; validation?: number };
}

export const TASKS: Record<TaskName, TaskInfo> = {
  hello: {
    name: 'hello', title: 'The classic "hell" -> "ello" character example',
    structures: ['many-to-many'], input: 'tokens', output: 'classes', head: 'softmax',
    generative: true, needsText: false, defaults: { samples: 1, validation: 0 },
  },
  copy: {
    name: 'copy', title: 'Copy a random symbol sequence',
    structures: ['encoder-decoder', 'many-to-many'], input: 'tokens', output: 'classes', head: 'softmax',
    generative: false, needsText: false, defaults: { length: 8, samples: 2000, symbols: 8 },
  },
  reverse: {
    name: 'reverse', title: 'Reverse a random symbol sequence',
    structures: ['encoder-decoder', 'many-to-many'], input: 'tokens', output: 'classes', head: 'softmax',
    generative: false, needsText: false, defaults: { length: 8, samples: 2000, symbols: 8 },
  },
  adding: {
    name: 'adding', title: 'The adding problem (Hochreiter & Schmidhuber): sum the two marked numbers',
    structures: ['many-to-one'], input: 'real', output: 'real', head: 'linear',
    generative: false, needsText: false, defaults: { length: 50, samples: 4000 },
  },
  parity: {
    name: 'parity', title: 'Parity of a bit string',
    structures: ['many-to-one', 'many-to-many'], input: 'tokens', output: 'binary', head: 'sigmoid',
    generative: false, needsText: false, defaults: { length: 10, samples: 2000 },
  },
  sine: {
    name: 'sine', title: 'Forecast the next value of a noisy sine mixture (or a CSV column)',
    structures: ['many-to-one', 'many-to-many'], input: 'real', output: 'real', head: 'linear',
    generative: false, needsText: false, defaults: { length: 32, samples: 1000 },
  },
  sentiment: {
    name: 'sentiment', title: 'Toy sentiment: is a short review positive? (negation included)',
    structures: ['many-to-one'], input: 'tokens', output: 'binary', head: 'sigmoid',
    generative: false, needsText: false, defaults: { samples: 1500 },
  },
  tagging: {
    name: 'tagging', title: 'Toy part-of-speech tagging where some tags need the words that follow',
    structures: ['many-to-many'], input: 'tokens', output: 'classes', head: 'softmax',
    generative: false, needsText: false, defaults: { samples: 1500 },
  },
  spell: {
    name: 'spell', title: 'Spell a digit: one input (3) generates a sequence ("three")',
    structures: ['one-to-many'], input: 'tokens', output: 'classes', head: 'softmax',
    generative: false, needsText: false, defaults: { samples: 10, validation: 0 },
  },
  text: {
    name: 'text', title: 'Character-level language model on a text file or inline text',
    structures: ['many-to-many'], input: 'tokens', output: 'classes', head: 'softmax',
    generative: true, needsText: true, defaults: { samples: 0 },
  },
  classify: {
    name: 'classify', title: 'Sequence classification from your file (CSV, TSV, JSONL) or a folder with one file per class',
    structures: ['many-to-one'], input: 'tokens', output: 'classes', head: 'softmax',
    generative: false, needsText: false, needsFile: true, defaults: {},
  },
  tag: {
    name: 'tag', title: 'Sequence labelling (a tag per token) from your CoNLL or JSONL file',
    structures: ['many-to-many'], input: 'tokens', output: 'classes', head: 'softmax',
    generative: false, needsText: false, needsFile: true, defaults: {},
  },
  pairs: {
    name: 'pairs', title: 'Sequence pairs (source -> target, e.g. translation) from your TSV or JSONL file',
    structures: ['encoder-decoder'], input: 'tokens', output: 'classes', head: 'softmax',
    generative: false, needsText: false, needsFile: true, defaults: {},
  },
  forecast: {
    name: 'forecast', title: 'Time-series forecasting from the columns of your CSV file',
    structures: ['many-to-one'], input: 'real', output: 'real', head: 'linear',
    generative: false, needsText: false, needsFile: true, defaults: { length: 7 },
  },
};

export const TASK_NAMES = Object.keys(TASKS) as TaskName[];

/**
 * Checks the schema cannot express: combinations of fields that make no sense for the chosen task
 * or structure, data paths, vocabularies, and settings that would be silently ignored.
 *
 * Runs on the raw (plain) value even when the schema found unrelated problems, so it guards every
 * type it relies on. Each diagnostic points at the exact offending value.
 */
import type { Node } from 'jsonc-parser/lib/esm/main.js';
import { TASKS } from '../tasks/catalog';
import { tooLargeMessage } from '../tasks/common';
import { splitCharacters } from '../tokenize';
import { isInside, joinPath, dirnameOf, normalizePath, resolveDataPath, type FileProblem, type FileProblemKind } from '../paths';
import type { HeadActivation, Loss, OptimizerType, ScheduleType, Structure, TaskName } from '../spec';
import type { JsonPath, ParseOptions, RawDiagnostic, Severity } from './diagnostics';
import { messagesFor, type Messages } from './messages';
import { isPlainObject, keyNodeAt, nodeAt } from './tree';

export const HEAD_FOR_OUTPUT: Record<'classes' | 'binary' | 'real', HeadActivation> = {
  classes: 'softmax',
  binary: 'sigmoid',
  real: 'linear',
};
export const LOSS_FOR_HEAD: Record<HeadActivation, Loss> = {
  softmax: 'cross-entropy',
  sigmoid: 'binary-cross-entropy',
  linear: 'mse',
};
/** The optimizer settings each optimizer reads (learningRate is read by all). */
export const OPTIMIZER_PARAMS: Record<OptimizerType, readonly string[]> = {
  sgd: ['weightDecay'],
  momentum: ['momentum', 'nesterov', 'weightDecay'],
  rmsprop: ['rho', 'momentum', 'epsilon', 'centered', 'weightDecay'],
  adam: ['beta1', 'beta2', 'epsilon', 'weightDecay'],
  adamw: ['beta1', 'beta2', 'epsilon', 'weightDecay'],
};
const OPTIONAL_OPTIMIZER_PARAMS = ['momentum', 'nesterov', 'beta1', 'beta2', 'epsilon', 'rho', 'centered', 'weightDecay'] as const;
/** The settings each learning-rate schedule reads; `required` ones have no default. */
export const SCHEDULE_PARAMS: Record<ScheduleType, { reads: readonly string[]; required: readonly string[] }> = {
  none: { reads: [], required: [] },
  step: { reads: ['stepSize', 'gamma'], required: ['stepSize'] },
  exponential: { reads: ['gamma'], required: ['gamma'] },
  cosine: { reads: ['warmupSteps', 'warmupStartFactor', 'minLr'], required: [] },
  plateau: { reads: ['factor', 'patience', 'threshold', 'cooldown', 'minLr'], required: [] },
};
const STRUCTURES: readonly Structure[] = ['many-to-one', 'many-to-many', 'one-to-many', 'encoder-decoder'];
/** Tasks whose data is made of characters (data.vocabulary applies). */
const CHARACTER_TASKS: readonly TaskName[] = ['hello', 'text'];
const FILE_TASKS: readonly TaskName[] = ['text', 'sine', 'classify', 'tag', 'pairs', 'forecast'];
/** The data fields each file reader uses (besides file, validation, seed): others are reported as ignored. */
const FILE_FIELDS: Record<string, readonly TaskName[]> = {
  folder: ['classify'],
  format: ['classify', 'tag', 'pairs', 'forecast'],
  textField: ['classify'],
  labelField: ['classify'],
  tokenize: ['classify', 'pairs', 'text'],
  lowercase: ['classify', 'tag', 'pairs', 'text'],
  maxVocab: ['classify', 'tag', 'pairs', 'text'],
  minCount: ['classify', 'tag', 'pairs', 'text'],
  test: ['classify', 'tag', 'pairs', 'forecast', 'text'],
  features: ['forecast'],
  targets: ['forecast'],
  horizon: ['forecast'],
  stride: ['forecast', 'text'],
  scaling: ['forecast'],
};
/** Formats each task reads. */
const TASK_FORMATS: Partial<Record<TaskName, readonly string[]>> = {
  classify: ['csv', 'tsv', 'jsonl'],
  tag: ['conll', 'tsv', 'jsonl'],
  pairs: ['tsv', 'jsonl'],
  forecast: ['csv', 'tsv'],
};

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
const has = (o: Obj | undefined, k: string): boolean => !!o && Object.prototype.hasOwnProperty.call(o, k);
/** `key` is one of the table's own keys (never an inherited `constructor`, `toString`, `__proto__`, ...). */
const ownKey = <K extends string>(table: Readonly<Record<K, unknown>>, key: string | undefined): key is K =>
  key !== undefined && Object.prototype.hasOwnProperty.call(table, key);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const q = (s: string): string => JSON.stringify(s);

export function checkSemantics(root: Node, value: unknown, options: ParseOptions, m: Messages = messagesFor(options.locale)): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  const top = obj(value);
  if (!top) return out;

  const report = (severity: Severity, code: string, path: JsonPath, message: string, on: 'value' | 'key' = 'value') => {
    const n = on === 'key' ? keyNodeAt(root, path) ?? nodeAt(root, path) : nodeAt(root, path);
    out.push({ severity, code, message, path, offset: n?.offset ?? 0, length: n?.length ?? 0 });
  };
  const error = (code: string, path: JsonPath, message: string) => report('error', code, path, message);
  const warn = (code: string, path: JsonPath, message: string, on: 'value' | 'key' = 'value') => report('warning', code, path, message, on);

  const data = obj(top.data);
  const taskName = str(data?.task);
  const task = ownKey(TASKS, taskName) ? TASKS[taskName] : undefined;
  const givenStructure = str(top.structure);
  const structure: Structure | undefined =
    givenStructure && (STRUCTURES as readonly string[]).includes(givenStructure) ? (givenStructure as Structure) : task?.structures[0];

  // --- structure vs task
  if (task && givenStructure && structure && !task.structures.includes(structure)) {
    error('structure-task', ['structure'], m.text('structure-task', { structure: q(structure), task: task.name, allowed: m.words.or(task.structures.map(q)) }));
  }

  // --- layers
  const layers = Array.isArray(top.layers) ? top.layers : [];
  const decoder = obj(top.decoder);
  const decoderLayers = decoder && Array.isArray(decoder.layers) ? decoder.layers : undefined;
  const checkLayer = (layer: unknown, path: JsonPath, inDecoder: boolean) => {
    const l = obj(layer);
    if (!l) return;
    const where = m.path(path);
    if (l.bidirectional === true) {
      const p = [...path, 'bidirectional'];
      if (inDecoder) {
        error('bidirectional-generator', p, m.text('bidirectional-generator/decoder', { where }));
      } else if (task?.generative) {
        error('bidirectional-generator', p, m.text('bidirectional-generator/task', { where, task: task.name }));
      } else if (structure === 'one-to-many') {
        error('bidirectional-generator', p, m.text('bidirectional-generator/one-to-many', { where }));
      }
    }
    if (has(l, 'activation') && (l.cell === 'lstm' || l.cell === 'gru')) {
      warn('ignored-activation', [...path, 'activation'], m.text('ignored-activation', { where, cell: l.cell }));
    }
    if (has(l, 'merge') && l.bidirectional !== true) {
      warn('merge-without-bidirectional', [...path, 'merge'], m.text('merge-without-bidirectional', { where }));
    }
  };
  layers.forEach((l, i) => checkLayer(l, ['layers', i], false));
  decoderLayers?.forEach((l, i) => checkLayer(l, ['decoder', 'layers', i], true));
  // dropout between stacked layers (PyTorch's meaning) cannot act on the top layer of a stack
  const topDropout = (list: unknown[], path: JsonPath, of: 'encoder' | 'stack' | 'decoder') => {
    const top = obj(list[list.length - 1]);
    if (!top || typeof top.dropout !== 'number' || top.dropout <= 0) return;
    warn('dropout-no-effect', [...path, list.length - 1, 'dropout'], m.text('dropout-no-effect', {
      where: m.path([...path, list.length - 1]), only: list.length === 1, of, dropout: top.dropout,
    }));
  };
  // the encoder's top layer feeds only its final state to a decoder; dropout there does nothing either
  topDropout(layers, ['layers'], structure === 'encoder-decoder' ? 'encoder' : 'stack');
  if (decoderLayers && structure === 'encoder-decoder') topDropout(decoderLayers, ['decoder', 'layers'], 'decoder');

  if (decoder && structure && structure !== 'encoder-decoder') {
    warn('decoder-ignored', ['decoder'], m.text('decoder-ignored', { structure: q(structure) }), 'key');
  }
  if (decoder) checkAttention(decoder, layers, decoderLayers, structure, error, warn, m);
  if (decoderLayers && structure === 'encoder-decoder' && layers.length > 0) {
    if (decoderLayers.length !== layers.length) {
      error('decoder-shape', ['decoder', 'layers'], m.text('decoder-shape/count', { encoder: layers.length, decoder: decoderLayers.length }));
    } else {
      decoderLayers.forEach((dl, i) => {
        const d = obj(dl);
        const e = obj(layers[i]);
        if (!d || !e) return;
        if (typeof d.cell === 'string' && typeof e.cell === 'string' && d.cell !== e.cell) {
          error('decoder-shape', ['decoder', 'layers', i, 'cell'], m.text('decoder-shape/cell', { i, cell: q(e.cell) }));
        }
        if (typeof d.units === 'number' && typeof e.units === 'number' && d.units !== e.units) {
          error('decoder-shape', ['decoder', 'layers', i, 'units'], m.text('decoder-shape/units', { i, units: e.units }));
        }
      });
    }
  }

  // --- head
  const head = obj(top.head);
  const givenActivation = str(head?.activation);
  const activation = ownKey(LOSS_FOR_HEAD, givenActivation) ? givenActivation : undefined;
  if (task && activation && activation !== HEAD_FOR_OUTPUT[task.output]) {
    error('head-task', ['head', 'activation'], m.text('head-task', {
      activation: q(activation), task: task.name, outputs: m.words.outputs(task.output), fit: q(HEAD_FOR_OUTPUT[task.output]),
    }));
  }
  const effectiveActivation = activation ?? (givenActivation === undefined ? task?.head : undefined);
  const loss = str(head?.loss);
  if (effectiveActivation && loss && (Object.values(LOSS_FOR_HEAD) as string[]).includes(loss) && loss !== LOSS_FOR_HEAD[effectiveActivation]) {
    error('head-loss', ['head', 'loss'], m.text('head-loss', {
      loss: q(loss), activation: q(effectiveActivation), ...(activation ? {} : { task: String(task?.name) }), fit: q(LOSS_FOR_HEAD[effectiveActivation]),
    }));
  }

  // --- input
  const input = obj(top.input);
  if (input?.encoding === 'embedding' && task?.input === 'real') {
    error('embedding-real', ['input', 'encoding'], m.text('embedding-real', { task: task.name }));
  }
  if (input && has(input, 'embeddingSize') && input.encoding !== 'embedding') {
    warn('ignored-embedding-size', ['input', 'embeddingSize'], m.text('ignored-embedding-size', undefined));
  }

  // --- data
  if (data && task) checkData(data, task.name, task.needsText, options, error, warn, m);

  // --- training
  const training = obj(top.training);
  if (training) {
    if (has(training, 'steps') && has(training, 'epochs')) {
      error('steps-and-epochs', ['training', 'epochs'], m.text('steps-and-epochs', undefined));
    }
    if (typeof training.tbptt === 'number') {
      // the sequence length where the definition fixes it: text windows, or data.length
      const seqLen = typeof training.sequenceLength === 'number' ? training.sequenceLength : 32;
      const dataLen = typeof data?.length === 'number' ? data.length : task?.defaults.length;
      if (structure && structure !== 'many-to-many') {
        warn('ignored-tbptt', ['training', 'tbptt'], m.text('ignored-tbptt', { structure: q(structure) }), 'key');
      } else if (taskName === 'text' && training.tbptt > seqLen) {
        error('tbptt-too-long', ['training', 'tbptt'], m.text('tbptt-too-long', { tbptt: training.tbptt, sequenceLength: seqLen, isDefault: !has(training, 'sequenceLength') }));
      } else if (taskName && ['copy', 'reverse', 'parity', 'sine'].includes(taskName) && dataLen !== undefined && training.tbptt > dataLen) {
        error('tbptt-too-long', ['training', 'tbptt'], m.text('tbptt-too-long/length', { tbptt: training.tbptt, length: dataLen, isDefault: !has(data, 'length') }));
      }
    }
    const opt = str(training.optimizer) ?? 'adam';
    if (ownKey(OPTIMIZER_PARAMS, opt)) {
      const uses = OPTIMIZER_PARAMS[opt];
      for (const p of OPTIONAL_OPTIMIZER_PARAMS) {
        if (has(training, p) && !uses.includes(p)) {
          const readers = (Object.keys(OPTIMIZER_PARAMS) as OptimizerType[]).filter((o) => OPTIMIZER_PARAMS[o].includes(p)).map(q);
          warn('ignored-optimizer-param', ['training', p], m.text('ignored-optimizer-param', {
            param: p, optimizer: q(opt), isDefault: !has(training, 'optimizer'), readers: m.words.and(readers),
          }));
        }
      }
    }
    checkSchedule(training, top, task?.name, task?.defaults.validation, error, warn, m);
    const clip = obj(training.clip);
    if (clip && clip.type === 'none' && has(clip, 'threshold')) {
      warn('ignored-clip-threshold', ['training', 'clip', 'threshold'], m.text('ignored-clip-threshold', undefined));
    }
  }
  return out;
}

/** Settings a schedule does not read, required ones missing, and schedules that cannot apply to this run. */
function checkSchedule(
  training: Obj,
  top: Obj,
  task: TaskName | undefined,
  taskValidation: number | undefined,
  error: (code: string, path: JsonPath, message: string) => void,
  warn: (code: string, path: JsonPath, message: string, on?: 'value' | 'key') => void,
  m: Messages,
): void {
  const sched = obj(training.schedule);
  const type = str(sched?.type);
  if (!sched || !ownKey(SCHEDULE_PARAMS, type)) return;
  const p = ['training', 'schedule'];
  const { reads, required } = SCHEDULE_PARAMS[type];
  for (const k of Object.keys(sched)) {
    if (k === 'type' || reads.includes(k) || !Object.values(SCHEDULE_PARAMS).some((x) => x.reads.includes(k))) continue;
    const readers = (Object.keys(SCHEDULE_PARAMS) as ScheduleType[]).filter((t) => SCHEDULE_PARAMS[t].reads.includes(k)).map(q);
    warn('ignored-schedule-param', [...p, k], m.text('ignored-schedule-param', { param: k, schedule: q(type), readers: m.words.and(readers) }), 'key');
  }
  for (const k of required) {
    if (!has(sched, k)) error('schedule-missing', [...p, 'type'], m.text('schedule-missing', { schedule: q(type), param: k }));
  }
  // the run's length, when the file fixes it (epochs depend on the data's size)
  const steps = typeof training.steps === 'number' ? training.steps : has(training, 'epochs') ? undefined : 500;
  const defaultSteps = !has(training, 'steps');
  if (type === 'cosine' && typeof sched.warmupSteps === 'number' && steps !== undefined && sched.warmupSteps >= steps) {
    error('schedule-too-long', [...p, 'warmupSteps'], m.text('schedule-too-long', { warmup: sched.warmupSteps, steps, defaultSteps }));
  }
  if (type === 'step' && typeof sched.stepSize === 'number' && steps !== undefined && sched.stepSize >= steps) {
    warn('schedule-never-applies', [...p, 'stepSize'], m.text('schedule-never-applies/step', { stepSize: sched.stepSize, steps, defaultSteps }));
  }
  if (type === 'plateau') {
    const data = obj(top.data);
    const validation = typeof data?.validation === 'number' ? data.validation : task ? taskValidation ?? 0.1 : undefined;
    if (validation === 0) {
      error('schedule-needs-validation', [...p, 'type'], has(data, 'validation')
        ? m.text('schedule-needs-validation', undefined)
        : m.text('schedule-needs-validation/task', { task: String(task) }));
    }
    const evalEvery = typeof training.evalEvery === 'number' ? training.evalEvery : 50;
    const patience = typeof sched.patience === 'number' ? sched.patience : 10;
    if (steps !== undefined && Math.ceil(steps / evalEvery) <= patience) {
      warn('schedule-never-applies', [...p, 'type'], m.text('schedule-never-applies/plateau', { runs: Math.ceil(steps / evalEvery), evalEvery, steps, patience }));
    }
  }
}

function checkData(
  data: Obj,
  task: TaskName,
  needsText: boolean,
  options: ParseOptions,
  error: (code: string, path: JsonPath, message: string) => void,
  warn: (code: string, path: JsonPath, message: string) => void,
  m: Messages,
): void {
  const file = str(data.file);
  const text = str(data.text);
  const usesFile = FILE_TASKS.includes(task);
  const usesText = task === 'text';

  if (needsText && !has(data, 'file') && !has(data, 'text')) {
    error('missing-text', ['data', 'task'], m.text('missing-text', { task }));
  }
  if (usesText && has(data, 'file') && has(data, 'text')) {
    error('file-and-text', ['data', 'text'], m.text('file-and-text', undefined));
  }
  if (has(data, 'file') && !usesFile) warn('ignored-data-field', ['data', 'file'], m.text('ignored-data-field/file', { task, readers: FILE_TASKS.map(q).join(', ') }));
  if (TASKS[task].needsFile && !has(data, 'file') && !(task === 'classify' && has(data, 'folder'))) {
    error('missing-file', ['data', 'task'], m.text('missing-file', { task, classify: task === 'classify' }));
  }
  if (task === 'classify' && has(data, 'file') && has(data, 'folder')) {
    error('file-and-folder', ['data', 'folder'], m.text('file-and-folder', undefined));
  }
  for (const [k, tasks] of Object.entries(FILE_FIELDS)) {
    if (has(data, k) && !tasks.includes(task)) {
      warn('ignored-data-field', ['data', k], m.text('ignored-data-field/field', { field: k, task, readers: tasks.map(q).join(', ') }));
    }
  }
  const formats = TASK_FORMATS[task];
  const format = str(data.format);
  if (formats && format && !formats.includes(format)) {
    error('format-task', ['data', 'format'], m.text('format-task', { format: q(format), task, formats: formats.map(q).join(', ') }));
  }
  if (typeof data.test === 'number' && typeof data.validation === 'number' && data.test + data.validation >= 1) {
    error('split-too-large', ['data', 'test'], m.text('split-too-large', { validation: data.validation, test: data.test }));
  }
  if (has(data, 'text') && !usesText) warn('ignored-data-field', ['data', 'text'], m.text('ignored-data-field/text', { task }));
  if (has(data, 'column') && (task !== 'sine' || !has(data, 'file'))) {
    warn('ignored-data-field', ['data', 'column'], m.text('ignored-data-field/column', undefined));
  }
  if (has(data, 'word') && task !== 'hello') warn('ignored-data-field', ['data', 'word'], m.text('ignored-data-field/word', { task }));
  if (has(data, 'symbols') && task !== 'copy' && task !== 'reverse') {
    warn('ignored-data-field', ['data', 'symbols'], m.text('ignored-data-field/symbols', { task }));
  }

  const folder = str(data.folder);
  if (folder !== undefined && task === 'classify' && folder !== '' && options.file && options.workspaceRoot) {
    const r = resolveDataPath(options.file, folder, options.workspaceRoot);
    if ('error' in r) error('file-outside-workspace', ['data', 'folder'], m.text('file-outside-workspace/folder', { folder, resolved: r.outside, root: normalizePath(options.workspaceRoot) }));
  }
  if (file !== undefined && usesFile && file !== '') {
    if (options.file && options.workspaceRoot) {
      const r = resolveDataPath(options.file, file, options.workspaceRoot);
      if ('error' in r) {
        error('file-outside-workspace', ['data', 'file'], m.text('file-outside-workspace', { file, resolved: r.outside, root: normalizePath(options.workspaceRoot) }));
      } else if (options.inspectFile) {
        const p = safeInspect(options.inspectFile, r.path);
        if (p) error(FILE_PROBLEM_CODES[p.kind], ['data', 'file'], m.text(FILE_PROBLEM_MESSAGES[p.kind], { file: q(file), detail: p.kind === 'too-large' ? tooLargeMessage(p, task, m) : p.message }));
      } else if (options.fileExists && !safeExists(options.fileExists, r.path)) {
        error('file-not-found', ['data', 'file'], m.text('file-not-found', { file: q(file), looked: r.path }));
      }
    } else if (options.file && options.fileExists) {
      const abs = joinPath(dirnameOf(options.file), file);
      if (!safeExists(options.fileExists, abs)) error('file-not-found', ['data', 'file'], m.text('file-not-found', { file: q(file), looked: normalizePath(abs) }));
    } else if (options.workspaceRoot && !options.file && isAbsoluteOutside(file, options.workspaceRoot)) {
      error('file-outside-workspace', ['data', 'file'], m.text('file-outside-workspace/absolute', { file: q(file), root: normalizePath(options.workspaceRoot) }));
    }
  }

  if (usesText && text !== undefined && splitCharacters(text).length < 2) {
    error('text-too-short', ['data', 'text'], m.text('text-too-short', { n: splitCharacters(text).length }));
  }
  const word = str(data.word);
  if (task === 'hello' && word !== undefined && splitCharacters(word).length < 2) {
    error('word-too-short', ['data', 'word'], m.text('word-too-short', { word: q(word) }));
  }
  if (task === 'adding' && typeof data.length === 'number' && data.length < 2) {
    error('length-too-short', ['data', 'length'], m.text('length-too-short', { n: data.length }));
  }

  if ((task === 'copy' || task === 'reverse') && typeof data.length === 'number' && data.length > 500) {
    error('length-too-long', ['data', 'length'], m.text('length-too-long', { task, n: data.length }));
  }
  if (task === 'sine' && file !== undefined && !/\.csv$/i.test(file)) {
    error('file-type', ['data', 'file'], m.text('file-type', { file: q(file) }));
  }

  if (Array.isArray(data.vocabulary)) {
    const vocab = data.vocabulary;
    if (!CHARACTER_TASKS.includes(task)) {
      warn('ignored-data-field', ['data', 'vocabulary'], m.text('ignored-data-field/vocabulary', { task }));
      return;
    }
    const seen = new Map<string, number>();
    vocab.forEach((v, i) => {
      if (typeof v !== 'string') return;
      if (splitCharacters(v).length !== 1) {
        error('vocabulary-entry', ['data', 'vocabulary', i], m.text('vocabulary-entry', { i, entry: q(v) }));
      } else if (seen.has(v)) {
        error('vocabulary-duplicate', ['data', 'vocabulary', i], m.text('vocabulary-duplicate', { i, entry: q(v), first: seen.get(v)! }));
      } else seen.set(v, i);
    });
    const source = task === 'hello' ? { field: 'data.word', text: word ?? 'hello' } : text !== undefined ? { field: 'data.text', text } : undefined;
    if (source) {
      const missing = [...new Set(splitCharacters(source.text))].filter((c) => !seen.has(c));
      if (missing.length) {
        const shown = missing.slice(0, 10).map(q).join(', ') + (missing.length > 10 ? m.words.inAll(missing.length) : '');
        error('vocabulary-mismatch', ['data', 'vocabulary'], m.text('vocabulary-mismatch', {
          count: missing.length, shown, field: source.field, defaultWord: source.field === 'data.word' && word === undefined,
        }));
      }
    }
  }
}

/** The catalogue entry of each kind of file problem (its detail names the path, size and limit). */
const FILE_PROBLEM_MESSAGES = {
  'not-found': 'file-not-found/inspected',
  outside: 'file-outside-workspace/inspected',
  'not-a-file': 'file-not-regular',
  'too-large': 'file-too-large',
  unreadable: 'file-unreadable',
} as const satisfies Record<FileProblemKind, string>;

const FILE_PROBLEM_CODES: Record<FileProblemKind, string> = {
  'not-found': 'file-not-found',
  outside: 'file-outside-workspace',
  'not-a-file': 'file-not-regular',
  'too-large': 'file-too-large',
  unreadable: 'file-unreadable',
};

function safeInspect(inspect: (abs: string) => FileProblem | undefined, abs: string): FileProblem | undefined {
  try {
    return inspect(abs);
  } catch (e) {
    return { kind: 'unreadable', message: `cannot be read (${e instanceof Error ? e.message : String(e)})` };
  }
}

function safeExists(fileExists: (abs: string) => boolean, abs: string): boolean {
  try {
    return fileExists(abs);
  } catch {
    return false;
  }
}

function isAbsoluteOutside(file: string, root: string): boolean {
  return /^([a-zA-Z]:)?[\\/]/.test(file) && !isInside(root, file);
}

/**
 * decoder.attention and decoder.bridge: attention needs an encoder (an encoder-decoder model),
 * luong-dot a decoder whose top layer is as wide as the encoder's output (o_t . k_s), and a bridge
 * a bidirectional encoder layer.
 */
function checkAttention(
  decoder: Obj, layers: unknown[], decoderLayers: unknown[] | undefined, structure: Structure | undefined,
  error: (code: string, path: JsonPath, message: string) => void,
  warn: (code: string, path: JsonPath, message: string, on?: 'value' | 'key') => void,
  m: Messages,
): void {
  const attention = str(decoder.attention);
  if (attention && attention !== 'none' && structure && structure !== 'encoder-decoder') {
    error(
      'attention-without-encoder',
      ['decoder', 'attention'],
      m.text('attention-without-encoder', { attention: q(attention), structure: q(structure) }),
    );
    return;
  }
  if (structure !== 'encoder-decoder') return;
  const enc = layers.map(obj);
  const top = enc[enc.length - 1];
  const width = (l: Obj | undefined): number | undefined =>
    !l || typeof l.units !== 'number' ? undefined : l.bidirectional === true && (l.merge === undefined || l.merge === 'concat') ? 2 * l.units : l.units;
  const decTop = decoderLayers ? obj(decoderLayers[decoderLayers.length - 1]) : top;
  const encWidth = width(top);
  const decUnits = decTop && typeof decTop.units === 'number' ? decTop.units : undefined;
  if (attention === 'luong-dot' && encWidth !== undefined && decUnits !== undefined && encWidth !== decUnits) {
    error(
      'attention-size',
      ['decoder', 'attention'],
      m.text('attention-size', { units: decUnits, width: encWidth, concat: top?.bidirectional === true }),
    );
  }
  if (has(decoder, 'bridge') && !enc.some((l) => l?.bidirectional === true)) {
    warn('bridge-ignored', ['decoder', 'bridge'], m.text('bridge-ignored', undefined), 'key');
  }
}

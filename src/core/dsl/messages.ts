/**
 * The message catalogue of the DSL's diagnostics: every sentence a student reads in the Problems
 * view or the CLI, in English and Korean, keyed by diagnostic code.
 *
 * A key is the diagnostic's `code` (docs/dsl.md), or `code/variant` where one code has several
 * wordings (e.g. `schema/required`, `ignored-data-field/word`). Each entry is a template function of
 * the values it shows. `ko` is typed as the English catalogue, so a message without a Korean entry
 * does not compile; test/core/l10n.test.ts checks that every Korean entry is really Korean.
 *
 * The checker picks a locale once (`messagesFor(options.locale)`) and reports through it; adding a
 * diagnostic means adding its key here, in both languages.
 */
import type { JsonPath } from './diagnostics';

export type Locale = 'en' | 'ko';

/** 'ko', 'ko-KR' -> 'ko'; anything else (or nothing) -> 'en'. */
export function localeOf(tag: string | undefined): Locale {
  return tag && /^ko\b/i.test(tag) ? 'ko' : 'en';
}

type Bound = { op: '>=' | '>' | '<' | '<='; n: number };
type ListOf = 'layer' | 'string' | 'item';
type RequiredHint = 'name' | 'data' | 'layers' | 'task' | 'cell' | 'units';
/** The parts of a memory estimate, sizes already written ('512 MB'); optimizerBytes '' when the optimizer keeps no state. */
export interface MemoryParts { parameters: string; parameterBytes: string; gradients: string; optimizer: string; optimizerBytes: string; activations: string; data: string }
/** What to change to fit a memory budget (src/core/cost.ts picks it from the largest part). */
export type MemoryRemedy =
  | { kind: 'file' | 'text' | 'samples' }
  | { kind: 'batch'; batchSize: number; tbptt: boolean }
  | { kind: 'batch-or-layer'; batchSize: number; layer: string; units: number }
  | { kind: 'layer'; layer: string; units: number };

/** Phrases the messages are built from (lists, what a value is, what it must be, quick fix titles). */
const enWords = {
  /** The empty JSON path. */
  root: 'the definition',
  or: (items: readonly string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`),
  and: (items: readonly string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`),
  gotList: 'a list',
  gotEmptyList: 'an empty list',
  gotObject: 'an object',
  oneOf: (list: string) => `one of ${list}`,
  number: (integer: boolean, bounds: readonly Bound[]) => {
    const noun = integer ? 'an integer' : 'a number';
    return bounds.length ? `${noun} ${bounds.map((b) => `${b.op} ${b.n}`).join(' and ')}` : noun;
  },
  string: (min: number, max?: number) => {
    const chars = (n: number) => `${n} character${n === 1 ? '' : 's'}`;
    if (max !== undefined) return `a string of at most ${chars(max)}`;
    return min ? (min === 1 ? 'a non-empty string' : `a string of at least ${chars(min)}`) : 'a string';
  },
  boolean: 'true or false',
  list: (of: ListOf, min?: number, max?: number) => {
    const n = (k: number) => `${k} ${of}${k === 1 ? '' : 's'}`;
    if (max !== undefined) return `a list of at most ${n(max)}`;
    return min ? `a list of at least ${n(min)}` : `a list of ${of}s`;
  },
  object: 'an object { ... }',
  /** Joins the alternatives of a union type. */
  orType: ' or ',
  somethingElse: 'something else',
  requiredHint: (h: RequiredHint) =>
    ({
      name: ', e.g. "name": "my-model"',
      data: ', e.g. "data": { "task": "hello" }',
      layers: ', e.g. "layers": [ { "cell": "lstm", "units": 32 } ]',
      task: ', e.g. "task": "hello"',
      cell: ' ("rnn", "lstm" or "gru")',
      units: ' (the size of the hidden state, e.g. 32)',
    })[h],
  outputs: (kind: 'classes' | 'binary' | 'real') =>
    ({ classes: 'classes (a softmax over tokens or tags)', binary: 'yes/no answers', real: 'real numbers' })[kind],
  /** The end of a shortened list: ', ... (12 in all)'. */
  inAll: (n: number) => `, ... (${n} in all)`,
  /** Quick fix title; `to` is already quoted as it will be written. */
  changeTo: (to: string) => `Change to ${to}`,
  /** The parts of a memory estimate (src/core/cost.ts); sizes are already written ('1.5 GB'). */
  memoryParts: (p: MemoryParts) =>
    [
      `${p.parameters} parameters ${p.parameterBytes}`,
      `gradients ${p.gradients}`,
      ...(p.optimizerBytes ? [`${p.optimizer} state ${p.optimizerBytes}`] : []),
      `activations kept for BPTT ${p.activations}`,
      `data ${p.data}`,
    ].join(', '),
  /** How to make a task's data smaller, naming only the fields that task reads (src/core/tasks/common.ts). */
  sizeRemedy: (task: string, fromFile: boolean): string => {
    switch (task) {
      case 'text': return fromFile ? 'use a shorter data.file (the whole text is read)' : 'shorten data.text';
      case 'sine': return fromFile ? 'use a CSV data.file with fewer lines, or lower data.samples or data.length' : 'lower data.samples or data.length';
      case 'hello': return 'shorten data.word';
      case 'sentiment': case 'tagging': case 'spell': return 'lower data.samples';
      case 'classify': return 'use a smaller data.file (or smaller files in data.folder): split it, or sample its lines';
      case 'tag': case 'pairs': return 'use a smaller data.file: split it, or sample its lines';
      case 'forecast': return 'use a CSV data.file with fewer rows (or fewer columns)';
      default: return 'lower data.samples or data.length';
    }
  },
  /** The detail of a data file over the size limit; sizes already written ('50.0 MB'). */
  tooLarge: (size: string, limit: string, remedy: string) => `is ${size}, over the ${limit} limit for data files (refused before reading it): ${remedy}`,
  /** What to change to fit a memory budget. */
  memoryRemedy: (r: MemoryRemedy): string => {
    switch (r.kind) {
      case 'file': return 'use a shorter data.file';
      case 'text': return 'shorten data.text';
      case 'samples': return 'lower data.samples';
      case 'batch': return `lower training.batchSize (${r.batchSize})${r.tbptt ? ' or set training.tbptt to keep fewer steps' : ''}`;
      case 'batch-or-layer': return `lower training.batchSize (${r.batchSize}) or ${r.layer} (${r.units})`;
      case 'layer': return `lower ${r.layer} (${r.units}) or use fewer layers`;
    }
  },
};
export type Words = typeof enWords;

const koWords: Words = {
  root: '정의',
  or: (items) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} 또는 ${items[items.length - 1]}`),
  and: (items) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} 및 ${items[items.length - 1]}`),
  gotList: '목록',
  gotEmptyList: '빈 목록',
  gotObject: '객체',
  oneOf: (list) => `${list} 중 하나`,
  number: (integer, bounds) => {
    const word = { '>=': '이상', '>': '초과', '<': '미만', '<=': '이하' } as const;
    const noun = integer ? '정수' : '수';
    return bounds.length ? `${bounds.map((b) => `${b.n} ${word[b.op]}`).join(' ')}의 ${noun}` : noun;
  },
  string: (min, max) => {
    if (max !== undefined) return `최대 ${max}자의 문자열`;
    return min ? (min === 1 ? '비어 있지 않은 문자열' : `${min}자 이상의 문자열`) : '문자열';
  },
  boolean: 'true 또는 false',
  list: (of, min, max) => {
    const what = { layer: '레이어', string: '문자열', item: '항목' }[of];
    if (max !== undefined) return `${what}이(가) 최대 ${max}개인 목록`;
    return min ? `${what}이(가) ${min}개 이상인 목록` : `${what} 목록`;
  },
  object: '객체 { ... }',
  orType: ' 또는 ',
  somethingElse: '다른 값',
  requiredHint: (h) =>
    ({
      name: ' (예: "name": "my-model")',
      data: ' (예: "data": { "task": "hello" })',
      layers: ' (예: "layers": [ { "cell": "lstm", "units": 32 } ])',
      task: ' (예: "task": "hello")',
      cell: ' ("rnn", "lstm" 또는 "gru")',
      units: ' (은닉 상태의 크기, 예: 32)',
    })[h],
  outputs: (kind) => ({ classes: '클래스(토큰이나 태그에 대한 softmax)', binary: '예/아니오 답', real: '실수' })[kind],
  inAll: (n) => `, ... (모두 ${n}개)`,
  changeTo: (to) => `${to}(으)로 바꾸기`,
  memoryParts: (p) =>
    [
      `매개변수 ${p.parameters}개 ${p.parameterBytes}`,
      `기울기 ${p.gradients}`,
      ...(p.optimizerBytes ? [`${p.optimizer} 상태 ${p.optimizerBytes}`] : []),
      `BPTT용으로 보관하는 활성값 ${p.activations}`,
      `데이터 ${p.data}`,
    ].join(', '),
  sizeRemedy: (task, fromFile) => {
    switch (task) {
      case 'text': return fromFile ? '더 짧은 data.file을 쓰세요 (텍스트 전체를 읽습니다)' : 'data.text를 줄이세요';
      case 'sine': return fromFile ? '줄 수가 더 적은 CSV data.file을 쓰거나 data.samples 또는 data.length를 낮추세요' : 'data.samples 또는 data.length를 낮추세요';
      case 'hello': return 'data.word를 줄이세요';
      case 'sentiment': case 'tagging': case 'spell': return 'data.samples를 낮추세요';
      case 'classify': return '더 작은 data.file(또는 data.folder에 더 작은 파일)을 쓰세요. 파일을 나누거나 줄을 표본 추출하세요';
      case 'tag': case 'pairs': return '더 작은 data.file을 쓰세요. 파일을 나누거나 줄을 표본 추출하세요';
      case 'forecast': return '행(또는 열)이 더 적은 CSV data.file을 쓰세요';
      default: return 'data.samples 또는 data.length를 낮추세요';
    }
  },
  tooLarge: (size, limit, remedy) => `크기 ${size}, 데이터 파일 한도 ${limit} 초과 (읽기 전에 거부했습니다): ${remedy}`,
  memoryRemedy: (r) => {
    switch (r.kind) {
      case 'file': return '더 짧은 data.file을 쓰세요';
      case 'text': return 'data.text를 줄이세요';
      case 'samples': return 'data.samples를 낮추세요';
      case 'batch': return `training.batchSize (${r.batchSize})를 낮추세요${r.tbptt ? '. 또는 training.tbptt를 정해 보관하는 단계를 줄이세요' : ''}`;
      case 'batch-or-layer': return `training.batchSize (${r.batchSize}) 또는 ${r.layer} (${r.units})를 낮추세요`;
      case 'layer': return `${r.layer} (${r.units})를 낮추거나 레이어 수를 줄이세요`;
    }
  },
};

/** jsonc-parser's error kinds (printParseErrorCode), as the end of 'syntax error: ...'. */
const enSyntax = {
  InvalidSymbol: 'unexpected character: expected a JSON value, key or punctuation',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a key in double quotes, e.g. "units"',
  ValueExpected: 'expected a value (a string, number, true/false, null, object or list)',
  ColonExpected: "expected ':' after the key",
  CommaExpected: "expected ',' between the previous item and this one",
  CloseBraceExpected: "expected '}' to close the object",
  CloseBracketExpected: "expected ']' to close the list",
  EndOfFileExpected: 'unexpected text after the end of the definition',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: "comment is not closed: expected '*/'",
  UnexpectedEndOfString: 'string is not closed: expected \'"\' before the end of the line',
  UnexpectedEndOfNumber: 'number ends unexpectedly',
  InvalidUnicode: 'invalid unicode escape in string',
  InvalidEscapeCharacter: 'invalid escape character in string',
  InvalidCharacter: 'invalid character in string (control characters must be escaped)',
};
const koSyntax: typeof enSyntax = {
  InvalidSymbol: '예상하지 못한 문자입니다. JSON 값, 키 또는 구두점이 와야 합니다',
  InvalidNumberFormat: '잘못된 숫자입니다',
  PropertyNameExpected: '큰따옴표로 감싼 키가 와야 합니다 (예: "units")',
  ValueExpected: '값이 와야 합니다 (문자열, 숫자, true/false, null, 객체 또는 목록)',
  ColonExpected: "키 다음에 ':'가 와야 합니다",
  CommaExpected: "앞 항목과 이 항목 사이에 ','가 와야 합니다",
  CloseBraceExpected: "객체를 닫는 '}'가 와야 합니다",
  CloseBracketExpected: "목록을 닫는 ']'가 와야 합니다",
  EndOfFileExpected: '정의가 끝난 뒤에 예상하지 못한 텍스트가 있습니다',
  InvalidCommentToken: '잘못된 주석입니다',
  UnexpectedEndOfComment: "주석이 닫히지 않았습니다. '*/'가 와야 합니다",
  UnexpectedEndOfString: "문자열이 닫히지 않았습니다. 줄이 끝나기 전에 '\"'가 와야 합니다",
  UnexpectedEndOfNumber: '숫자가 도중에 끝났습니다',
  InvalidUnicode: '문자열에 잘못된 유니코드 이스케이프가 있습니다',
  InvalidEscapeCharacter: '문자열에 잘못된 이스케이프 문자가 있습니다',
  InvalidCharacter: '문자열에 잘못된 문자가 있습니다 (제어 문자는 이스케이프해야 합니다)',
};
export type SyntaxKind = keyof typeof enSyntax;

const FUTURE_EN = 'a generator cannot see the future (a backward layer would read the very steps it has to predict)';
const FUTURE_KO = '생성 모델은 미래를 볼 수 없습니다 (역방향 레이어는 예측해야 할 바로 그 단계를 읽게 됩니다)';
const INSIDE_EN = 'data files must be inside the workspace';
const INSIDE_KO = '데이터 파일은 작업 영역 안에 있어야 합니다';

type UnknownKey = { key: string; where?: string; guess?: string; known: string };
const unknownKeyEn = (a: UnknownKey) =>
  `unknown key '${a.key}' ${a.where ? `in ${a.where}` : 'at the top level'}` + (a.guess ? `; did you mean '${a.guess}'?` : `; known keys: ${a.known}`);
const unknownKeyKo = (a: UnknownKey) =>
  `알 수 없는 키 '${a.key}' (${a.where ? a.where : '최상위'})` + (a.guess ? `: '${a.guess}'을(를) 뜻했나요?` : `. 알려진 키: ${a.known}`);

const en = {
  syntax: (a: { kind: string }) => `syntax error: ${(enSyntax as Record<string, string>)[a.kind] ?? a.kind}`,
  'syntax/nested': () => 'the definition is nested too deeply to read',
  'syntax/not-text': () => 'the definition must be text (JSON)',
  'syntax/empty': () =>
    'the file is empty: a model definition is a JSON object like { "name": "my-model", "data": { "task": "hello" }, "layers": [ { "cell": "rnn", "units": 8 } ] }',
  internal: (a: { error: string }) => `internal error while checking the definition: ${a.error}`,
  more: (a: { n: string }) => `${a.n} more problems not shown`,
  'number-range': (a: { where: string }) => `${a.where} is a number too large to represent`,
  'duplicate-key': (a: { key: string; where?: string }) =>
    `duplicate key '${a.key}'${a.where ? ` in ${a.where}` : ''}: this value is ignored, the later one is used`,
  'unknown-key': (a: UnknownKey) => `${unknownKeyEn(a)} (it is ignored)`,
  'unknown-key/training': (a: UnknownKey) => `${unknownKeyEn(a)} (an unknown training setting is an error: it would change the run without a trace)`,
  'schema/required': (a: { where: string; missing: string; hint: string }) => `${a.where} is missing the required property '${a.missing}'${a.hint}`,
  'schema/enum': (a: { where: string; allowed: string; got: string; guess?: string }) =>
    `${a.where} must be one of ${a.allowed} (got ${a.got})${a.guess ? `; did you mean ${a.guess}?` : ''}`,
  'schema/value': (a: { where: string; must: string; got: string }) => `${a.where} must be ${a.must} (got ${a.got})`,
  'schema/value-unquote-number': (a: { where: string; must: string; got: string }) =>
    `${a.where} must be ${a.must} (got ${a.got}): write the number without quotes`,
  'schema/value-unquote-boolean': (a: { where: string; must: string; got: string }) =>
    `${a.where} must be ${a.must} (got ${a.got}): write true or false without quotes`,
  'schema/root-type': (a: { got: string }) =>
    `a model definition must be a JSON object like { "name": ..., "data": { "task": ... }, "layers": [ ... ] } (got ${a.got})`,
  'schema/other': (a: { where: string; detail: string }) => `${a.where} ${a.detail}`,
  'structure-task': (a: { structure: string; task: string; allowed: string }) =>
    `structure ${a.structure} does not fit the '${a.task}' task, which can be laid out as ${a.allowed}`,
  'bidirectional-generator/decoder': (a: { where: string }) =>
    `${a.where}.bidirectional cannot be true: the decoder writes its output one step at a time, and ${FUTURE_EN}`,
  'bidirectional-generator/task': (a: { where: string; task: string }) =>
    `${a.where}.bidirectional cannot be true for the '${a.task}' task: it generates text one character at a time, and ${FUTURE_EN}`,
  'bidirectional-generator/one-to-many': (a: { where: string }) =>
    `${a.where}.bidirectional cannot be true in a one-to-many model: it generates its output step by step, and ${FUTURE_EN}`,
  'ignored-activation': (a: { where: string; cell: 'lstm' | 'gru' }) =>
    `${a.where}.activation is ignored by ${a.cell === 'lstm' ? 'an LSTM' : 'a GRU'} cell, whose gates have fixed activations (it applies to "rnn" only)`,
  'merge-without-bidirectional': (a: { where: string }) =>
    `${a.where}.merge is ignored: it combines the two directions of a bidirectional layer, and this layer is not bidirectional`,
  'decoder-ignored': (a: { structure: string }) => `decoder is ignored: it is used only by the "encoder-decoder" structure (this model is ${a.structure})`,
  'decoder-shape/count': (a: { encoder: number; decoder: number }) =>
    `decoder.layers must have as many layers as the encoder (${a.encoder}): each decoder layer starts from the final state of the matching encoder layer (got ${a.decoder})`,
  'decoder-shape/cell': (a: { i: number; cell: string }) =>
    `decoder.layers[${a.i}].cell must match the encoder's layers[${a.i}].cell (${a.cell}): the decoder starts from the encoder's final state`,
  'decoder-shape/units': (a: { i: number; units: number }) =>
    `decoder.layers[${a.i}].units must match the encoder's layers[${a.i}].units (${a.units}): the decoder starts from the encoder's final state`,
  'head-task': (a: { activation: string; task: string; outputs: string; fit: string }) =>
    `head.activation ${a.activation} does not fit the '${a.task}' task, whose outputs are ${a.outputs}: use ${a.fit}`,
  'head-loss': (a: { loss: string; activation: string; task?: string; fit: string }) =>
    `head.loss ${a.loss} does not fit a ${a.activation} head${a.task ? ` (the '${a.task}' task's)` : ''}: use ${a.fit}`,
  'embedding-real': (a: { task: string }) =>
    `input.encoding "embedding" needs token inputs, but the '${a.task}' task feeds real numbers: remove it (real inputs are fed as they are)`,
  'ignored-embedding-size': () => 'input.embeddingSize is ignored unless input.encoding is "embedding"',
  'steps-and-epochs': () => 'training.epochs cannot be given together with training.steps: give one of them (epochs are converted to steps)',
  'ignored-tbptt': (a: { structure: string }) =>
    `training.tbptt is ignored: truncated BPTT applies to "many-to-many" models only (this model is ${a.structure})`,
  'tbptt-too-long': (a: { tbptt: number; sequenceLength: number; isDefault: boolean }) =>
    `training.tbptt (${a.tbptt}) must be at most training.sequenceLength (${a.sequenceLength}${a.isDefault ? ', the default' : ''})`,
  'tbptt-too-long/length': (a: { tbptt: number; length: number; isDefault: boolean }) =>
    `training.tbptt (${a.tbptt}) must be at most the sequence length, data.length (${a.length}${a.isDefault ? ', the default' : ''})`,
  'ignored-optimizer-param': (a: { param: string; optimizer: string; isDefault: boolean; readers: string }) =>
    `training.${a.param} is ignored by the ${a.optimizer} optimizer${a.isDefault ? ' (the default)' : ''}; it is used by ${a.readers}`,
  'ignored-clip-threshold': () => 'training.clip.threshold is ignored because clip.type is "none"',
  'missing-text': (a: { task: string }) => `the '${a.task}' task needs data.file (a text file, relative to this definition) or data.text (inline text)`,
  'file-and-text': () => 'data.text cannot be given together with data.file: give one of them',
  'missing-file': (a: { task: string; classify: boolean }) =>
    `the '${a.task}' task reads your data: give data.file${a.classify ? ' (CSV, TSV or JSONL) or data.folder (one file per class)' : ''}, relative to this definition`,
  'file-and-folder': () => 'data.folder cannot be given together with data.file: give one of them',
  'format-task': (a: { format: string; task: string; formats: string }) =>
    `data.format ${a.format} cannot be read by the '${a.task}' task, which reads ${a.formats}`,
  'split-too-large': (a: { validation: number; test: number }) =>
    `data.validation + data.test must be below 1, to leave examples for training (got ${a.validation} + ${a.test})`,
  'ignored-data-field/file': (a: { task: string; readers: string }) =>
    `data.file is ignored by the '${a.task}' task, which generates its own data (files are read by ${a.readers})`,
  'ignored-data-field/field': (a: { field: string; task: string; readers: string }) =>
    `data.${a.field} is ignored by the '${a.task}' task (it is read by ${a.readers})`,
  'ignored-data-field/text': (a: { task: string }) => `data.text is ignored by the '${a.task}' task (it is read by "text" only)`,
  'ignored-data-field/column': () => 'data.column is ignored: it picks the series from a CSV data.file of the "sine" task',
  'ignored-data-field/word': (a: { task: string }) => `data.word is ignored by the '${a.task}' task (it is read by "hello" only)`,
  'ignored-data-field/symbols': (a: { task: string }) => `data.symbols is ignored by the '${a.task}' task (it is read by "copy" and "reverse")`,
  'ignored-data-field/vocabulary': (a: { task: string }) =>
    `data.vocabulary is ignored by the '${a.task}' task (it applies to the character tasks "hello" and "text")`,
  'file-outside-workspace': (a: { file: string; resolved: string; root: string }) =>
    `data.file '${a.file}' resolves to ${a.resolved}, outside the workspace root ${a.root}: ${INSIDE_EN}`,
  'file-outside-workspace/absolute': (a: { file: string; root: string }) => `data.file ${a.file} is outside the workspace root ${a.root}: ${INSIDE_EN}`,
  'file-outside-workspace/folder': (a: { folder: string; resolved: string; root: string }) =>
    `data.folder '${a.folder}' resolves to ${a.resolved}, outside the workspace root ${a.root}: ${INSIDE_EN}`,
  'file-not-found': (a: { file: string; looked: string }) => `data.file ${a.file} not found (looked for ${a.looked})`,
  'dropout-no-effect': (a: { where: string; only: boolean; of: 'encoder' | 'stack' | 'decoder'; dropout: number }) =>
    `${a.where}.dropout has no effect: layer dropout acts between stacked layers (on the outputs of every layer but the top one, as PyTorch's nn.RNN/LSTM/GRU(dropout=p)), and this is ${a.only ? 'the only layer' : 'the top layer'} of the ${a.of}; for dropout before the head use "head": { "dropout": ${a.dropout} }`,
  'ignored-schedule-param': (a: { param: string; schedule: string; readers: string }) =>
    `training.schedule.${a.param} is ignored by a ${a.schedule} schedule; it is read by ${a.readers}`,
  'schedule-missing': (a: { schedule: string; param: string }) => `a ${a.schedule} schedule needs training.schedule.${a.param}`,
  'schedule-too-long': (a: { warmup: number; steps: number; defaultSteps: boolean }) =>
    `training.schedule.warmupSteps (${a.warmup}) must be less than the run's ${a.steps} steps (${a.defaultSteps ? 'the default training.steps' : 'training.steps'}): the cosine decay would never start`,
  'schedule-never-applies/step': (a: { stepSize: number; steps: number; defaultSteps: boolean }) =>
    `training.schedule.stepSize (${a.stepSize}) is not less than the run's ${a.steps} steps (${a.defaultSteps ? 'the default training.steps' : 'training.steps'}): the learning rate never changes`,
  'schedule-never-applies/plateau': (a: { runs: number; evalEvery: number; steps: number; patience: number }) =>
    `a "plateau" schedule can never cut the learning rate in this run: validation runs ${a.runs} times (every ${a.evalEvery} of ${a.steps} steps) and patience is ${a.patience}`,
  'schedule-needs-validation': () =>
    'a "plateau" schedule reduces the learning rate when the validation loss stops improving, but data.validation is 0: set data.validation (e.g. 0.1) or choose another schedule',
  'schedule-needs-validation/task': (a: { task: string }) =>
    `a "plateau" schedule reduces the learning rate when the validation loss stops improving, but the '${a.task}' task holds out no validation examples by default: set data.validation (e.g. 0.1) or choose another schedule`,
  'file-not-found/inspected': (a: { file: string; detail: string }) => `data.file ${a.file}: ${a.detail}`,
  'file-outside-workspace/inspected': (a: { file: string; detail: string }) => `data.file ${a.file}: ${a.detail}: ${INSIDE_EN}`,
  'file-not-regular': (a: { file: string; detail: string }) => `data.file ${a.file}: ${a.detail}`,
  /** `detail` is words.tooLarge. */
  'file-too-large': (a: { file: string; detail: string }) => `data.file ${a.file} ${a.detail}`,
  'file-unreadable': (a: { file: string; detail: string }) => `data.file ${a.file}: ${a.detail}`,
  'text-too-short': (a: { n: number }) =>
    `data.text must have at least 2 characters: a character model learns to predict each character from the ones before it (got ${a.n})`,
  'word-too-short': (a: { word: string }) =>
    `data.word must have at least 2 characters: "hello" learns to predict each letter from the previous one (got ${a.word})`,
  'length-too-short': (a: { n: number }) => `data.length must be at least 2 for the 'adding' task: two of the numbers are marked (got ${a.n})`,
  'length-too-long': (a: { task: string; n: number }) => `data.length must be at most 500 for the '${a.task}' task (got ${a.n})`,
  'file-type': (a: { file: string }) => `data.file must be a .csv file for the 'sine' task, whose series is one of its columns (got ${a.file})`,
  'vocabulary-entry': (a: { i: number; entry: string }) => `data.vocabulary[${a.i}] must be a single character (got ${a.entry})`,
  'vocabulary-duplicate': (a: { i: number; entry: string; first: number }) =>
    `data.vocabulary[${a.i}] repeats ${a.entry}, already at data.vocabulary[${a.first}]`,
  'vocabulary-mismatch': (a: { count: number; shown: string; field: string; defaultWord: boolean }) =>
    `data.vocabulary lacks ${a.count === 1 ? 'the character' : 'the characters'} ${a.shown}, which ${a.count === 1 ? 'appears' : 'appear'} in ${a.field}${a.defaultWord ? ' (default "hello")' : ''}`,
  'attention-without-encoder': (a: { attention: string; structure: string }) =>
    `decoder.attention ${a.attention} needs an encoder to attend to: it is used only by the "encoder-decoder" structure (this model is ${a.structure})`,
  'attention-size': (a: { units: number; width: number; concat: boolean }) =>
    `decoder.attention "luong-dot" scores o_t . k_s, so the decoder's top layer (${a.units} units) must be as wide as the encoder's output (${a.width}${a.concat ? ', both directions concatenated' : ''}); use "luong-general" or "bahdanau", which project it${a.concat ? ', or merge the directions with "sum"' : ''}`,
  'bridge-ignored': () =>
    'decoder.bridge is ignored: it joins the two directions of a bidirectional encoder layer, and no encoder layer is bidirectional',
  /** `parts` and `remedy` come from words.memoryParts / words.memoryRemedy. */
  'memory-budget': (a: { total: string; parts: string; budget: string; remedy: string }) =>
    `training this model needs about ${a.total} (${a.parts}), over the memory budget of ${a.budget} MB: ` +
    `${a.remedy}, or raise the budget (setting seqlab.memoryBudgetMB, CLI --memory-budget MB)`,
  'sweep-path': (a: { path: string }) =>
    `sweep.parameters: "${a.path}" is not a path to a setting: write it as layers[0].cell, training.learningRate, layers[*].units or layers.length`,
  'sweep-path/unknown': (a: { path: string; key: string; guess?: string }) =>
    `sweep.parameters: "${a.path}" names no setting of a definition ('${a.key}' is not known${a.guess ? `; did you mean '${a.guess}'?` : ''})`,
  'sweep-path/fixed': (a: { path: string }) =>
    `sweep.parameters: "${a.path}" cannot be swept: the name, the description and the sweep are the same for every trial`,
  'sweep-path/index': (a: { path: string; list: string; n: number }) =>
    `sweep.parameters: "${a.path}" needs item ${a.n} of ${a.list}, which has fewer items (sweep layers.length to add layers)`,
  'sweep-value': (a: { path: string; must: string; got: string }) => `a value of ${a.path} in the sweep must be ${a.must} (got ${a.got})`,
  'sweep-duplicate': (a: { path: string; value: string }) => `sweep.parameters["${a.path}"] lists ${a.value} twice: the same trial would train twice`,
  'sweep-size': (a: { n: number; max: number }) =>
    `this sweep has ${a.n} trials, over the limit of ${a.max}: list fewer values, or use "method": "random" with "trials"`,
  'sweep-trials-ignored': () => 'sweep.trials is ignored by a grid sweep, which trains every combination: use "method": "random" to train only some',
  'sweep-trials-capped': (a: { trials: number; n: number }) => `sweep.trials (${a.trials}) is more than the ${a.n} combinations there are: all ${a.n} are trained`,
  'sweep-seed-ignored': () => 'sweep.seed is ignored by a grid sweep (only "method": "random" draws)',
  'sweep-trial': (a: { trial: number; overrides: string; problem: string }) => `sweep trial ${a.trial} (${a.overrides}) is not a valid definition: ${a.problem}`,
  // ---- building the data (src/core/tasks, data files): code `data-file` at the file's line and
  // column, `data` at the definition's field. `found` values are quoted from the file.
  'data-file/unclosed-quote': () => 'expected a closing \'"\' on the same line (a quoted field cannot span lines), found the end of the line',
  'data-file/fields': (a: { n: number; kind: 'csv' | 'tsv'; found: number }) =>
    `expected ${a.n} ${a.kind === 'tsv' ? 'tab-separated' : 'comma-separated'} field${a.n === 1 ? '' : 's'}, found ${a.found}`,
  'data-file/no-header': (a: { kind: 'csv' | 'tsv' }) =>
    `expected a header line naming the ${a.kind === 'tsv' ? 'tab-separated' : 'comma-separated'} fields, found an empty file`,
  'data-file/no-data': () => 'expected data lines after the header line, found the end of the file',
  'data-file/json-line': (a: { found: string }) => `expected one JSON object on the line, found ${a.found}`,
  'data-file/json-object': (a: { found: string }) => `expected a JSON object ({"...": ...}), found ${a.found}`,
  'data-file/json-no-field': (a: { key: string; list: boolean; fields?: string }) =>
    `expected a field ${a.key} with ${a.list ? 'a list of strings' : 'a string'}, found no such field${a.fields !== undefined ? ` (fields: ${a.fields || 'none'})` : ''}`,
  'data-file/json-string': (a: { key: string; found: string }) => `expected a non-empty string in ${a.key}, found ${a.found}`,
  'data-file/json-list': (a: { key: string; found: string }) => `expected a list of strings in ${a.key}, found ${a.found}`,
  'data-file/json-list-entry': (a: { key: string; found: string; index: number }) =>
    `expected a list of non-empty strings in ${a.key}, found ${a.found} at index ${a.index}`,
  'data-file/json-list-empty': (a: { key: string }) => `expected at least one entry in ${a.key}, found an empty list`,
  'data-file/conll-fields': (a: { found: number; spaces: boolean }) =>
    `expected 2 tab-separated fields (token, tag), found ${a.found}${a.spaces ? ' (separate the token from its tag with a tab, not spaces)' : ''}`,
  'data-file/conll-token': () => 'expected a token before the tab, found nothing',
  'data-file/conll-tag': () => 'expected a tag after the tab, found nothing',
  'data-file/no-text': (a: { found: string }) => `expected some text to classify, found ${a.found}`,
  'data-file/class-file-empty': (a: { label: string }) => `expected one example a line for class ${a.label}, found an empty file`,
  'data-file/empty-label': (a: { field: string }) => `expected a label in field ${a.field}, found an empty field`,
  'data-file/empty-text': (a: { field: string }) => `expected text in field ${a.field}, found an empty field`,
  'data-file/pair-source': (a: { found: string }) => `expected a source sequence, found ${a.found}`,
  'data-file/pair-target': (a: { found: string }) => `expected a target sequence, found ${a.found}`,
  'data-file/no-pairs': () => 'expected source<TAB>target pairs, found an empty file',
  'data-file/tag-count': (a: { tokens: number; tags: number }) => `expected as many tags as tokens (${a.tokens}), found ${a.tags}`,
  'data-file/no-sentences': () => 'expected at least one sentence, found an empty file',
  'data-file/no-numeric': (a: { header: string }) => `expected numeric columns, found none on the first data line (header: ${a.header})`,
  'data-file/not-a-number': (a: { column: string; found?: string }) => `expected a number in column ${a.column}, found ${a.found ?? 'an empty field'}`,
  'data/field-range': (a: { field: string; index: number; file: string; count: number }) =>
    `${a.field} ${a.index} is out of range: ${a.file} has ${a.count} field${a.count === 1 ? '' : 's'} (0-based)`,
  'data/field-unknown': (a: { field: string; name: string; file: string; header: string }) =>
    `${a.field} ${a.name} is not a field of ${a.file}; its header (line 1) has ${a.header}`,
  'data/format-unknown': (a: { name: string; extensions: string; list: string }) =>
    `cannot tell how to read '${a.name}' from its extension: name it ${a.extensions} or set data.format to one of ${a.list}`,
  'data/format-task': (a: { task: string; list: string; format: string; name?: string }) =>
    `task '${a.task}' reads ${a.list} files, not ${a.format}${a.name !== undefined ? ` ('${a.name}')` : ''}`,
  'data/needs-file': (a: { task: string; what: 'pairs' | 'tag' | 'forecast' | 'classify' }) =>
    `task '${a.task}' needs ${{ pairs: 'data.file (TSV or JSONL)', tag: 'data.file (CoNLL or JSONL)', forecast: 'data.file (a CSV file with a header line)', classify: 'data.file (CSV, TSV or JSONL) or data.folder (one file per class)' }[a.what]}`,
  'data/folder-no-access': (a: { folder: string }) => `cannot list '${a.folder}': no file access here`,
  'data/folder-unreadable': (a: { folder: string; dir: string; why: string }) => `cannot list data.folder '${a.folder}' (${a.dir}): ${a.why}`,
  'data/folder-too-few': (a: { folder: string; count: number }) =>
    `data.folder '${a.folder}' has ${a.count} file${a.count === 1 ? '' : 's'}; it needs one file per class, at least 2`,
  'data/jsonl-field': (a: { field: 'textField' | 'labelField' }) => `data.${a.field} must name a JSON field (a string) for a JSONL file`,
  'data/too-few-classes': (a: { source: string; count: number; labels: string }) =>
    `${a.source} has ${a.count} label${a.count === 1 ? '' : 's'} (${a.labels}); classification needs at least 2`,
  'data/too-few-tags': (a: { file: string; count: number; tags: string }) =>
    `${a.file} uses ${a.count} tag${a.count === 1 ? '' : 's'} (${a.tags}); tagging needs at least 2`,
  'data/columns-empty': (a: { key: string }) => `data.${a.key} must list at least one column`,
  'data/column-repeated': (a: { key: string; index: number; column: string }) => `data.${a.key}[${a.index}] repeats the column ${a.column}`,
  'data/split-too-short': (a: { file: string; rows: number; part: 'training' | 'validation' | 'test'; from: number; to: number; length: number; horizon: number }) =>
    `${a.file} has ${a.rows} row${a.rows === 1 ? '' : 's'}; its ${a.part} part (rows ${a.from} to ${a.to}) has ${a.to - a.from + 1}, fewer than a window of data.length ${a.length} + data.horizon ${a.horizon} = ${a.length + a.horizon}: use more rows, a shorter window, or a smaller data.validation / data.test`,
  'data/whole-number': (a: { field: string; min: number; max: number; got: string }) => `${a.field} must be a whole number from ${a.min} to ${a.max} (got ${a.got})`,
  'data/too-few-rows': (a: { file: string; window: number }) => `${a.file} has too few rows for training windows of ${a.window} rows`,
  'data/path-empty': (a: { field: string }) => `${a.field} must be a non-empty path`,
  'data/path-bad': (a: { field: string; why: string }) => `${a.field} ${a.why}`,
  'data/path-unresolved': (a: { path: string }) => `cannot resolve the relative path '${a.path}': the definition file's location is not known`,
  'data/no-file-access': (a: { name: string }) => `cannot read '${a.name}': no file access here (give data.text instead)`,
  /** `message` from words.tooLarge (the size, the limit and what to change). */
  'data/file-too-large': (a: { field: string; name: string; message: string }) => `${a.field} '${a.name}' ${a.message}`,
  'data/file-refused': (a: { field: string; name: string; why: string }) => `${a.field} '${a.name}': ${a.why}`,
  'data/file-unreadable': (a: { name: string; abs: string; why: string }) => `cannot read data file '${a.name}' (${a.abs}): ${a.why}`,
  'data/data-too-large': (a: { total: string; limit: string; remedy: string }) => `this data set would hold ${a.total} numbers (limit ${a.limit}); ${a.remedy}`,
};
export type Catalogue = typeof en;
export type MessageKey = keyof Catalogue;

const ko: Catalogue = {
  syntax: (a) => `구문 오류: ${(koSyntax as Record<string, string>)[a.kind] ?? a.kind}`,
  'syntax/nested': () => '정의가 너무 깊게 중첩되어 읽을 수 없습니다',
  'syntax/not-text': () => '정의는 텍스트(JSON)여야 합니다',
  'syntax/empty': () =>
    '파일이 비어 있습니다. 모델 정의는 { "name": "my-model", "data": { "task": "hello" }, "layers": [ { "cell": "rnn", "units": 8 } ] } 같은 JSON 객체입니다',
  internal: (a) => `정의를 검사하는 중 내부 오류가 났습니다: ${a.error}`,
  more: (a) => `표시하지 않은 문제가 ${a.n}개 더 있습니다`,
  'number-range': (a) => `${a.where}: 너무 커서 나타낼 수 없는 수입니다`,
  'duplicate-key': (a) => `중복된 키 '${a.key}'${a.where ? ` (${a.where})` : ''}: 이 값은 무시되고 뒤에 나온 값이 쓰입니다`,
  'unknown-key': (a) => `${unknownKeyKo(a)} (이 키는 무시됩니다)`,
  'unknown-key/training': (a) => `${unknownKeyKo(a)} (알 수 없는 학습 설정은 오류입니다: 흔적 없이 실행을 바꿀 수 있기 때문입니다)`,
  'schema/required': (a) => `${a.where}에 필수 속성 '${a.missing}'이(가) 없습니다${a.hint}`,
  'schema/enum': (a) => `${a.where}에는 ${a.allowed} 중 하나만 쓸 수 있습니다 (현재 값: ${a.got})${a.guess ? `. ${a.guess}을(를) 뜻했나요?` : ''}`,
  'schema/value': (a) => `${a.where}에는 ${a.must}만 쓸 수 있습니다 (현재 값: ${a.got})`,
  'schema/value-unquote-number': (a) => `${a.where}에는 ${a.must}만 쓸 수 있습니다 (현재 값: ${a.got}). 숫자는 따옴표 없이 쓰세요`,
  'schema/value-unquote-boolean': (a) => `${a.where}에는 ${a.must}만 쓸 수 있습니다 (현재 값: ${a.got}). true와 false는 따옴표 없이 쓰세요`,
  'schema/root-type': (a) =>
    `모델 정의는 { "name": ..., "data": { "task": ... }, "layers": [ ... ] } 같은 JSON 객체여야 합니다 (현재 값: ${a.got})`,
  'schema/other': (a) => `${a.where}: 올바르지 않은 값입니다 (${a.detail})`,
  'structure-task': (a) => `structure ${a.structure}: '${a.task}' 작업에 맞지 않습니다. 이 작업에 쓸 수 있는 구조: ${a.allowed}`,
  'bidirectional-generator/decoder': (a) =>
    `${a.where}.bidirectional: true로 둘 수 없습니다. 디코더는 출력을 한 단계씩 쓰고, ${FUTURE_KO}`,
  'bidirectional-generator/task': (a) =>
    `${a.where}.bidirectional: '${a.task}' 작업에서는 true로 둘 수 없습니다. 이 작업은 텍스트를 한 글자씩 생성하고, ${FUTURE_KO}`,
  'bidirectional-generator/one-to-many': (a) =>
    `${a.where}.bidirectional: one-to-many 모델에서는 true로 둘 수 없습니다. 출력을 한 단계씩 생성하고, ${FUTURE_KO}`,
  'ignored-activation': (a) =>
    `${a.where}.activation: ${a.cell === 'lstm' ? 'LSTM' : 'GRU'} 셀에서는 무시됩니다. 게이트의 활성화 함수가 정해져 있습니다 ("rnn"에만 적용됩니다)`,
  'merge-without-bidirectional': (a) =>
    `${a.where}.merge: 무시됩니다. 양방향 레이어의 두 방향을 합치는 설정인데, 이 레이어는 양방향이 아닙니다`,
  'decoder-ignored': (a) => `decoder: 무시됩니다. "encoder-decoder" 구조에서만 쓰입니다 (이 모델의 구조: ${a.structure})`,
  'decoder-shape/count': (a) =>
    `decoder.layers: 인코더와 레이어 수가 같아야 합니다 (${a.encoder}개). 각 디코더 레이어는 짝이 되는 인코더 레이어의 마지막 상태에서 시작합니다 (현재 ${a.decoder}개)`,
  'decoder-shape/cell': (a) =>
    `decoder.layers[${a.i}].cell: 인코더의 layers[${a.i}].cell 값과 같아야 합니다 (${a.cell}). 디코더는 인코더의 마지막 상태에서 시작합니다`,
  'decoder-shape/units': (a) =>
    `decoder.layers[${a.i}].units: 인코더의 layers[${a.i}].units 값과 같아야 합니다 (${a.units}). 디코더는 인코더의 마지막 상태에서 시작합니다`,
  'head-task': (a) => `head.activation ${a.activation}: '${a.task}' 작업에 맞지 않습니다. 이 작업의 출력은 ${a.outputs}입니다. 다음을 쓰세요: ${a.fit}`,
  'head-loss': (a) => `head.loss ${a.loss}: ${a.activation} 헤드${a.task ? `('${a.task}' 작업의 기본값)` : ''}에 맞지 않습니다. 다음을 쓰세요: ${a.fit}`,
  'embedding-real': (a) =>
    `input.encoding "embedding": 토큰 입력이 필요한데 '${a.task}' 작업은 실수를 입력합니다. 이 설정을 지우세요 (실수 입력은 그대로 들어갑니다)`,
  'ignored-embedding-size': () => 'input.embeddingSize: input.encoding이 "embedding"이 아니면 무시됩니다',
  'steps-and-epochs': () => 'training.epochs: training.steps와 함께 쓸 수 없습니다. 둘 중 하나만 쓰세요 (epochs는 steps로 바뀝니다)',
  'ignored-tbptt': (a) => `training.tbptt: 무시됩니다. 잘린 BPTT는 "many-to-many" 모델에만 적용됩니다 (이 모델의 구조: ${a.structure})`,
  'tbptt-too-long': (a) => `training.tbptt (${a.tbptt}): training.sequenceLength (${a.sequenceLength}${a.isDefault ? ', 기본값' : ''}) 이하여야 합니다`,
  'tbptt-too-long/length': (a) => `training.tbptt (${a.tbptt}): 시퀀스 길이인 data.length (${a.length}${a.isDefault ? ', 기본값' : ''}) 이하여야 합니다`,
  'ignored-optimizer-param': (a) =>
    `training.${a.param}: ${a.optimizer} 옵티마이저${a.isDefault ? '(기본값)' : ''}에서는 무시됩니다. 이 설정을 쓰는 옵티마이저: ${a.readers}`,
  'ignored-clip-threshold': () => 'training.clip.threshold: clip.type이 "none"이라서 무시됩니다',
  'missing-text': (a) => `'${a.task}' 작업에는 data.file(이 정의 파일 기준 경로의 텍스트 파일) 또는 data.text(인라인 텍스트)가 필요합니다`,
  'file-and-text': () => 'data.text: data.file과 함께 쓸 수 없습니다. 둘 중 하나만 쓰세요',
  'missing-file': (a) =>
    `'${a.task}' 작업은 사용자의 데이터를 읽습니다. 이 정의 파일 기준 경로로 data.file${a.classify ? '(CSV, TSV 또는 JSONL) 또는 data.folder(클래스마다 파일 하나)' : ''}을(를) 지정하세요`,
  'file-and-folder': () => 'data.folder: data.file과 함께 쓸 수 없습니다. 둘 중 하나만 쓰세요',
  'format-task': (a) => `data.format ${a.format}: '${a.task}' 작업은 이 형식을 읽을 수 없습니다. 이 작업이 읽는 형식: ${a.formats}`,
  'split-too-large': (a) =>
    `data.validation + data.test: 학습할 예제가 남도록 합이 1보다 작아야 합니다 (현재 값: ${a.validation} + ${a.test})`,
  'ignored-data-field/file': (a) => `data.file: '${a.task}' 작업은 데이터를 직접 만들기 때문에 무시됩니다 (파일을 읽는 작업: ${a.readers})`,
  'ignored-data-field/field': (a) => `data.${a.field}: '${a.task}' 작업에서는 무시됩니다 (이 설정을 읽는 작업: ${a.readers})`,
  'ignored-data-field/text': (a) => `data.text: '${a.task}' 작업에서는 무시됩니다 ("text"만 읽습니다)`,
  'ignored-data-field/column': () => 'data.column: 무시됩니다. "sine" 작업의 CSV data.file에서 계열을 고르는 설정입니다',
  'ignored-data-field/word': (a) => `data.word: '${a.task}' 작업에서는 무시됩니다 ("hello"만 읽습니다)`,
  'ignored-data-field/symbols': (a) => `data.symbols: '${a.task}' 작업에서는 무시됩니다 ("copy"와 "reverse"가 읽습니다)`,
  'ignored-data-field/vocabulary': (a) => `data.vocabulary: '${a.task}' 작업에서는 무시됩니다 (문자 작업 "hello"와 "text"에만 적용됩니다)`,
  'file-outside-workspace': (a) => `data.file '${a.file}': 경로 ${a.resolved}이(가) 작업 영역 루트 ${a.root} 밖에 있습니다. ${INSIDE_KO}`,
  'file-outside-workspace/absolute': (a) => `data.file ${a.file}: 작업 영역 루트 ${a.root} 밖에 있습니다. ${INSIDE_KO}`,
  'file-outside-workspace/folder': (a) => `data.folder '${a.folder}': 경로 ${a.resolved}이(가) 작업 영역 루트 ${a.root} 밖에 있습니다. ${INSIDE_KO}`,
  'file-not-found': (a) => `data.file ${a.file}: 파일을 찾을 수 없습니다 (찾아본 위치: ${a.looked})`,
  'dropout-no-effect': (a) =>
    `${a.where}.dropout: 효과가 없습니다. 레이어 드롭아웃은 쌓인 레이어 사이에서 작동하는데 (PyTorch의 nn.RNN/LSTM/GRU(dropout=p)처럼 맨 위를 뺀 모든 레이어의 출력에), 이 레이어는 ${{ encoder: '인코더', stack: '스택', decoder: '디코더' }[a.of]}의 ${a.only ? '유일한 레이어' : '맨 위 레이어'}입니다. 헤드 앞에 드롭아웃을 두려면 "head": { "dropout": ${a.dropout} }을(를) 쓰세요`,
  'ignored-schedule-param': (a) => `training.schedule.${a.param}: ${a.schedule} 스케줄에서는 무시됩니다. 이 설정을 읽는 스케줄: ${a.readers}`,
  'schedule-missing': (a) => `${a.schedule} 스케줄에는 training.schedule.${a.param}이(가) 필요합니다`,
  'schedule-too-long': (a) =>
    `training.schedule.warmupSteps (${a.warmup}): 실행의 ${a.steps}단계(${a.defaultSteps ? '기본값 training.steps' : 'training.steps'})보다 작아야 합니다. 그렇지 않으면 코사인 감쇠가 시작되지 않습니다`,
  'schedule-never-applies/step': (a) =>
    `training.schedule.stepSize (${a.stepSize}): 실행의 ${a.steps}단계(${a.defaultSteps ? '기본값 training.steps' : 'training.steps'})보다 작지 않아서 학습률이 바뀌지 않습니다`,
  'schedule-never-applies/plateau': (a) =>
    `"plateau" 스케줄이 이 실행에서는 학습률을 줄일 수 없습니다: 검증이 ${a.runs}번 실행되는데 (${a.steps}단계 중 ${a.evalEvery}단계마다) patience가 ${a.patience}입니다`,
  'schedule-needs-validation': () =>
    '"plateau" 스케줄은 검증 손실이 더 나아지지 않을 때 학습률을 줄이는데, data.validation이 0입니다. data.validation을 정하거나 (예: 0.1) 다른 스케줄을 고르세요',
  'schedule-needs-validation/task': (a) =>
    `"plateau" 스케줄은 검증 손실이 더 나아지지 않을 때 학습률을 줄이는데, '${a.task}' 작업은 기본으로 검증 예제를 떼어 두지 않습니다. data.validation을 정하거나 (예: 0.1) 다른 스케줄을 고르세요`,
  'file-not-found/inspected': (a) => `data.file ${a.file}: 파일을 찾을 수 없습니다 (${a.detail})`,
  'file-outside-workspace/inspected': (a) => `data.file ${a.file}: 작업 영역 밖에 있습니다 (${a.detail}). ${INSIDE_KO}`,
  'file-not-regular': (a) => `data.file ${a.file}: 일반 파일이 아닙니다 (${a.detail})`,
  'file-too-large': (a) => `data.file ${a.file}: 파일이 너무 큽니다. ${a.detail}`,
  'file-unreadable': (a) => `data.file ${a.file}: 읽을 수 없습니다 (${a.detail})`,
  'text-too-short': (a) => `data.text: 2자 이상이어야 합니다. 문자 모델은 앞의 글자들로 다음 글자를 예측하도록 배웁니다 (현재 ${a.n}자)`,
  'word-too-short': (a) => `data.word: 2자 이상이어야 합니다. "hello"는 앞 글자로 다음 글자를 예측하도록 배웁니다 (현재 값: ${a.word})`,
  'length-too-short': (a) => `data.length: 'adding' 작업에서는 2 이상이어야 합니다. 수 두 개에 표시가 붙기 때문입니다 (현재 값: ${a.n})`,
  'length-too-long': (a) => `data.length: '${a.task}' 작업에서는 500 이하여야 합니다 (현재 값: ${a.n})`,
  'file-type': (a) => `data.file: 'sine' 작업에서는 .csv 파일이어야 합니다. 계열은 그 파일의 한 열입니다 (현재 값: ${a.file})`,
  'vocabulary-entry': (a) => `data.vocabulary[${a.i}]: 한 글자여야 합니다 (현재 값: ${a.entry})`,
  'vocabulary-duplicate': (a) => `data.vocabulary[${a.i}]: 문자 ${a.entry}은(는) 이미 data.vocabulary[${a.first}]에 있습니다`,
  'vocabulary-mismatch': (a) =>
    `data.vocabulary: ${a.field}${a.defaultWord ? ' (기본값 "hello")' : ''}에 나오는 문자가 빠져 있습니다: ${a.shown}`,
  'attention-without-encoder': (a) =>
    `decoder.attention ${a.attention}: 주의를 기울일 인코더가 필요합니다. "encoder-decoder" 구조에서만 쓰입니다 (이 모델의 구조: ${a.structure})`,
  'attention-size': (a) =>
    `decoder.attention "luong-dot": 점수 o_t . k_s를 계산하므로 디코더 맨 위 레이어(${a.units} 유닛)의 폭이 인코더 출력의 폭(${a.width}${a.concat ? ', 두 방향을 이어 붙인 값' : ''})과 같아야 합니다. 출력을 사영하는 "luong-general"이나 "bahdanau"를 쓰세요${a.concat ? '. 또는 "sum"으로 두 방향을 합치세요' : ''}`,
  'bridge-ignored': () => 'decoder.bridge: 무시됩니다. 양방향 인코더 레이어의 두 방향을 잇는 설정인데, 양방향 인코더 레이어가 없습니다',
  'memory-budget': (a) =>
    `이 모델을 학습하려면 메모리가 약 ${a.total} 필요합니다 (${a.parts}). 메모리 예산 ${a.budget} MB를 넘습니다: ` +
    `${a.remedy}. 또는 예산을 늘리세요 (설정 seqlab.memoryBudgetMB, CLI --memory-budget MB)`,
  'sweep-path': (a) =>
    `sweep.parameters: "${a.path}"은(는) 설정을 가리키는 경로가 아닙니다. layers[0].cell, training.learningRate, layers[*].units, layers.length처럼 쓰세요`,
  'sweep-path/unknown': (a) =>
    `sweep.parameters: "${a.path}"은(는) 정의의 어떤 설정도 가리키지 않습니다 ('${a.key}'은(는) 알 수 없는 키입니다${a.guess ? `. '${a.guess}'을(를) 뜻했나요?` : ''})`,
  'sweep-path/fixed': (a) => `sweep.parameters: "${a.path}"은(는) 스윕할 수 없습니다. 이름, 설명, 스윕은 모든 시행에서 같습니다`,
  'sweep-path/index': (a) =>
    `sweep.parameters: "${a.path}"에는 ${a.list}의 ${a.n}번 항목이 필요한데, 항목이 그보다 적습니다 (레이어를 늘리려면 layers.length를 스윕하세요)`,
  'sweep-value': (a) => `스윕의 ${a.path} 값은 ${a.must}이어야 합니다 (현재 값: ${a.got})`,
  'sweep-duplicate': (a) => `sweep.parameters["${a.path}"]에 ${a.value}이(가) 두 번 있습니다. 같은 시행을 두 번 학습하게 됩니다`,
  'sweep-size': (a) => `이 스윕의 시행은 ${a.n}개로, 한도 ${a.max}개를 넘습니다. 값을 줄이거나 "method": "random"과 "trials"를 쓰세요`,
  'sweep-trials-ignored': () => 'sweep.trials: 그리드 스윕은 모든 조합을 학습하므로 무시됩니다. 일부만 학습하려면 "method": "random"을 쓰세요',
  'sweep-trials-capped': (a) => `sweep.trials (${a.trials})가 가능한 조합 ${a.n}개보다 많습니다. ${a.n}개를 모두 학습합니다`,
  'sweep-seed-ignored': () => 'sweep.seed: 그리드 스윕에서는 무시됩니다 ("method": "random"만 무작위로 뽑습니다)',
  'sweep-trial': (a) => `스윕 시행 ${a.trial} (${a.overrides})은(는) 올바른 정의가 아닙니다: ${a.problem}`,
  'data-file/unclosed-quote': () => '같은 줄에 닫는 \'"\'가 있어야 합니다 (따옴표로 묶은 필드는 여러 줄에 걸칠 수 없습니다). 줄이 끝났습니다',
  'data-file/fields': (a) => `${a.kind === 'tsv' ? '탭' : '쉼표'}으로 구분된 필드 ${a.n}개가 있어야 하는데 ${a.found}개가 있습니다`,
  'data-file/no-header': (a) => `${a.kind === 'tsv' ? '탭' : '쉼표'}으로 구분된 필드의 이름을 적은 머리글 줄이 있어야 하는데 파일이 비어 있습니다`,
  'data-file/no-data': () => '머리글 줄 다음에 데이터 줄이 있어야 하는데 파일이 끝났습니다',
  'data-file/json-line': (a) => `한 줄에 JSON 객체 하나가 있어야 하는데 다음이 있습니다: ${a.found}`,
  'data-file/json-object': (a) => `JSON 객체({"...": ...})가 있어야 하는데 다음이 있습니다: ${a.found}`,
  'data-file/json-no-field': (a) =>
    `${a.list ? '문자열 목록' : '문자열'}이 든 필드 ${a.key}가 있어야 하는데 그런 필드가 없습니다${a.fields !== undefined ? ` (있는 필드: ${a.fields || '없음'})` : ''}`,
  'data-file/json-string': (a) => `${a.key}에 빈 문자열이 아닌 문자열이 있어야 하는데 다음이 있습니다: ${a.found}`,
  'data-file/json-list': (a) => `${a.key}에 문자열 목록이 있어야 하는데 다음이 있습니다: ${a.found}`,
  'data-file/json-list-entry': (a) => `${a.key}에 빈 문자열이 아닌 문자열 목록이 있어야 하는데 ${a.index}번 항목이 다음과 같습니다: ${a.found}`,
  'data-file/json-list-empty': (a) => `${a.key}에 항목이 하나 이상 있어야 하는데 빈 목록입니다`,
  'data-file/conll-fields': (a) =>
    `탭으로 구분된 필드 2개(토큰, 태그)가 있어야 하는데 ${a.found}개가 있습니다${a.spaces ? ' (토큰과 태그 사이는 공백이 아니라 탭으로 구분하세요)' : ''}`,
  'data-file/conll-token': () => '탭 앞에 토큰이 있어야 하는데 아무것도 없습니다',
  'data-file/conll-tag': () => '탭 뒤에 태그가 있어야 하는데 아무것도 없습니다',
  'data-file/no-text': (a) => `분류할 텍스트가 있어야 하는데 다음이 있습니다: ${a.found}`,
  'data-file/class-file-empty': (a) => `클래스 ${a.label}의 예제가 한 줄에 하나씩 있어야 하는데 파일이 비어 있습니다`,
  'data-file/empty-label': (a) => `필드 ${a.field}에 레이블이 있어야 하는데 비어 있습니다`,
  'data-file/empty-text': (a) => `필드 ${a.field}에 텍스트가 있어야 하는데 비어 있습니다`,
  'data-file/pair-source': (a) => `원본 시퀀스가 있어야 하는데 다음이 있습니다: ${a.found}`,
  'data-file/pair-target': (a) => `목표 시퀀스가 있어야 하는데 다음이 있습니다: ${a.found}`,
  'data-file/no-pairs': () => '원본<TAB>목표 쌍이 있어야 하는데 파일이 비어 있습니다',
  'data-file/tag-count': (a) => `태그가 토큰 수(${a.tokens})만큼 있어야 하는데 ${a.tags}개가 있습니다`,
  'data-file/no-sentences': () => '문장이 하나 이상 있어야 하는데 파일이 비어 있습니다',
  'data-file/no-numeric': (a) => `숫자 열이 있어야 하는데 첫 데이터 줄에 하나도 없습니다 (머리글: ${a.header})`,
  'data-file/not-a-number': (a) => `열 ${a.column}에 숫자가 있어야 하는데 ${a.found === undefined ? '빈 필드가 있습니다' : `다음이 있습니다: ${a.found}`}`,
  'data/field-range': (a) => `${a.field} ${a.index}: 범위를 벗어났습니다. ${a.file}의 필드는 ${a.count}개입니다 (0부터 셉니다)`,
  'data/field-unknown': (a) => `${a.field} ${a.name}: ${a.file}의 필드가 아닙니다. 머리글(1번 줄)에 있는 필드: ${a.header}`,
  'data/format-unknown': (a) => `'${a.name}'을(를) 어떻게 읽을지 확장자로 알 수 없습니다. 파일 이름을 ${a.extensions}(으)로 하거나 data.format을 다음 중 하나로 두세요: ${a.list}`,
  'data/format-task': (a) => `'${a.task}' 작업은 ${a.list} 파일을 읽습니다. ${a.format}${a.name !== undefined ? ` ('${a.name}')` : ''}은(는) 읽지 않습니다`,
  'data/needs-file': (a) =>
    `'${a.task}' 작업에는 ${{ pairs: 'data.file(TSV 또는 JSONL)', tag: 'data.file(CoNLL 또는 JSONL)', forecast: 'data.file(머리글 줄이 있는 CSV 파일)', classify: 'data.file(CSV, TSV 또는 JSONL) 또는 data.folder(클래스마다 파일 하나)' }[a.what]}이(가) 필요합니다`,
  'data/folder-no-access': (a) => `'${a.folder}'의 목록을 볼 수 없습니다: 여기서는 파일에 접근할 수 없습니다`,
  'data/folder-unreadable': (a) => `data.folder '${a.folder}' (${a.dir})의 목록을 볼 수 없습니다: ${a.why}`,
  'data/folder-too-few': (a) => `data.folder '${a.folder}'에 파일이 ${a.count}개 있습니다. 클래스마다 파일이 하나씩, 적어도 2개 필요합니다`,
  'data/jsonl-field': (a) => `data.${a.field}: JSONL 파일에서는 JSON 필드 이름(문자열)이어야 합니다`,
  'data/too-few-classes': (a) => `${a.source}에 레이블이 ${a.count}개(${a.labels}) 있습니다. 분류에는 적어도 2개가 필요합니다`,
  'data/too-few-tags': (a) => `${a.file}에 태그가 ${a.count}개(${a.tags}) 쓰였습니다. 태깅에는 적어도 2개가 필요합니다`,
  'data/columns-empty': (a) => `data.${a.key}: 열을 하나 이상 나열해야 합니다`,
  'data/column-repeated': (a) => `data.${a.key}[${a.index}]: 열 ${a.column}이(가) 반복됩니다`,
  'data/split-too-short': (a) =>
    `${a.file}의 행은 ${a.rows}개이고, ${{ training: '학습', validation: '검증', test: '테스트' }[a.part]} 부분(${a.from}~${a.to}행)은 ${a.to - a.from + 1}개로 data.length ${a.length} + data.horizon ${a.horizon} = ${a.length + a.horizon}인 창보다 적습니다: 행을 늘리거나, 창을 줄이거나, data.validation / data.test를 줄이세요`,
  'data/whole-number': (a) => `${a.field}: ${a.min}부터 ${a.max}까지의 정수여야 합니다 (현재 값: ${a.got})`,
  'data/too-few-rows': (a) => `${a.file}의 행이 너무 적어 ${a.window}행짜리 학습 창을 만들 수 없습니다`,
  'data/path-empty': (a) => `${a.field}: 비어 있지 않은 경로여야 합니다`,
  'data/path-bad': (a) => `${a.field}: 이 경로는 쓸 수 없습니다 (${a.why})`,
  'data/path-unresolved': (a) => `상대 경로 '${a.path}'을(를) 풀 수 없습니다: 정의 파일의 위치를 모릅니다`,
  'data/no-file-access': (a) => `'${a.name}'을(를) 읽을 수 없습니다: 여기서는 파일에 접근할 수 없습니다 (대신 data.text를 쓰세요)`,
  'data/file-too-large': (a) => `${a.field} '${a.name}': 파일이 너무 큽니다. ${a.message}`,
  'data/file-refused': (a) => `${a.field} '${a.name}': 읽을 수 없습니다 (${a.why})`,
  'data/file-unreadable': (a) => `데이터 파일 '${a.name}' (${a.abs})을(를) 읽을 수 없습니다: ${a.why}`,
  'data/data-too-large': (a) => `이 데이터 세트는 숫자를 ${a.total}개 담게 됩니다 (한도 ${a.limit}): ${a.remedy}`,
};

const CATALOGUES: Record<Locale, { words: Words; messages: Catalogue }> = {
  en: { words: enWords, messages: en },
  ko: { words: koWords, messages: ko },
};

/** The diagnostic code of a catalogue key: 'schema/required' -> 'schema'. */
export function codeOf(key: MessageKey): string {
  const i = key.indexOf('/');
  return i < 0 ? key : key.slice(0, i);
}

export interface Messages {
  locale: Locale;
  words: Words;
  /** The sentence of `key` with its values filled in. */
  text<K extends MessageKey>(key: K, args: Parameters<Catalogue[K]>[0]): string;
  /** 'layers[0].units'; the empty path reads as `words.root`. */
  path(p: JsonPath): string;
}

export function messagesFor(locale: string | undefined): Messages {
  const l = localeOf(locale);
  const { words, messages } = CATALOGUES[l];
  return {
    locale: l,
    words,
    text: (key, args) => (messages[key] as (a: unknown) => string)(args),
    path: (p) => formatPath(p, words.root),
  };
}

/** Every key of the catalogue (the l10n check walks them). */
export const MESSAGE_KEYS = Object.keys(en) as MessageKey[];
/** The catalogues themselves, for the l10n check. */
export const CATALOGUE = { en, ko, enWords, koWords, enSyntax, koSyntax } as const;

/** 'layers[0].units', 'data.task'; the empty path reads `root`. */
export function formatPath(path: JsonPath, root: string): string {
  if (path.length === 0) return root;
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(p)) s += s ? `.${p}` : p;
    else s += `[${JSON.stringify(p)}]`;
  }
  return s;
}

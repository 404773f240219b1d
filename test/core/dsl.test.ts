/**
 * The DSL parser: every diagnostic is checked for its message, exact line and column, severity and
 * code. Sources are written inline, one property per line where positions matter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseDefinition, formatDiagnostic, offsetToLineColumn, KNOWN_KEYS, knownKeysAt, seqlabSchema, type Diagnostic, type ParseOptions,
} from '../../src/core/dsl/index';
import type { ModelSpec } from '../../src/core/spec';
import Ajv from 'ajv';
import { schemaAt } from '../../src/core/dsl/index';

interface Expect {
  severity?: Diagnostic['severity'];
  code: string;
  line: number;
  column: number;
  message: RegExp | string;
  path?: (string | number)[];
}

/** Parse and check that the diagnostics are exactly `expected` (in order). */
function check(src: string, expected: Expect[], options?: ParseOptions): { spec?: ModelSpec; diagnostics: Diagnostic[] } {
  const r = parseDefinition(src, options);
  const show = r.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}`).join('\n');
  assert.equal(r.diagnostics.length, expected.length, `diagnostics:\n${show}`);
  expected.forEach((e, i) => {
    const d = r.diagnostics[i];
    assert.equal(d.code, e.code, show);
    assert.equal(d.severity, e.severity ?? 'error', show);
    assert.deepEqual([d.line, d.column], [e.line, e.column], `position of ${d.code}: ${d.message}`);
    if (typeof e.message === 'string') assert.ok(d.message.includes(e.message), `"${d.message}" should contain "${e.message}"`);
    else assert.match(d.message, e.message);
    if (e.path) assert.deepEqual(d.path, e.path);
    // line/column agree with offset, and the offset lies in the source
    assert.deepEqual(offsetToLineColumn(src, d.offset), { line: d.line, column: d.column });
    assert.ok(d.offset >= 0 && d.offset + d.length <= src.length);
  });
  const errors = r.diagnostics.some((d) => d.severity === 'error');
  assert.equal(r.spec === undefined, errors, 'spec is present iff there is no error');
  return r;
}

/** The text covered by a diagnostic. */
const covered = (src: string, d: Diagnostic) => src.slice(d.offset, d.offset + d.length);

// ---------------------------------------------------------------- valid files and defaults

test('a minimal definition gets every default filled in', () => {
  const src = '{ "name": "m", "data": { "task": "hello" }, "layers": [ { "cell": "rnn", "units": 8 } ] }';
  const { spec } = check(src, []);
  const expected: ModelSpec = {
    name: 'm',
    description: '',
    data: { task: 'hello', seed: 1, samples: 1, validation: 0, length: 16, word: 'hello', symbols: 8 },
    input: { encoding: 'onehot', embeddingSize: 16, positionFeature: false },
    layers: [{ cell: 'rnn', units: 8, activation: 'tanh', bias: true, bidirectional: false, merge: 'concat', dropout: 0 }],
    decoderLayers: [],
    initialState: 'zeros',
    structure: 'many-to-many',
    head: { activation: 'softmax', loss: 'cross-entropy', dropout: 0 },
    training: {
      optimizer: 'adam', learningRate: 0.01, momentum: 0.9, nesterov: false, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, rho: 0.99,
      centered: false, weightDecay: 0, batchSize: 32, steps: 500, sequenceLength: 32, tbptt: 0, clip: { type: 'none', threshold: 5 }, schedule: { type: 'none' },
      seed: 42,
    },
  };
  // no logEvery/evalEvery: the front end's defaults apply (src/core/session.ts); no early stopping
  assert.deepEqual(spec, expected);
});

test('intervals and early stopping are kept as given, minDelta defaults to 0', () => {
  const { spec } = check('{"name":"h","data":{"task":"hello"},"layers":[{"cell":"rnn","units":8}],"training":{"logEvery":3,"evalEvery":7,"earlyStopping":{"patience":4}}}', []);
  assert.equal(spec!.training.logEvery, 3);
  assert.equal(spec!.training.evalEvery, 7);
  assert.deepEqual(spec!.training.earlyStopping, { patience: 4, minDelta: 0 });
});

test('early stopping without patience, or with an unknown key, is located', () => {
  const r = parseDefinition('{"name":"h","data":{"task":"hello"},"layers":[{"cell":"rnn","units":8}],"training":{"earlyStopping":{"minDelta":0.1}}}');
  const e = r.diagnostics.find((d) => d.severity === 'error');
  assert.ok(e, JSON.stringify(r.diagnostics));
  assert.match(e.message, /patience/);
  assert.deepEqual(e.path.slice(0, 2), ['training', 'earlyStopping']);
  const r2 = parseDefinition('{"name":"h","data":{"task":"hello"},"layers":[{"cell":"rnn","units":8}],"training":{"earlyStopping":{"patience":2,"patiense":3}}}');
  assert.ok(r2.diagnostics.some((d) => /patiense/.test(d.message) && d.path.includes('earlyStopping')), JSON.stringify(r2.diagnostics));
});

test('task defaults: adding gets its length, samples, linear head and mse', () => {
  const { spec } = check('{"name":"a","data":{"task":"adding"},"layers":[{"cell":"lstm","units":4}]}', []);
  assert.equal(spec!.data.length, 50);
  assert.equal(spec!.data.samples, 4000);
  assert.equal(spec!.data.validation, 0.1);
  assert.equal(spec!.structure, 'many-to-one');
  assert.deepEqual(spec!.head, { activation: 'linear', loss: 'mse', dropout: 0 });
});

test('trailing commas are accepted', () => {
  check('{\n  "name": "m",\n  "data": { "task": "parity", },\n  "layers": [ { "cell": "gru", "units": 4, }, ],\n}', []);
});

test('line and block comments are accepted', () => {
  const { spec } = check(
    '// a model\n{\n  /* the name */ "name": "m", // trailing\n  "data": { "task": "copy" },\n  "layers": [ { "cell": "lstm", "units": 4 } ]\n}\n',
    [],
  );
  assert.equal(spec!.structure, 'encoder-decoder');
});

test('encoder-decoder: the decoder defaults to the encoder layers, unidirectional', () => {
  const { spec } = check('{"name":"r","data":{"task":"reverse"},"layers":[{"cell":"gru","units":16,"dropout":0.1}]}', [
    { severity: 'warning', code: 'dropout-no-effect', line: 1, column: 84, message: 'this is the only layer of the encoder' },
  ]);
  assert.deepEqual(spec!.decoderLayers, [{ cell: 'gru', units: 16, activation: 'tanh', bias: true, bidirectional: false, merge: 'concat', dropout: 0.1 }]);
});

test('epochs leave steps at 0 for the trainer to convert; clip with only a threshold clips by norm', () => {
  const { spec } = check('{"name":"p","data":{"task":"parity"},"layers":[{"cell":"gru","units":4}],"training":{"epochs":3,"clip":{"threshold":1}}}', []);
  assert.equal(spec!.training.steps, 0);
  assert.equal(spec!.training.epochs, 3);
  assert.deepEqual(spec!.training.clip, { type: 'norm', threshold: 1 });
});

test('tbptt is off unless asked for (0: full BPTT); explicit values are kept', () => {
  const { spec } = check('{"name":"t","data":{"task":"text","text":"abcabc"},"layers":[{"cell":"gru","units":4}],"training":{"sequenceLength":20}}', []);
  assert.equal(spec!.training.tbptt, 0);
  assert.equal(check('{"name":"t","data":{"task":"text","text":"abcabc"},"layers":[{"cell":"gru","units":4}],"training":{"sequenceLength":20,"tbptt":5}}', []).spec!.training.tbptt, 5);
  assert.equal(spec!.data.text, 'abcabc');
  assert.equal(spec!.data.samples, 0);
});

// ---------------------------------------------------------------- syntax

test('syntax error: a missing comma is reported where the next key starts', () => {
  const src = '{\n  "name": "m"\n  "data": { "task": "hello" }\n}';
  check(src, [{ code: 'syntax', line: 3, column: 3, message: "expected ','" }]);
});

test('syntax error: an unclosed object is reported at the end of the file', () => {
  check('{\n  "name": "m",\n', [{ code: 'syntax', line: 3, column: 1, message: /expected '}'|expected a key/ }]);
});

test('syntax error: single quotes are not JSON', () => {
  check("{\n  'name': 'm'\n}", [
    { code: 'syntax', line: 2, column: 3, message: 'unexpected character' },
    { code: 'syntax', line: 2, column: 9, message: 'expected a key in double quotes' },
    { code: 'syntax', line: 2, column: 11, message: 'unexpected character' },
    { code: 'syntax', line: 3, column: 1, message: 'expected a value' },
  ]);
});

test('an empty file says what a definition looks like', () => {
  check('', [{ code: 'syntax', line: 1, column: 1, message: /the file is empty.*"name"/ }]);
  check('  // only a comment\n', [{ code: 'syntax', line: 1, column: 1, message: 'the file is empty' }]);
});

test('a JSON array is not a definition', () => {
  check('[1, 2]', [{ code: 'schema', line: 1, column: 1, message: /must be a JSON object.*\(got a list\)/ }]);
  check('null', [{ code: 'schema', line: 1, column: 1, message: /must be a JSON object.*\(got null\)/ }]);
  check('"hello"', [{ code: 'schema', line: 1, column: 1, message: /must be a JSON object.*\(got "hello"\)/ }]);
});

// ---------------------------------------------------------------- schema

test('missing name points at the opening brace of the definition', () => {
  check('{\n  "data": { "task": "hello" },\n  "layers": [ { "cell": "rnn", "units": 8 } ]\n}', [
    { code: 'schema', line: 1, column: 1, message: "the definition is missing the required property 'name'", path: [] },
  ]);
});

test('missing layers', () => {
  check('{ "name": "m", "data": { "task": "hello" } }', [
    { code: 'schema', line: 1, column: 1, message: /missing the required property 'layers', e.g. "layers": \[/ },
  ]);
});

test('missing data.task points at the "data" key', () => {
  const src = '{\n  "name": "m",\n  "data": { "seed": 3 },\n  "layers": [ { "cell": "rnn", "units": 8 } ]\n}';
  const r = check(src, [{ code: 'schema', line: 3, column: 3, message: "data is missing the required property 'task'" }]);
  assert.equal(covered(src, r.diagnostics[0]), '"data"');
});

test('missing units in a layer points at the layer object', () => {
  check('{\n  "name": "m",\n  "data": { "task": "hello" },\n  "layers": [\n    { "cell": "rnn" }\n  ]\n}', [
    { code: 'schema', line: 5, column: 5, message: "layers[0] is missing the required property 'units'", path: ['layers', 0] },
  ]);
});

test('units 0 is below the minimum', () => {
  const src = '{\n  "name": "m",\n  "data": { "task": "hello" },\n  "layers": [ {\n    "cell": "rnn",\n    "units": 0\n  } ]\n}';
  check(src, [{ code: 'schema', line: 6, column: 14, message: 'layers[0].units must be an integer >= 1 (got 0)', path: ['layers', 0, 'units'] }]);
});

test('units "8" is a string: a fix removes the quotes', () => {
  const src = '{\n  "name": "m",\n  "data": { "task": "hello" },\n  "layers": [ {\n    "cell": "rnn",\n    "units": "8"\n  } ]\n}';
  const r = check(src, [{ code: 'schema', line: 6, column: 14, message: 'layers[0].units must be an integer >= 1 (got "8"): write the number without quotes' }]);
  assert.equal(covered(src, r.diagnostics[0]), '"8"');
  assert.deepEqual(r.diagnostics[0].fix, { title: 'Change to 8', newText: '8' });
});

test('units 2.5 is not an integer', () => {
  check('{"name":"m","data":{"task":"hello"},"layers":[{"cell":"rnn","units":2.5}]}', [
    { code: 'schema', line: 1, column: 69, message: 'layers[0].units must be an integer >= 1 (got 2.5)' },
  ]);
});

test('units above the sanity limit names the limit', () => {
  check('{"name":"m","data":{"task":"hello"},"layers":[{"cell":"rnn","units":100000}]}', [
    { code: 'schema', line: 1, column: 69, message: 'layers[0].units must be an integer >= 1 and <= 4096 (got 100000)' },
  ]);
});

test('validation 1 is out of range [0, 1)', () => {
  check('{"name":"m","data":{"task":"copy","validation":1},"layers":[{"cell":"rnn","units":8}]}', [
    { code: 'schema', line: 1, column: 48, message: 'data.validation must be a number >= 0 and < 1 (got 1)' },
  ]);
});

test('unknown cell: did you mean "lstm", with a fix', () => {
  const src = '{\n  "name": "m",\n  "data": { "task": "hello" },\n  "layers": [ {\n    "cell": "lstn",\n    "units": 8\n  } ]\n}';
  const r = check(src, [{ code: 'schema', line: 5, column: 13, message: 'layers[0].cell must be one of "rnn", "lstm" or "gru" (got "lstn"); did you mean "lstm"?' }]);
  assert.deepEqual(r.diagnostics[0].fix, { title: 'Change to "lstm"', newText: '"lstm"' });
  assert.equal(covered(src, r.diagnostics[0]), '"lstn"');
});

test('unknown task without a close match lists the tasks', () => {
  check('{"name":"m","data":{"task":"translate"},"layers":[{"cell":"rnn","units":8}]}', [
    { code: 'schema', line: 1, column: 28, message: /data.task must be one of "hello", "copy", .* "text", "classify", "tag", "pairs" or "forecast" \(got "translate"\)$/ },
  ]);
});

test('wrong type for a boolean: "true" in quotes', () => {
  const r = check('{"name":"m","data":{"task":"tagging"},"layers":[{"cell":"lstm","units":8,"bidirectional":"true"}]}', [
    { code: 'schema', line: 1, column: 90, message: 'layers[0].bidirectional must be true or false (got "true"): write true or false without quotes' },
  ]);
  assert.equal(r.diagnostics[0].fix?.newText, 'true');
});

test('an empty layers list', () => {
  check('{"name":"m","data":{"task":"hello"},"layers":[]}', [
    { code: 'schema', line: 1, column: 46, message: 'layers must be a list of at least 1 layer (got an empty list)' },
  ]);
});

test('unknown key: a warning at the key with did-you-mean and a fix; the spec is still produced', () => {
  const src = '{\n  "name": "m",\n  "data": { "task": "hello" },\n  "layers": [ {\n    "cell": "rnn",\n    "unit": 8,\n    "units": 8\n  } ],\n  "trainig": { "steps": 10 }\n}';
  const r = check(src, [
    { severity: 'warning', code: 'unknown-key', line: 6, column: 5, message: /^unknown key 'unit' in layers\[0\]; known keys: 'cell', 'units'/ },
    { severity: 'warning', code: 'unknown-key', line: 9, column: 3, message: "unknown key 'trainig' at the top level; did you mean 'training'?" },
  ]);
  assert.equal(covered(src, r.diagnostics[1]), '"trainig"');
  assert.deepEqual(r.diagnostics[1].fix, { title: "Change to 'training'", newText: '"training"' });
  assert.ok(r.spec, 'warnings do not block the spec');
  assert.equal(r.spec!.training.steps, 500, 'the misspelt object is ignored');
});

test('unknown key differing only in case', () => {
  const r = check('{"name":"m","data":{"task":"hello"},"layers":[{"cell":"rnn","Units":8}]}', [
    { code: 'schema', line: 1, column: 47, message: "layers[0] is missing the required property 'units'" },
    { severity: 'warning', code: 'unknown-key', line: 1, column: 61, message: "did you mean 'units'?" },
  ]);
  assert.equal(r.diagnostics[1].fix?.newText, '"units"');
});

test('a number too large for a double', () => {
  check('{"name":"m","data":{"task":"hello","seed":1e400},"layers":[{"cell":"rnn","units":8}]}', [
    { code: 'number-range', line: 1, column: 43, message: 'data.seed is a number too large to represent' },
  ]);
});

test('duplicate keys: the first one is flagged as ignored', () => {
  const r = check('{"name":"m","name":"n","data":{"task":"hello"},"layers":[{"cell":"rnn","units":8}]}', [
    { severity: 'warning', code: 'duplicate-key', line: 1, column: 2, message: "duplicate key 'name': this value is ignored" },
  ]);
  assert.equal(r.spec!.name, 'n');
});

// ---------------------------------------------------------------- semantics

test('bidirectional in hello: a generator cannot see the future', () => {
  const src = '{\n  "name": "m",\n  "data": { "task": "hello" },\n  "layers": [ {\n    "cell": "rnn",\n    "units": 8,\n    "bidirectional": true\n  } ]\n}';
  const r = check(src, [
    { code: 'bidirectional-generator', line: 7, column: 22, message: /layers\[0\]\.bidirectional cannot be true for the 'hello' task.*cannot see the future/, path: ['layers', 0, 'bidirectional'] },
  ]);
  assert.equal(covered(src, r.diagnostics[0]), 'true');
});

test('bidirectional in a one-to-many model', () => {
  check('{"name":"m","data":{"task":"spell"},"layers":[{"cell":"gru","units":8,"bidirectional":true}]}', [
    { code: 'bidirectional-generator', line: 1, column: 87, message: 'cannot be true in a one-to-many model' },
  ]);
});

test('a bidirectional encoder in encoder-decoder is fine (bridged); a bidirectional decoder is not', () => {
  const src = '{"name":"m","data":{"task":"reverse"},\n"layers":[{"cell":"gru","units":8,"bidirectional":true}],\n"decoder":{"layers":[{"cell":"gru","units":8,"bidirectional":true}]}}';
  check(src, [
    { code: 'bidirectional-generator', line: 3, column: 62, message: /decoder\.layers\[0\]\.bidirectional cannot be true: the decoder/ },
  ]);
  const { spec } = check('{"name":"m","data":{"task":"reverse"},"layers":[{"cell":"lstm","units":8,"bidirectional":true}]}', []);
  assert.equal(spec!.bridge, 'linear');
  assert.equal(spec!.decoderLayers[0].bidirectional, false);
  assert.equal(check('{"name":"m","data":{"task":"reverse"},"layers":[{"cell":"lstm","units":8,"bidirectional":true}],"decoder":{"bridge":"sum"}}', []).spec!.bridge, 'sum');
});

test('decoder.attention: the three kinds, none by default; located errors without an encoder or when luong-dot cannot take the context', () => {
  for (const a of ['bahdanau', 'luong-general', 'luong-dot'] as const) {
    const { spec } = check(`{"name":"m","data":{"task":"reverse"},"layers":[{"cell":"gru","units":8}],"decoder":{"attention":"${a}"}}`, []);
    assert.equal(spec!.attention, a);
    assert.equal(spec!.decoderLayers.length, 1, 'decoder layers default to the encoder\'s');
  }
  assert.equal(check('{"name":"m","data":{"task":"reverse"},"layers":[{"cell":"gru","units":8}]}', []).spec!.attention, undefined);
  assert.equal(check('{"name":"m","data":{"task":"reverse"},"layers":[{"cell":"gru","units":8}],"decoder":{"attention":"none"}}', []).spec!.attention, undefined);
  check('{"name":"m","data":{"task":"tagging"},\n"layers":[{"cell":"gru","units":8}],\n"decoder":{"attention":"bahdanau"}}', [
    { code: 'decoder-ignored', severity: 'warning', line: 3, column: 1, message: 'decoder is ignored' },
    { code: 'attention-without-encoder', line: 3, column: 24, message: 'decoder.attention "bahdanau" needs an encoder to attend to: it is used only by the "encoder-decoder" structure (this model is "many-to-many")', path: ['decoder', 'attention'] },
  ]);
  check('{"name":"m","data":{"task":"reverse"},\n"layers":[{"cell":"lstm","units":8,"bidirectional":true}],\n"decoder":{"attention":"luong-dot"}}', [
    { code: 'attention-size', line: 3, column: 24, message: /the decoder's top layer \(8 units\) must be as wide as the encoder's output \(16, both directions concatenated\); use "luong-general" or "bahdanau"/ },
  ]);
  // merged by sum, the encoder's output is 8 wide: luong-dot fits
  check('{"name":"m","data":{"task":"reverse"},"layers":[{"cell":"lstm","units":8,"bidirectional":true,"merge":"sum"}],"decoder":{"attention":"luong-dot"}}', []);
  check('{"name":"m","data":{"task":"reverse"},"layers":[{"cell":"lstm","units":8}],\n"decoder":{"attention":"cosine"}}', [
    { code: 'schema', line: 2, column: 24, message: 'decoder.attention must be one of "none", "bahdanau", "luong-general" or "luong-dot" (got "cosine")' },
  ]);
  check('{"name":"m","data":{"task":"reverse"},"layers":[{"cell":"lstm","units":8}],\n"decoder":{"bridge":"sum"}}', [
    { code: 'bridge-ignored', severity: 'warning', line: 2, column: 12, message: /no encoder layer is bidirectional/ },
  ]);
});

test('bidirectional is fine for tagging (the whole sentence is known)', () => {
  const { spec } = check('{"name":"m","data":{"task":"tagging"},"layers":[{"cell":"lstm","units":8,"bidirectional":true,"merge":"sum"}]}', []);
  assert.equal(spec!.layers[0].merge, 'sum');
});

test('a structure the task does not support', () => {
  check('{\n  "name": "m",\n  "data": { "task": "adding" },\n  "structure": "many-to-many",\n  "layers": [ { "cell": "lstm", "units": 8 } ]\n}', [
    { code: 'structure-task', line: 4, column: 16, message: `structure "many-to-many" does not fit the 'adding' task, which can be laid out as "many-to-one"` },
  ]);
  check('{"name":"m","data":{"task":"parity"},"structure":"one-to-many","layers":[{"cell":"lstm","units":8}]}', [
    { code: 'structure-task', line: 1, column: 50, message: 'as "many-to-one" or "many-to-many"' },
  ]);
});

test('a head activation that does not fit the task', () => {
  check('{\n  "name": "m",\n  "data": { "task": "adding" },\n  "layers": [ { "cell": "lstm", "units": 8 } ],\n  "head": { "activation": "softmax" }\n}', [
    { code: 'head-task', line: 5, column: 27, message: `head.activation "softmax" does not fit the 'adding' task, whose outputs are real numbers: use "linear"` },
  ]);
});

test('a loss that does not fit the head (given or the task default)', () => {
  check('{"name":"m","data":{"task":"parity"},"layers":[{"cell":"lstm","units":8}],"head":{"activation":"sigmoid","loss":"mse"}}', [
    { code: 'head-loss', line: 1, column: 113, message: 'head.loss "mse" does not fit a "sigmoid" head: use "binary-cross-entropy"' },
  ]);
  check('{"name":"m","data":{"task":"hello"},"layers":[{"cell":"lstm","units":8}],"head":{"loss":"mse"}}', [
    { code: 'head-loss', line: 1, column: 89, message: `head.loss "mse" does not fit a "softmax" head (the 'hello' task's): use "cross-entropy"` },
  ]);
});

test('embedding on a real-valued task', () => {
  check('{\n  "name": "m",\n  "data": { "task": "adding" },\n  "input": { "encoding": "embedding" },\n  "layers": [ { "cell": "lstm", "units": 8 } ]\n}', [
    { code: 'embedding-real', line: 4, column: 26, message: `input.encoding "embedding" needs token inputs, but the 'adding' task feeds real numbers` },
  ]);
});

const ws: ParseOptions = { file: '/ws/models/m.seqlab.json', workspaceRoot: '/ws', fileExists: (p) => p === '/ws/models/data/tiny.txt' };

test('a data file outside the workspace', () => {
  const src = '{\n  "name": "m",\n  "data": {\n    "task": "text",\n    "file": "../../etc/passwd"\n  },\n  "layers": [ { "cell": "gru", "units": 8 } ]\n}';
  const r = check(src, [{ code: 'file-outside-workspace', line: 5, column: 13, message: "data.file '../../etc/passwd' resolves to /etc/passwd, outside the workspace root /ws" }], ws);
  assert.equal(covered(src, r.diagnostics[0]), '"../../etc/passwd"');
});

test('a data file that does not exist, and one that does', () => {
  check('{"name":"m","data":{"task":"text","file":"data/tinny.txt"},"layers":[{"cell":"gru","units":8}]}', [
    { code: 'file-not-found', line: 1, column: 42, message: 'data.file "data/tinny.txt" not found (looked for /ws/models/data/tinny.txt)' },
  ], ws);
  check('{"name":"m","data":{"task":"text","file":"data/tiny.txt"},"layers":[{"cell":"gru","units":8}]}', [], ws);
  // without a definition file and workspace nothing is resolved
  check('{"name":"m","data":{"task":"text","file":"../../etc/passwd"},"layers":[{"cell":"gru","units":8}]}', []);
});

test('the text task needs a file or a text, not both', () => {
  check('{"name":"m","data":{"task":"text"},"layers":[{"cell":"gru","units":8}]}', [
    { code: 'missing-text', line: 1, column: 28, message: `the 'text' task needs data.file (a text file, relative to this definition) or data.text (inline text)` },
  ]);
  check('{"name":"m","data":{"task":"text","file":"data/tiny.txt","text":"abc"},"layers":[{"cell":"gru","units":8}]}', [
    { code: 'file-and-text', line: 1, column: 65, message: 'data.text cannot be given together with data.file' },
  ], ws);
});

test('empty inline text', () => {
  check('{"name":"m","data":{"task":"text","text":""},"layers":[{"cell":"gru","units":8}]}', [
    { code: 'text-too-short', line: 1, column: 42, message: 'data.text must have at least 2 characters' },
  ]);
});

test('a file given to a task that generates its data is ignored (warning)', () => {
  check('{"name":"m","data":{"task":"copy","file":"x.txt","word":"hi"},"layers":[{"cell":"gru","units":8}]}', [
    { severity: 'warning', code: 'ignored-data-field', line: 1, column: 42, message: `data.file is ignored by the 'copy' task` },
    { severity: 'warning', code: 'ignored-data-field', line: 1, column: 57, message: `data.word is ignored by the 'copy' task` },
  ], ws);
});

test('vocabulary missing a character of the word', () => {
  const src = '{\n  "name": "m",\n  "data": {\n    "task": "hello",\n    "word": "hello!",\n    "vocabulary": ["h", "e", "l"]\n  },\n  "layers": [ { "cell": "rnn", "units": 8 } ]\n}';
  check(src, [{ code: 'vocabulary-mismatch', line: 6, column: 19, message: 'data.vocabulary lacks the characters "o", "!", which appear in data.word' }]);
});

test('vocabulary with a duplicate and a multi-character entry', () => {
  check('{"name":"m","data":{"task":"text","text":"abab","vocabulary":["a","b","a","xy"]},"layers":[{"cell":"gru","units":8}]}', [
    { code: 'vocabulary-duplicate', line: 1, column: 71, message: 'data.vocabulary[2] repeats "a", already at data.vocabulary[0]' },
    { code: 'vocabulary-entry', line: 1, column: 75, message: 'data.vocabulary[3] must be a single character (got "xy")' },
  ]);
});

test('steps and epochs together', () => {
  check('{\n  "name": "m",\n  "data": { "task": "parity" },\n  "layers": [ { "cell": "gru", "units": 8 } ],\n  "training": {\n    "steps": 100,\n    "epochs": 2\n  }\n}', [
    { code: 'steps-and-epochs', line: 7, column: 15, message: 'training.epochs cannot be given together with training.steps' },
  ]);
});

test('tbptt longer than sequenceLength', () => {
  check('{"name":"m","data":{"task":"text","text":"abcd"},"layers":[{"cell":"gru","units":8}],"training":{"sequenceLength":16,"tbptt":20}}', [
    { code: 'tbptt-too-long', line: 1, column: 126, message: 'training.tbptt (20) must be at most training.sequenceLength (16)' },
  ]);
});

test('task-specific limits: copy length, sine file type, adding length', () => {
  check('{"name":"m","data":{"task":"copy","length":501},"layers":[{"cell":"gru","units":8}]}', [
    { code: 'length-too-long', line: 1, column: 44, message: "data.length must be at most 500 for the 'copy' task (got 501)" },
  ]);
  check('{"name":"m","data":{"task":"sine","file":"series.txt"},"layers":[{"cell":"gru","units":8}]}', [
    { code: 'file-type', line: 1, column: 42, message: `data.file must be a .csv file for the 'sine' task` },
  ]);
  check('{"name":"m","data":{"task":"adding","length":1},"layers":[{"cell":"gru","units":8}]}', [
    { code: 'length-too-short', line: 1, column: 46, message: "data.length must be at least 2 for the 'adding' task" },
  ]);
});

test('a hello word shorter than 2 characters', () => {
  check('{"name":"m","data":{"task":"hello","word":"h"},"layers":[{"cell":"rnn","units":8}]}', [
    { code: 'word-too-short', line: 1, column: 43, message: 'data.word must have at least 2 characters' },
  ]);
});

test('warnings: activation on an LSTM, merge without bidirectional, decoder without encoder-decoder, momentum with adam', () => {
  const src = [
    '{',
    '  "name": "m",',
    '  "data": { "task": "parity" },',
    '  "layers": [ { "cell": "lstm", "units": 8, "activation": "relu", "merge": "sum" } ],',
    '  "decoder": { "layers": [ { "cell": "lstm", "units": 8 } ] },',
    '  "training": { "optimizer": "adam", "momentum": 0.5, "rho": 0.8 }',
    '}',
  ].join('\n');
  const r = check(src, [
    { severity: 'warning', code: 'ignored-activation', line: 4, column: 59, message: 'layers[0].activation is ignored by an LSTM cell' },
    { severity: 'warning', code: 'merge-without-bidirectional', line: 4, column: 76, message: 'layers[0].merge is ignored' },
    { severity: 'warning', code: 'decoder-ignored', line: 5, column: 3, message: 'decoder is ignored: it is used only by the "encoder-decoder" structure' },
    { severity: 'warning', code: 'ignored-optimizer-param', line: 6, column: 50, message: 'training.momentum is ignored by the "adam" optimizer; it is used by "momentum" and "rmsprop"' },
    { severity: 'warning', code: 'ignored-optimizer-param', line: 6, column: 62, message: 'training.rho is ignored by the "adam" optimizer; it is used by "rmsprop"' },
  ]);
  assert.deepEqual(r.spec!.decoderLayers, []);
});

test('decoder layers must match the encoder', () => {
  check('{"name":"m","data":{"task":"reverse"},"layers":[{"cell":"gru","units":8}],\n"decoder":{"layers":[{"cell":"lstm","units":16}]}}', [
    { code: 'decoder-shape', line: 2, column: 30, message: `decoder.layers[0].cell must match the encoder's layers[0].cell ("gru")` },
    { code: 'decoder-shape', line: 2, column: 45, message: `decoder.layers[0].units must match the encoder's layers[0].units (8)` },
  ]);
});

// ---------------------------------------------------------------- robustness and helpers

test('never throws: garbage, truncations and odd values all give diagnostics', () => {
  const good = '{"name":"m","data":{"task":"reverse","vocabulary":["a"]},"layers":[{"cell":"gru","units":8,"bidirectional":true}],"decoder":{"layers":[1]},"head":{"loss":"mse"},"training":{"clip":{"type":"none","threshold":2}}}';
  const inputs = [
    '{{{{', ']]]', '\u0000', '{"name":', '{"__proto__":{"x":1}}', '{"constructor":1,"name":"m","data":{"task":"toString"},"layers":[{"cell":"rnn","units":8}]}',
    '{"name":"m","data":[],"layers":{}}', '{"name":"m","data":{"task":"hello"},"layers":[null, 1, "x", []]}', '1e99999', '-', '"',
    '{"name":"m","data":{"task":"text","text":123,"vocabulary":[1,2]},"layers":[{"cell":"gru","units":1e308}]}',
    '{"name":"m","data":{"task":"hello"},"layers":[{"cell":"rnn","units":8}],"decoder":{"layers":"x"},"training":{"tbptt":"x","steps":-1}}',
  ];
  for (let i = 1; i < good.length; i += 7) inputs.push(good.slice(0, i));
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let k = 0; k < 200; k++) {
    const chars = Array.from(good);
    for (let m = 0; m < 3; m++) chars[Math.floor(rand() * chars.length)] = '{}[],:"x1 '[Math.floor(rand() * 10)];
    inputs.push(chars.join(''));
  }
  for (const s of inputs) {
    const r = parseDefinition(s);
    assert.ok(Array.isArray(r.diagnostics), s);
    assert.ok(r.spec !== undefined || r.diagnostics.some((d) => d.severity === 'error'), s);
    assert.ok(!r.diagnostics.some((d) => d.code === 'internal'), `internal error for ${JSON.stringify(s)}: ${JSON.stringify(r.diagnostics)}`);
    for (const d of r.diagnostics) assert.ok(d.line >= 1 && d.column >= 1 && d.message.length > 0);
  }
  assert.equal(parseDefinition(undefined as unknown as string).diagnostics[0].code, 'syntax');
  const deep = '{"x":' + '['.repeat(100000) + ']'.repeat(100000) + '}';
  assert.deepEqual(parseDefinition(deep).diagnostics.map((d) => [d.code, d.message]), [['syntax', 'the definition is nested too deeply to read']]);
  const many = '{"name":"m","data":{"task":"hello"},"layers":[' + Array(300).fill('{"cell":"rnn","units":0}').join(',') + ']}';
  const r = parseDefinition(many);
  assert.equal(r.diagnostics.length, 201);
  assert.deepEqual([r.diagnostics[200].severity, r.diagnostics[200].code], ['info', 'more']);
  assert.match(r.diagnostics[200].message, /^101 more problems not shown$/);
});

test('offsetToLineColumn handles \\n, \\r\\n and \\r', () => {
  const s = 'ab\r\ncd\ne\rf';
  assert.deepEqual(offsetToLineColumn(s, 0), { line: 1, column: 1 });
  assert.deepEqual(offsetToLineColumn(s, 4), { line: 2, column: 1 });
  assert.deepEqual(offsetToLineColumn(s, 5), { line: 2, column: 2 });
  assert.deepEqual(offsetToLineColumn(s, 7), { line: 3, column: 1 });
  assert.deepEqual(offsetToLineColumn(s, 9), { line: 4, column: 1 });
  assert.deepEqual(offsetToLineColumn(s, 99), { line: 4, column: 2 });
  // positions in a CRLF file
  const crlf = '{\r\n  "name": "m",\r\n  "data": { "task": "hello" },\r\n  "layers": [ { "cell": "rnn", "units": 0 } ]\r\n}\r\n';
  check(crlf, [{ code: 'schema', line: 4, column: 41, message: 'units must be an integer >= 1 (got 0)' }]);
});

test('formatDiagnostic prints file:line:col: severity: message', () => {
  const r = parseDefinition('{"name":"m","data":{"task":"hello"},"layers":[{"cell":"rnn","units":0}]}');
  assert.equal(formatDiagnostic('models/m.seqlab.json', r.diagnostics[0]), 'models/m.seqlab.json:1:69: error: layers[0].units must be an integer >= 1 (got 0)');
});

test('known keys come from the schema', () => {
  assert.deepEqual(KNOWN_KEYS.layer, ['cell', 'units', 'activation', 'bias', 'bidirectional', 'merge', 'dropout']);
  assert.deepEqual(knownKeysAt(['decoder', 'layers', 3]), KNOWN_KEYS.layer);
  assert.ok(KNOWN_KEYS.training.includes('tbptt'));
  assert.equal(knownKeysAt(['layers', 0, 'units']), undefined);
});

test('the schema documents every property, and every enum value twice', () => {
  const missing: string[] = [];
  const walk = (n: Record<string, unknown>, p: string) => {
    const props = n.properties as Record<string, Record<string, unknown>> | undefined;
    // closed objects, except a documented map (sweep.parameters: any path -> a list of values)
    const map = n.additionalProperties as Record<string, unknown> | boolean | undefined;
    if (n.type === 'object' && map !== false && !(typeof map === 'object' && typeof map.description === 'string')) missing.push(`${p}: additionalProperties`);
    for (const [k, v] of Object.entries(props ?? {})) {
      if (typeof v.description !== 'string') missing.push(`${p}.${k}: description`);
      if (Array.isArray(v.enum)) {
        for (const key of ['enumDescriptions', 'markdownEnumDescriptions']) {
          if (!Array.isArray(v[key]) || (v[key] as unknown[]).length !== v.enum.length) missing.push(`${p}.${k}: ${key}`);
        }
      }
      walk(v, `${p}.${k}`);
    }
  };
  const s = seqlabSchema as unknown as Record<string, unknown>;
  walk(s, '');
  walk((s.definitions as Record<string, Record<string, unknown>>).layer, '#layer');
  assert.deepEqual(missing, []);
  assert.ok(Array.isArray(s.defaultSnippets));
  assert.ok(Array.isArray((s.definitions as Record<string, Record<string, unknown>>).layer.defaultSnippets));
  // self-contained: every $ref is local
  assert.ok(!/"\$ref":"(?!#)/.test(JSON.stringify(s)));
});

test('the schema is plain JSON that a stock validator accepts, as VS Code gets it', () => {
  const json = JSON.parse(JSON.stringify(seqlabSchema));
  assert.deepEqual(json, seqlabSchema);
  const validate = new Ajv({ strict: false, allErrors: true }).compile(json);
  assert.equal(validate({ name: 'm', data: { task: 'hello' }, layers: [{ cell: 'rnn', units: 8 }] }), true);
  assert.equal(validate({ name: 'm', data: { task: 'hello' }, layers: [{ cell: 'rnn', units: 0 }] }), false);
});

test('the defaults in the schema are the ones the parser fills in', () => {
  const { spec } = check('{"name":"m","data":{"task":"copy"},"layers":[{"cell":"rnn","units":8}]}', []);
  const s = spec as unknown as Record<string, Record<string, unknown>>;
  const pairs: [(string | number)[], unknown][] = [
    [['description'], spec!.description],
    [['initialState'], spec!.initialState],
    [['data', 'seed'], spec!.data.seed],
    [['data', 'word'], spec!.data.word],
    [['data', 'validation'], spec!.data.validation],
  ];
  for (const k of Object.keys(s.input)) pairs.push([['input', k], s.input[k]]);
  for (const k of Object.keys(spec!.layers[0])) pairs.push([['layers', 0, k], (spec!.layers[0] as unknown as Record<string, unknown>)[k]]);
  for (const k of Object.keys(s.training)) {
    if (k === 'clip') for (const c of ['type', 'threshold'] as const) pairs.push([['training', 'clip', c], spec!.training.clip[c]]);
    else pairs.push([['training', k], s.training[k]]);
  }
  let compared = 0;
  for (const [path, value] of pairs) {
    const d = schemaAt(path)?.default;
    if (d === undefined) continue; // cell, units, tbptt: no static default
    assert.deepEqual(d, value, path.join('.'));
    compared++;
  }
  assert.ok(compared >= 25, `compared ${compared} defaults`);
});

// ---------------------------------------------------------------- recipe: optimizers and schedules

test('optimizer settings: adamw, nesterov, centered, weightDecay; a misspelt training setting is an error, an unread one a warning', () => {
  const ok = check('{"name":"m","data":{"task":"parity"},"layers":[{"cell":"gru","units":8}],"training":{"optimizer":"momentum","nesterov":true,"weightDecay":0.1}}', []);
  assert.deepEqual([ok.spec!.training.nesterov, ok.spec!.training.weightDecay, ok.spec!.training.momentum], [true, 0.1, 0.9]);
  const typo = [
    '{',
    '  "name": "m",',
    '  "data": { "task": "parity" },',
    '  "layers": [ { "cell": "gru", "units": 8 } ],',
    '  "training": { "optimizer": "momentum", "nesterow": true }',
    '}',
  ].join('\n');
  const r = check(typo, [{ code: 'unknown-key', line: 5, column: 42, message: "unknown key 'nesterow' in training; did you mean 'nesterov'? (an unknown training setting is an error" }]);
  assert.equal(r.diagnostics[0].fix?.newText, '"nesterov"');
  const unread = [
    '{',
    '  "name": "m",',
    '  "data": { "task": "parity" },',
    '  "layers": [ { "cell": "gru", "units": 8 } ],',
    '  "training": { "optimizer": "adamw", "nesterov": true, "centered": false }',
    '}',
  ].join('\n');
  const u = check(unread, [
    { severity: 'warning', code: 'ignored-optimizer-param', line: 5, column: 51, message: 'training.nesterov is ignored by the "adamw" optimizer; it is used by "momentum"' },
    { severity: 'warning', code: 'ignored-optimizer-param', line: 5, column: 69, message: 'training.centered is ignored by the "adamw" optimizer; it is used by "rmsprop"' },
  ]);
  assert.equal(u.spec!.training.weightDecay, 0.01, "AdamW's default weight decay");
  check('{"name":"m","data":{"task":"parity"},"layers":[{"cell":"gru","units":8}],"training":{"schedule":{"type":"cosine","warmup":5}}}', [
    { code: 'unknown-key', line: 1, column: 114, message: "unknown key 'warmup' in training.schedule; did you mean 'warmupSteps'?" },
  ]);
});

test('schedules: defaults, required settings, unread settings, and schedules that cannot apply, each located', () => {
  const d = check('{"name":"m","data":{"task":"parity"},"layers":[{"cell":"gru","units":8}],"training":{"steps":2000,"schedule":{"type":"plateau"}}}', []);
  assert.deepEqual(d.spec!.training.schedule, { type: 'plateau', factor: 0.1, patience: 10, threshold: 1e-4, cooldown: 0, minLr: 0 });
  assert.deepEqual(check('{"name":"m","data":{"task":"parity"},"layers":[{"cell":"gru","units":8}]}', []).spec!.training.schedule, { type: 'none' });
  const noVal = [
    '{',
    '  "name": "m",',
    '  "data": { "task": "hello" },',
    '  "layers": [ { "cell": "gru", "units": 8 } ],',
    '  "training": {',
    '    "steps": 100,',
    '    "schedule": { "type": "plateau", "patience": 2, "gamma": 0.5 }',
    '  }',
    '}',
  ].join('\n');
  check(noVal, [
    { code: 'schedule-needs-validation', line: 7, column: 27, message: "but the 'hello' task holds out no validation examples by default: set data.validation" },
    { severity: 'warning', code: 'schedule-never-applies', line: 7, column: 27, message: 'validation runs 2 times (every 50 of 100 steps) and patience is 2' },
    { severity: 'warning', code: 'ignored-schedule-param', line: 7, column: 53, message: 'training.schedule.gamma is ignored by a "plateau" schedule; it is read by "step" and "exponential"' },
  ]);
  check('{"name":"m","data":{"task":"parity","validation":0},"layers":[{"cell":"gru","units":8}],\n"training":{"steps":1000,"schedule":{"type":"plateau"}}}', [
    { code: 'schedule-needs-validation', line: 2, column: 45, message: 'but data.validation is 0' },
  ]);
  const warm = [
    '{',
    '  "name": "m",',
    '  "data": { "task": "parity" },',
    '  "layers": [ { "cell": "gru", "units": 8 } ],',
    '  "training": {',
    '    "schedule": { "type": "cosine", "warmupSteps": 500 }',
    '  }',
    '}',
  ].join('\n');
  check(warm, [{ code: 'schedule-too-long', line: 6, column: 52, message: "training.schedule.warmupSteps (500) must be less than the run's 500 steps (the default training.steps)" }]);
  check('{"name":"m","data":{"task":"parity"},"layers":[{"cell":"gru","units":8}],\n"training":{"schedule":{"type":"step"}}}', [
    { code: 'schedule-missing', line: 2, column: 32, message: 'a "step" schedule needs training.schedule.stepSize' },
  ]);
  check('{"name":"m","data":{"task":"parity"},"layers":[{"cell":"gru","units":8}],\n"training":{"steps":100,"schedule":{"type":"step","stepSize":100}}}', [
    { severity: 'warning', code: 'schedule-never-applies', line: 2, column: 62, message: "training.schedule.stepSize (100) is not less than the run's 100 steps (training.steps): the learning rate never changes" },
  ]);
});

test('dropout: on the top (or only) layer it is a located warning pointing to head.dropout; between layers and on the head it is fine', () => {
  const one = [
    '{',
    '  "name": "m",',
    '  "data": { "task": "hello" },',
    '  "layers": [ { "cell": "lstm", "units": 8, "dropout": 0.5 } ]',
    '}',
  ].join('\n');
  const r = check(one, [
    { severity: 'warning', code: 'dropout-no-effect', line: 4, column: 56, message: 'layers[0].dropout has no effect: layer dropout acts between stacked layers (on the outputs of every layer but the top one, as PyTorch\'s nn.RNN/LSTM/GRU(dropout=p)), and this is the only layer of the stack; for dropout before the head use "head": { "dropout": 0.5 }' },
  ]);
  assert.equal(r.spec!.head.dropout, 0);
  check('{"name":"m","data":{"task":"parity"},"layers":[{"cell":"gru","units":8,"dropout":0.2},\n{"cell":"gru","units":4,"dropout":0.3}]}', [
    { severity: 'warning', code: 'dropout-no-effect', line: 2, column: 35, message: 'layers[1].dropout has no effect' },
  ]);
  const ok = check('{"name":"m","data":{"task":"parity"},"layers":[{"cell":"gru","units":8,"dropout":0.2},{"cell":"gru","units":4}],"head":{"dropout":0.25}}', []);
  assert.deepEqual([ok.spec!.layers[0].dropout, ok.spec!.head.dropout], [0.2, 0.25]);
  check('{"name":"m","data":{"task":"parity"},"layers":[{"cell":"gru","units":8}],"head":{"dropout":1}}', [
    { code: 'schema', line: 1, column: 92, message: /head\.dropout must be/ },
  ]);
});

/**
 * The definition checker under hostile input (issue 15): values named after Object.prototype
 * members, a byte-order mark, diagnostics past the end of the text, and thousands of problems.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDefinition, seqlabSchema, type JsonPath } from '../../src/core/dsl';
import { checkSchema } from '../../src/core/dsl/schemaErrors';
import { messagesFor } from '../../src/core/dsl/messages';
import { parseTree } from 'jsonc-parser/lib/esm/main.js';
import { plainValue } from '../../src/core/dsl/tree';
import { buildDataset, DataError } from '../../src/core/tasks';

const BASE = {
  name: 'x',
  description: 'd',
  structure: 'many-to-one',
  initialState: 'zeros',
  data: { task: 'parity', length: 4, samples: 20 },
  input: { encoding: 'onehot' },
  layers: [{ cell: 'rnn', units: 4, activation: 'tanh', bidirectional: true, merge: 'concat' }],
  decoder: { layers: [{ cell: 'rnn', units: 4, activation: 'tanh', merge: 'concat' }] },
  head: { activation: 'sigmoid', loss: 'binary-cross-entropy' },
  training: { optimizer: 'adam', momentum: 0.9, rho: 0.9, clip: { type: 'norm', threshold: 1 }, steps: 2 },
};

/** Every path in BASE whose schema is an enum. */
function enumPaths(): JsonPath[] {
  type S = { enum?: unknown[]; properties?: Record<string, S>; items?: S; $ref?: string };
  const schema = seqlabSchema as unknown as S & { definitions: Record<string, S> };
  const deref = (s: S): S => (s.$ref ? schema.definitions[s.$ref.split('/').pop()!] : s);
  const out: JsonPath[] = [];
  const walk = (s: S, v: unknown, path: JsonPath) => {
    s = deref(s);
    if (s.enum) out.push(path);
    if (s.properties && v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, sub] of Object.entries(s.properties)) if (k in (v as object)) walk(sub, (v as Record<string, unknown>)[k], [...path, k]);
    }
    if (s.items && Array.isArray(v)) v.forEach((x, i) => walk(s.items!, x, [...path, i]));
  };
  walk(schema, BASE, []);
  return out;
}

function withValue(path: JsonPath, value: unknown): unknown {
  const copy = structuredClone(BASE) as Record<string | number, unknown>;
  let o = copy as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) o = o[seg] as Record<string | number, unknown>;
  o[path[path.length - 1]] = value;
  return copy;
}

const PROTO_NAMES = [...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype', 'then'];

test('every enum-valued field given an Object.prototype member name gets its own located error, never an internal one', () => {
  const paths = enumPaths();
  assert.ok(paths.length >= 12, `enum fields found: ${paths.map((p) => p.join('.')).join(', ')}`);
  for (const path of paths) {
    for (const name of PROTO_NAMES) {
      const text = JSON.stringify(withValue(path, name), null, 1);
      const r = parseDefinition(text);
      const where = `${path.join('.')} = ${name}`;
      assert.equal(r.spec, undefined, where);
      assert.ok(!r.diagnostics.some((d) => d.code === 'internal'), `${where}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
      assert.ok(r.diagnostics.some((d) => d.severity === 'error' && JSON.stringify(d.path) === JSON.stringify(path)), `${where}: error at the field`);
    }
  }
  // and as keys: an unknown key named like a prototype member is an unknown key, not a crash
  for (const name of PROTO_NAMES) {
    const r = parseDefinition(`{"name": "x", "data": {"task": "hello", "${name}": 1}, "layers": [{"cell": "rnn", "units": 2, "${name}": {}}], "${name}": 2}`);
    assert.ok(!r.diagnostics.some((d) => d.code === 'internal'), `key ${name}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  }
});

test('a UTF-8 byte-order mark does not make a valid definition a syntax error', () => {
  const text = JSON.stringify({ name: 'bom', data: { task: 'hello' }, layers: [{ cell: 'rnn', units: 4 }] }, null, 2);
  const plain = parseDefinition(text);
  const bom = parseDefinition('\uFEFF' + text);
  assert.ok(plain.spec);
  assert.deepEqual(bom.spec, plain.spec, bom.diagnostics.map((d) => d.message).join('; '));
  // positions still count the BOM as the editor does (an error on line 1 keeps its column)
  const bad = parseDefinition('\uFEFF{"name": 3, "data": {"task": "hello"}, "layers": [{"cell": "rnn", "units": 4}]}');
  const d = bad.diagnostics.find((x) => x.path.join('.') === 'name')!;
  assert.equal(d.offset, '\uFEFF{"name": '.length);
});

test('diagnostic ranges stay inside the text (an unclosed /* at the end)', () => {
  for (const text of ['{"name": "x"} /*', '/*', '{"name": "x", /* ', '{ "a": "\\u12', '{"name":"x",', '\uFEFF/*', '{"name": "x"}\n/* never closed']) {
    const r = parseDefinition(text);
    assert.ok(r.diagnostics.length, text);
    for (const d of r.diagnostics) {
      assert.ok(d.offset >= 0 && d.offset <= text.length, `${JSON.stringify(text)}: offset ${d.offset}`);
      assert.ok(d.length >= 0 && d.offset + d.length <= text.length, `${JSON.stringify(text)}: ${d.offset}+${d.length} > ${text.length}`);
      const lines = text.split(/\r\n|\r|\n/);
      assert.ok(d.line <= lines.length && d.column <= lines[d.line - 1].length + 1, `${JSON.stringify(text)}: ${d.line}:${d.column}`);
    }
  }
});

test('16,000 unknown keys: problems are capped before they are located; the rest are counted', () => {
  const keys = Array.from({ length: 16_000 }, (_, i) => `"k${i}": ${i}`).join(',\n');
  const text = `{"name": "x", "data": {"task": "hello"}, "layers": [{"cell": "rnn", "units": 4}],\n${keys}}`;
  const root = parseTree(text)!;
  const r = checkSchema(text, root, plainValue(root), new Set(), messagesFor('en'), 250);
  assert.equal(r.diagnostics.length, 250, 'only the first 250 are translated and located');
  assert.equal(r.omitted, 16_000 - 250, 'the others are counted');
  const all = parseDefinition(text);
  assert.equal(all.diagnostics.length, 201);
  const more = all.diagnostics[200];
  assert.equal(more.code, 'more');
  assert.match(more.message, /^15,?800 more problems not shown/);
  assert.ok(all.diagnostics.slice(0, 200).every((d) => d.code === 'unknown-key'));
  assert.equal(all.diagnostics[0].line, 2);
  assert.equal(all.diagnostics[199].line, 201);
});

test('free-text fields named after Object.prototype members reach a located error or a data set, never a raw exception', () => {
  const cases: [string, (name: string) => object][] = [
    ['name', (n) => ({ name: n, data: { task: 'hello' }, layers: [{ cell: 'rnn', units: 2 }] })],
    ['data.word', (n) => ({ name: 'x', data: { task: 'hello', word: n }, layers: [{ cell: 'rnn', units: 2 }] })],
    ['data.text', (n) => ({ name: 'x', data: { task: 'text', text: n.repeat(40), validation: 0 }, layers: [{ cell: 'rnn', units: 2 }], training: { sequenceLength: 4 } })],
    ['data.column', (n) => ({ name: 'x', data: { task: 'sine', file: 'd.csv', column: n }, layers: [{ cell: 'rnn', units: 2 }] })],
    ['data.file', (n) => ({ name: 'x', data: { task: 'text', file: n }, layers: [{ cell: 'rnn', units: 2 }] })],
    ['data.vocabulary', (n) => ({ name: 'x', data: { task: 'hello', word: 'ab', vocabulary: [n, 'a', 'b'] }, layers: [{ cell: 'rnn', units: 2 }] })],
  ];
  const files: Record<string, string> = { '/ws/d.csv': 'a,b\n' + Array.from({ length: 200 }, (_, i) => `${i},${Math.sin(i)}`).join('\n') };
  const readFile = (p: string) => {
    if (!Object.prototype.hasOwnProperty.call(files, p)) throw new Error('no such file');
    return files[p];
  };
  for (const [field, make] of cases) {
    for (const name of PROTO_NAMES) {
      const r = parseDefinition(JSON.stringify(make(name)), { file: '/ws/x.seqlab.json', workspaceRoot: '/ws' });
      assert.ok(!r.diagnostics.some((d) => d.code === 'internal'), `${field} = ${name}`);
      if (!r.spec) continue;
      try {
        buildDataset(r.spec, { readFile, definitionFile: '/ws/x.seqlab.json', workspaceRoot: '/ws' });
      } catch (e) {
        assert.ok(e instanceof DataError, `${field} = ${name}: ${(e as Error).stack}`);
      }
    }
  }
});

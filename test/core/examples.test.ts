/** Every shipped example parses without a single diagnostic, with real file checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic, parseDefinition } from '../../src/core/dsl/index';
import { TASKS } from '../../src/core/tasks/catalog';
import { buildDataset } from '../../src/core/tasks/index';
import { workspaceTaskContext } from '../../src/node/dataFiles';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = join(root, 'examples');
const files = readdirSync(dir).filter((f) => f.endsWith('.seqlab.json')).sort();
const fileExists = (abs: string) => existsSync(abs) && statSync(abs).isFile();

test('the examples folder has the promised definitions', () => {
  for (const name of [
    'hello', 'adding-lstm', 'adding-rnn', 'char-gru', 'tagger-bilstm', 'sentiment', 'sine-forecast', 'reverse-seq2seq', 'spell', 'parity',
    // the seed course's RNN labs and classic exercises, on data under examples/data (scripts/make-example-data.mjs)
    'hihello', 'if-you-want', 'paragraph-sliding', 'stock-forecast', 'en-ko-translate', 'last-digit-lengths', 'names-by-language', 'reviews-csv', 'pos-conll',
    // issue 11: reverse at length 20 with and without attention, side by side (test/core/reverse20.test.ts)
    'reverse20-attention', 'reverse20-plain',
  ]) {
    assert.ok(files.includes(`${name}.seqlab.json`), `examples/${name}.seqlab.json`);
  }
});

for (const f of files) {
  test(`examples/${f} parses with no diagnostics`, () => {
    const file = join(dir, f);
    const r = parseDefinition(readFileSync(file, 'utf8'), { file, workspaceRoot: root, fileExists });
    assert.deepEqual(r.diagnostics.map((d) => formatDiagnostic(`examples/${f}`, d)), []);
    assert.ok(r.spec, 'a spec');
    assert.ok(r.spec.description.length > 20, 'says what it teaches');
    assert.ok(TASKS[r.spec.data.task].structures.includes(r.spec.structure));
    // and the task generator accepts what the parser produced
    const data = buildDataset(r.spec, workspaceTaskContext(file, root));
    assert.ok(data.train.length > 0);
    assert.equal(data.structure, r.spec.structure);
  });
}

test('the same examples fail when their data file is missing', () => {
  const file = join(dir, 'char-gru.seqlab.json');
  const r = parseDefinition(readFileSync(file, 'utf8'), { file, workspaceRoot: root, fileExists: () => false });
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['file-not-found']);
  assert.equal(r.spec, undefined);
});

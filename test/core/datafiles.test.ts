/** Data from your own files: classify, tag, pairs, forecast, word-level text; located errors; scale. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDefinition } from '../../src/core/dsl/index';
import { DataError, DataFileError, buildDataset, type TaskContext } from '../../src/core/tasks/index';
import type { SeqData } from '../../src/core/data';
import { END, PAD, START, UNK } from '../../src/core/tokenize';

const DEF = '/ws/exp/model.seqlab.json';

/** A fake workspace /ws: absolute path -> content. */
function ctx(files: Record<string, string>, progress?: (f: string, d: number, t: number) => void): TaskContext {
  return {
    definitionFile: DEF,
    workspaceRoot: '/ws',
    readFile: (abs) => {
      if (!(abs in files)) throw new Error(`ENOENT: no such file, open '${abs}'`);
      return files[abs];
    },
    listFolder: (abs) => Object.keys(files).filter((p) => p.startsWith(abs + '/')).map((p) => p.slice(abs.length + 1)).sort(),
    onProgress: progress,
  };
}

/** Parse a definition with these data fields (no errors allowed) and build its data. */
function build(data: Record<string, unknown>, files: Record<string, string>, extra: Record<string, unknown> = {}, progress?: (f: string, d: number, t: number) => void): SeqData {
  const r = parseDefinition(JSON.stringify({ name: 't', data, layers: [{ cell: 'gru', units: 4 }], ...extra }), { file: DEF, workspaceRoot: '/ws' });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  return buildDataset(r.spec!, ctx(files, progress));
}

const words = (d: SeqData, xs: number[][]) => (d.input.kind === 'tokens' ? xs.map((v) => (d.input as { vocab: string[] }).vocab[v[0]]) : []);

describe('classify', () => {
  const csv = 'id,text,label\n1,"Good, very good!",pos\n2,bad film,neg\n3,"not ""bad"" at all",pos\n4,awful,neg\n5,great,pos\n6,dull,neg\n';
  test('CSV with quoted fields, labels sorted, vocabulary from the training split only', () => {
    const d = build({ task: 'classify', file: 'r.csv', lowercase: true, validation: 0.2, test: 0.2 }, { '/ws/exp/r.csv': csv });
    assert.deepEqual(d.output, { kind: 'classes', classes: ['neg', 'pos'] });
    assert.equal(d.structure, 'many-to-one');
    assert.deepEqual([d.train.length, d.valid.length, d.test!.length], [4, 1, 1]);
    const vocab = (d.input as { vocab: string[] }).vocab;
    assert.deepEqual(vocab.slice(0, 2), [PAD, UNK]);
    const trainTokens = new Set(d.train.flatMap((e) => words(d, e.x)));
    for (const t of vocab.slice(2)) assert.ok(trainTokens.has(t), `${t} comes from a training example`);
    const all = [...d.train, ...d.valid, ...d.test!].map((e) => words(d, e.x).join(' '));
    assert.ok(all.some((s) => /,/.test(s) || /<unk>/.test(s)), 'the comma inside quotes is text');
    assert.deepEqual(d.tokenizer, { level: 'words', lowercase: true });
  });

  test('a folder with one file per class; JSONL with a number label; a TSV by field index', () => {
    const d = build({ task: 'classify', folder: 'names', tokenize: 'characters', validation: 0 }, {
      '/ws/exp/names/Korean.txt': 'Kim\nPark\n\nLee\n', '/ws/exp/names/Italian.txt': 'Rossi\nBianchi\n',
    });
    assert.deepEqual((d.output as { classes: string[] }).classes, ['Italian', 'Korean']);
    assert.equal(d.train.length, 5, 'blank lines are skipped');
    assert.ok(d.train.some((e) => words(d, e.x).join('') === 'Park' && e.y[0][0] === 1));
    const j = build({ task: 'classify', file: 'r.jsonl', labelField: 'stars', validation: 0 }, {
      '/ws/exp/r.jsonl': '{"text": "loved it", "stars": 5}\n\n{"text": "meh", "stars": 2}\n',
    });
    assert.deepEqual((j.output as { classes: string[] }).classes, ['2', '5']);
    const t = build({ task: 'classify', file: 'd.tsv', textField: 0, labelField: 1, tokenize: 'characters', validation: 0 }, {
      '/ws/exp/d.tsv': 'seq\tlast\n123\todd\n24\teven\n',
    });
    assert.deepEqual(t.train.map((e) => e.x.length).sort(), [2, 3], 'examples keep their own lengths');
  });
});

describe('tag', () => {
  test('CoNLL: token<TAB>tag lines, a blank line between sentences', () => {
    const conll = '-DOCSTART-\tO\n\nthe\tDET\ndog\tNOUN\nruns\tVERB\n\n\na\tDET\ncat\tNOUN\n';
    const d = build({ task: 'tag', file: 'pos.conll', validation: 0 }, { '/ws/exp/pos.conll': conll });
    assert.equal(d.structure, 'many-to-many');
    assert.deepEqual((d.output as { classes: string[] }).classes, ['DET', 'NOUN', 'VERB']);
    assert.deepEqual(d.train.map((e) => e.x.length).sort(), [2, 3]);
    const three = d.train.find((e) => e.x.length === 3)!;
    assert.deepEqual(words(d, three.x), ['the', 'dog', 'runs']);
    assert.deepEqual(three.y.map((v) => v[0]), [0, 1, 2]);
  });
  test('JSONL {"tokens", "tags"}; a tag count that differs is located', () => {
    const d = build({ task: 'tag', file: 't.jsonl', validation: 0 }, { '/ws/exp/t.jsonl': '{"tokens": ["I", "run"], "tags": ["PRON", "VERB"]}\n' });
    assert.deepEqual(words(d, d.train[0].x), ['I', 'run']);
    assert.throws(() => build({ task: 'tag', file: 't.jsonl', validation: 0 }, { '/ws/exp/t.jsonl': '{"tokens": ["I", "run"], "tags": ["PRON", "VERB"]}\n{"tokens": ["a", "b"], "tags": ["X"]}\n' }),
      (e: unknown) => e instanceof DataFileError && e.message === 't.jsonl:2:24: expected as many tags as tokens (2), found 1');
  });
});

describe('pairs', () => {
  test('TSV source<TAB>target: own vocabularies, the decoder starts at <s> and ends with </s>', () => {
    const d = build({ task: 'pairs', file: 'p.tsv', validation: 0 }, { '/ws/exp/p.tsv': 'I like tea .\t나는 차를 좋아한다 .\nwe want water .\t우리는 물을 원한다 .\n' }, { structure: 'encoder-decoder' });
    const classes = (d.output as { classes: string[] }).classes;
    assert.deepEqual(classes.slice(0, 4), [PAD, UNK, START, END]);
    assert.equal(d.startToken, 2);
    assert.equal(d.endToken, 3);
    const e = d.train.find((x) => words(d, x.x)[0] === 'I')!;
    assert.deepEqual(e.y.map((v) => classes[v[0]]), ['나는', '차를', '좋아한다', '.', END]);
    const h = build({ task: 'pairs', file: 'p.tsv', validation: 0 }, { '/ws/exp/p.tsv': 'Source\tTarget\nhi\t안녕\n' }, { structure: 'encoder-decoder' });
    assert.equal(h.train.length, 1, 'a source<TAB>target header line is not a pair');
  });
});

describe('forecast', () => {
  // value = row number, so every window says where it came from
  const rows = Array.from({ length: 40 }, (_, i) => `2024-01-${i + 1},${i},${100 + 2 * i}`);
  const file = { '/ws/exp/s.csv': `date,a,b\n${rows.join('\n')}\n` };
  test('windows of length rows, target horizon rows later, chronological split, scaling fitted on training rows', () => {
    const d = build({ task: 'forecast', file: 's.csv', length: 5, horizon: 2, validation: 0.25, test: 0.25 }, file);
    assert.deepEqual(d.input, { kind: 'real', features: 2, names: ['a', 'b'] });
    assert.deepEqual(d.output, { kind: 'real', features: 1, names: ['b'] });
    // training rows 0..19 (min 0, max 19 for a): a window spanning 7 rows fits 14 times
    assert.deepEqual([d.train.length, d.valid.length, d.test!.length], [14, 4, 4]);
    assert.deepEqual(d.scaling!.features.map((s) => [s.offset, s.scale]), [[0, 19], [100, 38]]);
    const unA = (v: number) => Math.round(v * 19);
    const unB = (v: number) => Math.round(v * 38 + 100);
    for (const [set, from, to] of [[d.train, 0, 20], [d.valid, 20, 30], [d.test!, 30, 40]] as const) {
      for (const e of set) {
        const first = unA(e.x[0][0]);
        assert.ok(first >= from && first + 6 < to, 'no window crosses a cut');
        assert.equal(unB(e.y[0][0]), 100 + 2 * (first + 4 + 2), 'target = b two rows after the last input row');
      }
    }
    assert.ok(d.test!.some((e) => e.x[0][0] > 1), 'later parts may leave [0, 1]: nothing leaks from them');
    const z = build({ task: 'forecast', file: 's.csv', length: 5, scaling: 'zscore', stride: 3, features: ['b'], targets: [1, 'b'], validation: 0 }, file);
    assert.equal(z.input.kind === 'real' && z.input.features, 1);
    assert.deepEqual(z.output.kind === 'real' && z.output.names, ['a', 'b']);
    assert.ok(Math.abs(z.scaling!.targets[0].offset - 19.5) < 1e-9, 'mean of the 40 training rows of a');
    assert.equal(z.train.length, 12, 'starts 0, 3, ..., 33');
  });
  test('too few rows for a window in a part is refused, naming the fields to change', () => {
    assert.throws(() => build({ task: 'forecast', file: 's.csv', length: 12, validation: 0.2 }, file), (e: unknown) =>
      e instanceof DataError && /validation part \(rows 33 to 40\) has 8, fewer than a window of data.length 12 \+ data.horizon 1 = 13/.test(e.message));
  });
});

describe('text at word level', () => {
  test('words, stride and a test tail', () => {
    const text = Array.from({ length: 60 }, (_, i) => `w${i % 7}`).join(' ');
    const d = build({ task: 'text', text, tokenize: 'words', stride: 2, validation: 0.2, test: 0.2 }, {}, { training: { sequenceLength: 4 } });
    const vocab = (d.input as { vocab: string[] }).vocab;
    assert.equal(vocab[0], UNK);
    assert.equal(vocab.length, 8);
    // training tokens 0..35: windows of 5 every 2 -> starts 0, 2, ..., 30
    assert.equal(d.train.length, 16);
    assert.deepEqual(words(d, d.train[1].x), ['w2', 'w3', 'w4', 'w5']);
    assert.ok(d.valid.length > 0 && d.test!.length > 0);
  });
});

describe('bad input is located: file:line:column, what was expected, what was found', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['pairs TSV with a missing field', { task: 'pairs', file: 'p.tsv' }, 'a\tb\nno tab here\n', 'p.tsv:2:12: expected 2 tab-separated fields, found 1'],
    ['pairs TSV with an extra field', { task: 'pairs', file: 'p.tsv' }, 'a\tb\tc\n', 'p.tsv:1:5: expected 2 tab-separated fields, found 3'],
    ['CoNLL with spaces', { task: 'tag', file: 't.conll' }, 'the\tDET\ndog NOUN\n', 't.conll:2:9: expected 2 tab-separated fields (token, tag), found 1 (separate the token from its tag with a tab, not spaces)'],
    ['CoNLL with an empty tag', { task: 'tag', file: 't.conll' }, 'the\t\n', 't.conll:1:5: expected a tag after the tab, found nothing'],
    ['JSONL that is not JSON', { task: 'classify', file: 'c.jsonl' }, '{"text": "a", "label": "x"}\n{"text": "b" "label": "y"}\n', 'c.jsonl:2:14: expected one JSON object on the line, found "\\"label\\": \\"y\\""'],
    ['JSONL with a list', { task: 'pairs', file: 'p.jsonl' }, '  [1, 2]\n', 'p.jsonl:1:3: expected a JSON object ({"...": ...}), found a list'],
    ['JSONL with a number for text', { task: 'classify', file: 'c.jsonl' }, '{"label": "x", "text": 3}\n', 'c.jsonl:1:16: expected a non-empty string in "text", found number 3'],
    ['CSV with a short row', { task: 'classify', file: 'c.csv' }, 'text,label\nfine,pos\nno label\n', 'c.csv:3:9: expected 2 comma-separated fields, found 1'],
    ['CSV with an empty label', { task: 'classify', file: 'c.csv' }, 'text,label\nfine,\n', 'c.csv:2:6: expected a label in field "label", found an empty field'],
    ['CSV with an unclosed quote', { task: 'classify', file: 'c.csv' }, 'text,label\n"fine,pos\n', 'c.csv:2:1: expected a closing \'"\' on the same line (a quoted field cannot span lines), found the end of the line'],
    ['forecast CSV with a word for a number', { task: 'forecast', file: 's.csv', length: 2 }, 'a,b\n1,2\n3,x\n', 's.csv:3:3: expected a number in column "b", found "x"'],
    ['forecast CSV with an empty cell', { task: 'forecast', file: 's.csv', length: 2 }, 'a,b\n1,2\n,4\n', 's.csv:3:1: expected a number in column "a", found an empty field'],
    ['an empty pairs file', { task: 'pairs', file: 'p.tsv' }, '\n\n', 'p.tsv:1:1: expected source<TAB>target pairs, found an empty file'],
  ];
  for (const [what, data, content, message] of cases) {
    test(what, () => {
      const name = data.file as string;
      const r = parseDefinition(JSON.stringify({ name: 't', data, layers: [{ cell: 'gru', units: 4 }] }), { file: DEF, workspaceRoot: '/ws' });
      assert.ok(r.spec, JSON.stringify(r.diagnostics));
      assert.throws(() => buildDataset(r.spec!, ctx({ [`/ws/exp/${name}`]: content })), (e: unknown) => {
        assert.ok(e instanceof DataFileError, String(e));
        assert.equal(e.message, message);
        assert.deepEqual(e.path, ['data', 'file']);
        return true;
      });
    });
  }
  test('a field name that is not in the header is reported at the definition field, listing the header', () => {
    assert.throws(() => build({ task: 'classify', file: 'c.csv', textField: 'review' }, { '/ws/exp/c.csv': 'text,label\na,b\n' }), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.textField' && /data.textField "review" is not a field of c.csv; its header \(line 1\) has "text", "label"/.test(e.message));
  });
  test('a folder outside the workspace is refused', () => {
    const r = parseDefinition(JSON.stringify({ name: 't', data: { task: 'classify', folder: '../../etc' }, layers: [{ cell: 'gru', units: 4 }] }), { file: DEF, workspaceRoot: '/ws' });
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['file-outside-workspace']);
  });
});

test('100k lines load, with progress reported along the way', () => {
  const lines = Array.from({ length: 100_000 }, (_, i) => `${i % 2 ? 'yes' : 'no'} ${i % 97}\t${i % 2 ? 'odd' : 'even'}`);
  const seen: number[] = [];
  const d = build({ task: 'classify', file: 'big.tsv', textField: 'text', labelField: 'label', validation: 0.01 }, { '/ws/exp/big.tsv': `text\tlabel\n${lines.join('\n')}\n` }, {}, (f, done, total) => {
    assert.equal(f, 'big.tsv');
    assert.equal(total, 100_001);
    seen.push(done);
  });
  assert.equal(d.train.length + d.valid.length, 100_000);
  assert.deepEqual(seen.slice(0, 3), [10_000, 20_000, 30_000]);
  assert.equal(seen[seen.length - 1], 100_001, 'the last report says it is done');
});

describe('the definition checker knows the data-file fields', () => {
  const codes = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const r = parseDefinition(JSON.stringify({ name: 't', data, layers: [{ cell: 'gru', units: 4 }], ...extra }), { file: DEF, workspaceRoot: '/ws' });
    return r.diagnostics.map((d) => `${d.code}@${d.path.join('.')}`);
  };
  test('missing file, file and folder, a format the task cannot read, splits that leave nothing to train', () => {
    assert.deepEqual(codes({ task: 'tag' }), ['missing-file@data.task']);
    assert.deepEqual(codes({ task: 'classify', folder: 'names' }), []);
    assert.deepEqual(codes({ task: 'classify', file: 'a.csv', folder: 'names' }), ['file-and-folder@data.folder']);
    assert.deepEqual(codes({ task: 'pairs', file: 'p.txt', format: 'conll' }), ['format-task@data.format']);
    assert.deepEqual(codes({ task: 'forecast', file: 's.csv', validation: 0.5, test: 0.5 }), ['split-too-large@data.test']);
    assert.deepEqual(codes({ task: 'classify', folder: '../../outside' }), ['file-outside-workspace@data.folder']);
  });
  test('fields a task does not read are warned about', () => {
    assert.deepEqual(codes({ task: 'copy', horizon: 2, tokenize: 'words' }), ['ignored-data-field@data.horizon', 'ignored-data-field@data.tokenize']);
    assert.deepEqual(codes({ task: 'tag', file: 't.conll', tokenize: 'words' }), ['ignored-data-field@data.tokenize']);
    assert.deepEqual(codes({ task: 'text', text: 'abcdef', stride: 1, tokenize: 'words', maxVocab: 10 }), []);
  });
  test('schema: enums and ranges of the new fields', () => {
    assert.deepEqual(codes({ task: 'forecast', file: 's.csv', scaling: 'log', horizon: 0 }).sort(), ['schema@data.horizon', 'schema@data.scaling']);
  });
});

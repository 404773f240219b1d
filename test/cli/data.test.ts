/** Your own data through the CLI: validate's located errors, the end-of-run evaluation, predict for every task kind. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

function seqlab(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'seqlab-data-'));
  mkdirSync(join(ws, '.vscode'));
  cpSync(join(ROOT, 'examples'), join(ws, 'examples'), { recursive: true });
  return ws;
}

/** Train an example for a few steps; the JSON lines and the run folder. */
function train(ws: string, name: string, steps: number): { lines: Record<string, unknown>[]; dir: string; id: string } {
  const r = seqlab(['train', `examples/${name}.seqlab.json`, '--json', '--steps', String(steps)], ws);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
  const end = lines[lines.length - 1];
  assert.equal(end.event, 'end');
  return { lines, dir: join(ws, '.seqlab', 'runs', end.id), id: end.id };
}

const predict = (ws: string, id: string, ...args: string[]) => {
  const r = seqlab(['predict', id, ...args], ws);
  assert.equal(r.code, 0, r.err);
  return r.out.trim().split('\n').map((l) => JSON.parse(l));
};

test('validate: a malformed data line is file:line:column, what was expected and found; train refuses it too', () => {
  const ws = workspace();
  writeFileSync(join(ws, 'examples', 'data', 'bad.tsv'), 'I like tea .\t나는 차를 좋아한다 .\nno tab here\n');
  const def = readFileSync(join(ws, 'examples', 'en-ko-translate.seqlab.json'), 'utf8').replace('data/en-ko.tsv', 'data/bad.tsv');
  writeFileSync(join(ws, 'examples', 'bad.seqlab.json'), def);
  const v = seqlab(['validate', 'examples/bad.seqlab.json'], ws);
  assert.equal(v.code, 1);
  assert.equal(v.err.trim(), 'examples/data/bad.tsv:2:12: error: expected 2 tab-separated fields, found 1');
  const t = seqlab(['train', 'examples/bad.seqlab.json'], ws);
  assert.equal(t.code, 1);
  // on the definition's data.file value, and the data file's own position
  assert.match(t.err, /bad\.seqlab\.json:\d+:\d+: error: data\/bad\.tsv:2:12: expected 2 tab-separated fields, found 1/);
  assert.doesNotMatch(t.err + v.err, /\n\s+at /, 'no stack trace');
});

test('validate reads a 100k-line file and says so', () => {
  const ws = workspace();
  const rows = Array.from({ length: 100_000 }, (_, i) => `${i}\t${i % 2 ? 'odd' : 'even'}`);
  writeFileSync(join(ws, 'examples', 'data', 'big.tsv'), `digits\tlast\n${rows.join('\n')}\n`);
  const def = readFileSync(join(ws, 'examples', 'last-digit-lengths.seqlab.json'), 'utf8').replace('data/last-digit.tsv', 'data/big.tsv');
  writeFileSync(join(ws, 'examples', 'big.seqlab.json'), def);
  const v = seqlab(['validate', 'examples/big.seqlab.json'], ws);
  assert.equal(v.code, 0, v.err);
  assert.match(v.err, /read data\/big\.tsv: 100,001 lines/);
  assert.match(v.out, /ok \(90000 training, 10000 validation examples\)/);
});

test('train: the test split is evaluated once at the end; data.json and evaluation.json in the run record', () => {
  const ws = workspace();
  const { lines, dir } = train(ws, 'reviews-csv', 30);
  const ev = lines.filter((l) => l.event === 'evaluation');
  assert.equal(ev.length, 1);
  assert.equal(ev[0].split, 'test');
  assert.equal(ev[0].kind, 'classification');
  assert.deepEqual(ev[0].labels, ['negative', 'positive']);
  assert.equal((ev[0].confusion as number[][]).flat().reduce((a, b) => a + b, 0), 30, 'every test example counted once');
  const saved = JSON.parse(readFileSync(join(dir, 'evaluation.json'), 'utf8'));
  const { event: _event, ...printed } = ev[0];
  assert.deepEqual(saved, printed, 'evaluation.json holds what was printed');
  const info = JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8'));
  assert.equal(info.format, 'seqlab-data/1');
  assert.deepEqual(info.input.vocab.slice(0, 2), ['<pad>', '<unk>']);
  assert.deepEqual(info.tokenizer, { level: 'words', lowercase: true });
  assert.deepEqual(info.sizes, { train: 240, valid: 30, test: 30 });
  const plain = seqlab(['train', 'examples/reviews-csv.seqlab.json', '--steps', '10'], ws);
  assert.match(plain.out, /^test set: 30 examples, loss [0-9.]+, accuracy [0-9.]+%, macro F1 [0-9.]+ \(30 examples\)$/m);
  assert.match(plain.out, /confusion \(rows: true, columns: predicted\)/);
});

test('predict: classification, tagging, pairs, forecast and a language model, from --text and --file', () => {
  const ws = workspace();
  // classification (unknown words read as <unk>)
  const c = train(ws, 'reviews-csv', 20);
  const [cls] = predict(ws, c.id, '--text', 'The zorblax was not good!');
  assert.ok(['negative', 'positive'].includes(cls.label as string));
  assert.deepEqual(cls.unknown, ['zorblax']);
  writeFileSync(join(ws, 'in.txt'), 'great film\n\nawful hotel\n');
  assert.equal(predict(ws, c.id, '--file', 'in.txt').length, 2, 'one line of JSON per input line');
  // tagging: a tag per token
  const t = train(ws, 'pos-conll', 20);
  const [tag] = predict(ws, t.id, '--text', 'the dog sees a bird .');
  assert.deepEqual(tag.tokens, ['the', 'dog', 'sees', 'a', 'bird', '.']);
  assert.equal((tag.tags as string[]).length, 6);
  // pairs: greedy decoding in the target language
  const p = train(ws, 'en-ko-translate', 20);
  const [tr] = predict(ws, p.id, '--text', 'we like tea .', '--length', '5');
  assert.ok(Array.isArray(tr.tokens) && (tr.tokens as string[]).length <= 5 && typeof tr.output === 'string');
  // forecast: rows of the five columns in dollars; from a CSV file, one prediction a window of 7 rows
  const f = train(ws, 'stock-forecast', 20);
  const row = '100,101,99,1000000,100';
  const [fc] = predict(ws, f.id, '--text', Array(7).fill(row).join(';'));
  const close = (fc.prediction as Record<string, number>).close;
  assert.ok(Number.isFinite(close) && close > 40 && close < 200, `a close in dollars: ${close}`);
  const csv = readFileSync(join(ws, 'examples', 'data', 'prices.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(ws, 'recent.csv'), [csv[0], ...csv.slice(-10)].join('\n') + '\n');
  assert.equal(predict(ws, f.id, '--file', 'recent.csv').length, 4, '10 rows give 4 windows of 7');
  const bad = seqlab(['predict', f.id, '--text', '1,2;3'], ws);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--text: error: row 1 \("1,2"\): expected 5 numbers \(open, high, low, volume, close\)/);
  // a character language model: the next character and a continuation
  const h = train(ws, 'hihello', 60);
  const [lm] = predict(ws, h.id, '--text', 'hih', '--length', '4');
  assert.equal((lm.next as { token: string }[])[0].token, 'e');
  assert.equal(lm.continuation, 'ello');
  assert.ok(existsSync(join(h.dir, 'data.json')));
});

test('predict: usage errors are one line and exit 2', () => {
  const ws = workspace();
  const h = train(ws, 'hihello', 5);
  const r = seqlab(['predict', h.id], ws);
  assert.equal(r.code, 2);
  assert.match(r.err, /predict takes --text TEXT or --file FILE/);
  const m = seqlab(['predict', h.id, '--file', 'nope.txt'], ws);
  assert.equal(m.code, 2);
  assert.match(m.err, /--file nope.txt: cannot read it \(ENOENT\)/);
});

test('classify from a folder: a folder linked out of the workspace is refused, a file linked out is not read', () => {
  const ws = workspace();
  const outside = mkdtempSync(join(tmpdir(), 'seqlab-outside-'));
  writeFileSync(join(outside, 'Secret.txt'), 'password\nhunter2\n');
  mkdirSync(join(outside, 'names'));
  writeFileSync(join(outside, 'names', 'A.txt'), 'x\n');
  writeFileSync(join(outside, 'names', 'B.txt'), 'y\n');
  symlinkSync(join(outside, 'names'), join(ws, 'examples', 'data', 'linked'));
  const def = readFileSync(join(ws, 'examples', 'names-by-language.seqlab.json'), 'utf8');
  writeFileSync(join(ws, 'examples', 'linked.seqlab.json'), def.replace('data/names', 'data/linked'));
  const r = seqlab(['validate', 'examples/linked.seqlab.json'], ws);
  assert.equal(r.code, 1);
  assert.match(r.err, /resolves through a symbolic link to .*, outside the workspace root/);
  // a file in the folder that links out is left out: the classes are the real files only
  symlinkSync(join(outside, 'Secret.txt'), join(ws, 'examples', 'data', 'names', 'Secret.txt'));
  const ok = seqlab(['validate', 'examples/names-by-language.seqlab.json'], ws);
  assert.equal(ok.code, 0, ok.err);
  const t = train(ws, 'names-by-language', 1);
  const info = JSON.parse(readFileSync(join(t.dir, 'data.json'), 'utf8'));
  assert.deepEqual(info.output.classes, ['English', 'German', 'Italian', 'Japanese', 'Korean']);
});

test('sample, predict, --init-from and export read the vocabulary the run recorded (data.json), not the data as it is now', () => {
  const ws = workspace();
  const r = train(ws, 'paragraph-sliding', 3);
  const weights = JSON.parse(readFileSync(join(r.dir, 'weights.json'), 'utf8'));
  assert.equal(weights.vocabulary, undefined, 'weights.json does not repeat the vocabulary');
  const vocab: string[] = JSON.parse(readFileSync(join(r.dir, 'data.json'), 'utf8')).input.vocab;
  // the text changes after training: new characters, so the data's vocabulary is now another
  const para = join(ws, 'examples', 'data', 'paragraph.txt');
  writeFileSync(para, readFileSync(para, 'utf8') + '\nXYZ 0123456789 QJ!?\n');
  const s = seqlab(['sample', r.id, '--length', '40', '--seed', '3'], ws);
  assert.equal(s.code, 0, s.err);
  const text = s.out.replace(/\n$/, '');
  assert.ok(text.length >= 40, text);
  for (const ch of text) assert.ok(vocab.includes(ch), `${JSON.stringify(ch)} is in the recorded vocabulary`);
  const p = seqlab(['predict', r.id, '--text', vocab.slice(-3).join('')], ws);
  assert.equal(p.code, 0, p.err);
  // warm-starting or exporting the run on the changed data is refused, naming data.json
  for (const args of [['train', 'examples/paragraph-sliding.seqlab.json', '--init-from', r.id], ['export', r.id, '--format', 'pytorch', '--out', 'px']]) {
    const bad = seqlab(args, ws);
    assert.equal(bad.code, 1, `${args.join(' ')}: ${bad.err}`);
    assert.match(bad.err, /input vocabulary differ/, args.join(' '));
  }
  // even with the data file gone, sampling needs only the record
  writeFileSync(para, '');
  assert.equal(seqlab(['sample', r.id, '--length', '5'], ws).code, 0);
  // a run written before data.json held the vocabulary: weights.json's copy is still checked
  rmSync(join(r.dir, 'data.json'));
  writeFileSync(join(r.dir, 'weights.json'), JSON.stringify({ ...weights, vocabulary: { input: vocab } }));
  writeFileSync(para, 'abc abc abc abc abc abc abc abc abc abc abc abc\n');
  const old = seqlab(['train', 'examples/paragraph-sliding.seqlab.json', '--init-from', r.id], ws);
  assert.equal(old.code, 1, old.err);
  assert.match(old.err, /input vocabulary differ/);
});

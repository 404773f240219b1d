/**
 * Sequence pairs for encoder-decoder models: `source<TAB>target` a line (TSV, no header) or JSONL
 * `{"source": "...", "target": "..."}`. Source and target have their own vocabularies; the decoder
 * starts from <s> and learns to write </s> after the last target token.
 */
import type { Example, SeqData } from '../data';
import type { ModelSpec } from '../spec';
import { END, PAD, START, UNK, encodeTokens, indexOf, tokenize } from '../tokenize';
import { DataError, checkSize, readWorkspaceFile, shuffledSplit, tokenizerOf, vocabularyOf, type TaskContext } from './common';
import { delimitedRows, expectFields, fail, formatOf, jsonLines, jsonString, type SourceFile } from './files';

interface Pair {
  source: string[];
  target: string[];
}

export function buildPairs(spec: ModelSpec, ctx: TaskContext): SeqData {
  if (spec.data.file === undefined) throw new DataError((m) => m.text('data/needs-file', { task: 'pairs', what: 'pairs' }), ['data']);
  const f = readWorkspaceFile(spec.data.file, ['data', 'file'], ctx, spec.data.task);
  const src: SourceFile = { name: f.name, abs: f.abs, text: f.text, where: ['data', 'file'] };
  const format = formatOf(spec, f.name, ['tsv', 'jsonl']);
  const tk = tokenizerOf(spec, 'words');
  const pairs: Pair[] = [];
  const add = (line: number, columns: [number, number], s: string, t: string) => {
    const source = tokenize(s, tk);
    const target = tokenize(t, tk);
    if (!source.length) fail(src, line, columns[0], (m) => m.text('data-file/pair-source', { found: JSON.stringify(s) }));
    if (!target.length) fail(src, line, columns[1], (m) => m.text('data-file/pair-target', { found: JSON.stringify(t) }));
    pairs.push({ source, target });
  };
  if (format === 'jsonl') {
    for (const r of jsonLines(src, ctx)) add(r.line, [1, 1], jsonString(src, r, 'source'), jsonString(src, r, 'target'));
  } else {
    const rows = delimitedRows(src, 'tsv', ctx);
    // a first line `source<TAB>target` is a header, not a pair
    if (rows.length && rows[0].cells.map((c) => c.trim().toLowerCase()).join('\t') === 'source\ttarget') rows.shift();
    for (const r of rows) {
      expectFields(src, r, 2, 'tsv');
      add(r.line, [r.starts[0], r.starts[1]], r.cells[0], r.cells[1]);
    }
  }
  if (!pairs.length) fail(src, 1, 1, (m) => m.text('data-file/no-pairs', undefined));
  checkSize(pairs.reduce((n, p) => n + p.source.length + 2 * (p.target.length + 1), 0), spec, ['data', 'file']);
  const split = shuffledSplit(spec, pairs);
  const vocab = vocabularyOf(spec, split.train.map((p) => p.source), [PAD, UNK]);
  const classes = vocabularyOf(spec, split.train.map((p) => p.target), [PAD, UNK, START, END]);
  const sIndex = indexOf(vocab);
  const tIndex = indexOf(classes);
  const end = tIndex.get(END)!;
  const encode = (ps: Pair[]): Example[] =>
    ps.map((p) => ({ x: encodeTokens(p.source, sIndex).map((i) => [i]), y: [...encodeTokens(p.target, tIndex), end].map((i) => [i]) }));
  return {
    task: 'pairs',
    structure: spec.structure,
    input: { kind: 'tokens', vocab },
    output: { kind: 'classes', classes },
    startToken: tIndex.get(START)!,
    endToken: end,
    generative: false,
    train: encode(split.train),
    valid: encode(split.valid),
    test: encode(split.test),
    tokenizer: tk,
    baselineLoss: Math.log(classes.length),
    about:
      `Turn each source sequence of ${f.name} into its target (${tk.level}): ${pairs.length} pairs, ${split.train.length} for training, ` +
      `${split.valid.length} validation, ${split.test.length} test; vocabularies ${vocab.length} (source) and ${classes.length} (target, ` +
      `with <s> and </s>). The decoder is fed the previous target token; guessing uniformly costs ln ${classes.length} = ` +
      `${Math.log(classes.length).toFixed(2)} nats a token, and solved means the greedy decoding writes the targets it was trained on.`,
  };
}

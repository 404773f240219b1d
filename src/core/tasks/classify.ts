/**
 * Sequence classification from your own data: a text and a label per example, from a CSV, TSV or
 * JSONL file (data.textField, data.labelField) or a folder with one file per class (the file's
 * name without its extension is the label; one example a line). Many-to-one: the model reads the
 * tokens and answers once.
 */
import type { Example, SeqData } from '../data';
import type { ModelSpec } from '../spec';
import { PAD, UNK, encodeTokens, indexOf, tokenize } from '../tokenize';
import { DataError, checkSize, readWorkspaceFile, resolveWorkspacePath, shuffledSplit, tokenizerOf, vocabularyOf, type TaskContext } from './common';
import { fail, fieldIndex, formatOf, jsonLabel, jsonLines, jsonString, linesOf, tableOf, type SourceFile } from './files';

interface Labelled {
  tokens: string[];
  label: string;
}

export function buildClassify(spec: ModelSpec, ctx: TaskContext): SeqData {
  const tk = tokenizerOf(spec, 'words');
  const items: Labelled[] = [];
  let source: string;
  const add = (src: SourceFile, line: number, column: number, text: string, label: string) => {
    const tokens = tokenize(text, tk);
    if (!tokens.length) fail(src, line, column, (m) => m.text('data-file/no-text', { found: JSON.stringify(text) }));
    items.push({ tokens, label });
  };
  if (spec.data.folder !== undefined) {
    const where = ['data', 'folder'];
    const dir = resolveWorkspacePath(spec.data.folder, where, ctx);
    const folder = spec.data.folder;
    if (!ctx.listFolder) throw new DataError((m) => m.text('data/folder-no-access', { folder }), where);
    let names: string[];
    try {
      names = ctx.listFolder(dir).filter((n) => !n.startsWith('.')).sort();
    } catch (e) {
      const why = (e as Error).message;
      throw new DataError((m) => m.text('data/folder-unreadable', { folder, dir, why }), where);
    }
    if (names.length < 2) throw new DataError((m) => m.text('data/folder-too-few', { folder, count: names.length }), where);
    for (const n of names) {
      const rel = `${spec.data.folder.replace(/[\\/]+$/, '')}/${n}`;
      const f = readWorkspaceFile(rel, where, ctx, 'classify');
      const src: SourceFile = { name: rel, abs: f.abs, text: f.text, where };
      const label = n.replace(/\.[^.]*$/, '');
      const before = items.length;
      for (const l of linesOf(src, ctx)) if (l.text.trim() !== '') add(src, l.n, 1, l.text.trim(), label);
      if (items.length === before) fail(src, 1, 1, (m) => m.text('data-file/class-file-empty', { label: JSON.stringify(label) }));
    }
    source = `the folder ${spec.data.folder} (${names.length} classes, one file each)`;
  } else if (spec.data.file !== undefined) {
    const f = readWorkspaceFile(spec.data.file, ['data', 'file'], ctx, spec.data.task);
    const src: SourceFile = { name: f.name, abs: f.abs, text: f.text, where: ['data', 'file'] };
    const format = formatOf(spec, f.name, ['csv', 'tsv', 'jsonl']);
    const textKey = spec.data.textField ?? 'text';
    const labelKey = spec.data.labelField ?? 'label';
    if (format === 'jsonl') {
      if (typeof textKey !== 'string') throw new DataError((m) => m.text('data/jsonl-field', { field: 'textField' }), ['data', 'textField']);
      if (typeof labelKey !== 'string') throw new DataError((m) => m.text('data/jsonl-field', { field: 'labelField' }), ['data', 'labelField']);
      for (const r of jsonLines(src, ctx)) add(src, r.line, 1, jsonString(src, r, textKey), jsonLabel(src, r, labelKey));
    } else {
      const { header, rows } = tableOf(src, format as 'csv' | 'tsv', ctx);
      const ti = fieldIndex(src, header, textKey, 'textField');
      const li = fieldIndex(src, header, labelKey, 'labelField');
      for (const r of rows) {
        const label = r.cells[li].trim();
        if (!label) fail(src, r.line, r.starts[li], (m) => m.text('data-file/empty-label', { field: JSON.stringify(header[li]) }));
        if (!r.cells[ti].trim()) fail(src, r.line, r.starts[ti], (m) => m.text('data-file/empty-text', { field: JSON.stringify(header[ti]) }));
        add(src, r.line, r.starts[ti], r.cells[ti], label);
      }
    }
    source = f.name;
  } else {
    throw new DataError((m) => m.text('data/needs-file', { task: 'classify', what: 'classify' }), ['data']);
  }
  const classes = [...new Set(items.map((e) => e.label))].sort();
  if (classes.length < 2) throw new DataError((m) => m.text('data/too-few-classes', { source, count: classes.length, labels: classes.join(', ') }), spec.data.folder !== undefined ? ['data', 'folder'] : ['data', 'file']);
  checkSize(items.reduce((s, e) => s + e.tokens.length + 1, 0), spec, spec.data.folder !== undefined ? ['data', 'folder'] : ['data', 'file']);
  const split = shuffledSplit(spec, items);
  const vocab = vocabularyOf(spec, split.train.map((e) => e.tokens), [PAD, UNK]);
  const index = indexOf(vocab);
  const cid = indexOf(classes);
  const encode = (es: Labelled[]): Example[] => es.map((e) => ({ x: encodeTokens(e.tokens, index).map((i) => [i]), y: [[cid.get(e.label)!]] }));
  const train = encode(split.train);
  // Always guessing the most frequent training label: the accuracy to beat.
  const counts = classes.map((c) => split.train.filter((e) => e.label === c).length);
  const major = counts.indexOf(Math.max(...counts));
  const judged = split.valid.length ? split.valid : split.train;
  const majority = judged.filter((e) => e.label === classes[major]).length / judged.length;
  return {
    task: 'classify',
    structure: spec.structure,
    input: { kind: 'tokens', vocab },
    output: { kind: 'classes', classes },
    generative: false,
    train,
    valid: encode(split.valid),
    test: encode(split.test),
    tokenizer: tk,
    about:
      `Classify each ${tk.level === 'words' ? 'text (as words)' : 'text (as characters)'} of ${source} as one of ${classes.length} labels ` +
      `(${classes.slice(0, 8).join(', ')}${classes.length > 8 ? ', ...' : ''}): ${items.length} examples, ${split.train.length} for training, ` +
      `${split.valid.length} validation, ${split.test.length} test; vocabulary ${vocab.length}. Always answering '${classes[major]}' scores ` +
      `${(majority * 100).toFixed(1)}% accuracy: solved means clearly above that, with every class's F1 well above 0.`,
  };
}

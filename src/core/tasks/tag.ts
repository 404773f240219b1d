/**
 * Sequence labelling from your own data: one tag per token, from CoNLL-style files
 * (`token<TAB>tag` a line, a blank line between sentences) or JSONL
 * (`{"tokens": [...], "tags": [...]}` a line). Many-to-many: a tag at every step. The tokens are
 * taken as they are written (data.lowercase folds them); data.tokenize does not apply.
 */
import type { Example, SeqData } from '../data';
import type { ModelSpec } from '../spec';
import { PAD, UNK, encodeTokens, indexOf } from '../tokenize';
import { DataError, checkSize, readWorkspaceFile, shuffledSplit, vocabularyOf, type TaskContext } from './common';
import { conllSentences, fail, formatOf, jsonLines, jsonStrings, keyColumn, type Sentence, type SourceFile } from './files';

export function buildTag(spec: ModelSpec, ctx: TaskContext): SeqData {
  if (spec.data.file === undefined) throw new DataError((m) => m.text('data/needs-file', { task: 'tag', what: 'tag' }), ['data']);
  const f = readWorkspaceFile(spec.data.file, ['data', 'file'], ctx, spec.data.task);
  const src: SourceFile = { name: f.name, abs: f.abs, text: f.text, where: ['data', 'file'] };
  const format = formatOf(spec, f.name, ['conll', 'tsv', 'jsonl']);
  let sentences: Sentence[];
  if (format === 'jsonl') {
    sentences = jsonLines(src, ctx).map((r) => {
      const tokens = jsonStrings(src, r, 'tokens');
      const tags = jsonStrings(src, r, 'tags');
      if (tags.length !== tokens.length) {
        fail(src, r.line, keyColumn(r.text, 'tags'), (m) => m.text('data-file/tag-count', { tokens: tokens.length, tags: tags.length }));
      }
      return { line: r.line, tokens, tags };
    });
  } else sentences = conllSentences(src, ctx);
  if (sentences.length < 1) fail(src, 1, 1, (m) => m.text('data-file/no-sentences', undefined));
  const lower = spec.data.lowercase ?? false;
  const fold = (t: string) => (lower ? t.normalize('NFC').toLowerCase() : t.normalize('NFC'));
  for (const s of sentences) s.tokens = s.tokens.map(fold);
  const tags = [...new Set(sentences.flatMap((s) => s.tags))].sort();
  if (tags.length < 2) throw new DataError((m) => m.text('data/too-few-tags', { file: f.name, count: tags.length, tags: tags.join(', ') }), ['data', 'file']);
  checkSize(sentences.reduce((n, s) => n + 2 * s.tokens.length, 0), spec, ['data', 'file']);
  const split = shuffledSplit(spec, sentences);
  const vocab = vocabularyOf(spec, split.train.map((s) => s.tokens), [PAD, UNK]);
  const index = indexOf(vocab);
  const tid = indexOf(tags);
  const encode = (ss: Sentence[]): Example[] =>
    ss.map((s) => ({ x: encodeTokens(s.tokens, index).map((i) => [i]), y: s.tags.map((t) => [tid.get(t)!]) }));
  const tokens = sentences.reduce((n, s) => n + s.tokens.length, 0);
  return {
    task: 'tag',
    structure: spec.structure,
    input: { kind: 'tokens', vocab },
    output: { kind: 'classes', classes: tags },
    generative: false,
    train: encode(split.train),
    valid: encode(split.valid),
    test: encode(split.test),
    tokenizer: { level: 'words', lowercase: lower },
    about:
      `Tag every token of ${f.name} with one of ${tags.length} tags (${tags.slice(0, 10).join(', ')}${tags.length > 10 ? ', ...' : ''}): ` +
      `${sentences.length} sentences, ${tokens} tokens; ${split.train.length} sentences for training, ${split.valid.length} validation, ` +
      `${split.test.length} test; vocabulary ${vocab.length}. Solved means high token accuracy with a good F1 for every tag, ` +
      `rare ones included.`,
  };
}

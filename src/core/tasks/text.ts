/**
 * Language model on a text: next-token prediction over windows of training.sequenceLength tokens,
 * characters (grapheme clusters, the default) or words (data.tokenize), a new window every
 * data.stride tokens (default: windows side by side).
 */
import type { Example, SeqData } from '../data';
import type { ModelSpec } from '../spec';
import { UNK, encodeTokens, indexOf, tokenize } from '../tokenize';
import {
  DataError, TaskContext, charVocabulary, checkSize, chronologicalCuts, readDataFile, testFraction, tokenizerOf, validationFraction, vocabularyOf,
} from './common';

export function buildText(spec: ModelSpec, ctx: TaskContext): SeqData {
  const fraction = validationFraction(spec);
  const n = spec.training.sequenceLength;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new DataError(`training.sequenceLength must be a whole number of at least 1 (got ${String(n)})`, ['training', 'sequenceLength']);
  }
  let raw: string;
  let source: string;
  let where: (string | number)[];
  if (spec.data.text !== undefined && spec.data.file !== undefined) {
    throw new DataError('give either data.text or data.file, not both', ['data', 'text']);
  }
  if (spec.data.text !== undefined) {
    if (typeof spec.data.text !== 'string') throw new DataError('data.text must be a string', ['data', 'text']);
    raw = spec.data.text;
    source = 'data.text';
    where = ['data', 'text'];
  } else if (spec.data.file !== undefined) {
    const f = readDataFile(spec, ctx);
    raw = f.text;
    source = `'${f.name}'`;
    where = ['data', 'file'];
  } else {
    throw new DataError("task 'text' needs data.file or data.text", ['data']);
  }
  // Line endings are not part of the language being learned.
  const tk = tokenizerOf(spec, 'characters');
  const words = tk.level === 'words';
  const text = tokenize(raw.replace(/\r\n?/g, '\n'), tk);
  const unit = words ? 'words' : 'characters';
  const N = text.length;
  const w = n + 1;
  const stride = spec.data.stride ?? n;
  if (!Number.isInteger(stride) || stride < 1) throw new DataError(`data.stride must be a whole number of at least 1 (got ${String(stride)})`, ['data', 'stride']);
  // Validation (then test) is a contiguous tail of the text: no window crosses a cut.
  const tf = testFraction(spec);
  const [cut, validEnd] = chronologicalCuts(spec, N);
  const tooShort = cut < w || (fraction > 0 && validEnd - cut < w) || (tf > 0 && N - validEnd < w);
  if (tooShort) {
    let need = w;
    const held = [fraction, tf].filter((v) => v > 0);
    if (held.length) {
      need = Math.ceil(w / Math.min(...held, 1 - fraction - tf));
      const ok = (m: number) => {
        const [a, b] = chronologicalCuts(spec, m);
        return a >= w && (fraction <= 0 || b - a >= w) && (tf <= 0 || m - b >= w);
      };
      while (!ok(need)) need++;
    }
    throw new DataError(
      `${source} is too short: ${N} ${unit}, but windows of training.sequenceLength ${n} + 1` +
        (fraction > 0 ? ` with validation ${fraction}` : '') + (tf > 0 ? ` and test ${tf}` : '') +
        ` need at least ${need} ${unit}`,
      where,
    );
  }
  const limited = spec.data.maxVocab !== undefined || spec.data.minCount !== undefined;
  const vocab = words || limited
    ? vocabularyOf(spec, [text.slice(0, cut)], [UNK])
    : charVocabulary(spec, text, () => [...new Set(text)].sort());
  const ids = encodeTokens(text, indexOf(vocab));
  checkSize(N * 2, spec, where);
  const windows = (from: number, to: number): Example[] => {
    const out: Example[] = [];
    for (let s = from; s + w <= to; s += stride) {
      out.push({ x: ids.slice(s, s + n).map((v) => [v]), y: ids.slice(s + 1, s + w).map((v) => [v]) });
    }
    return out;
  };
  const train = windows(0, cut);
  const valid = fraction > 0 ? windows(cut, validEnd) : [];
  const test = tf > 0 ? windows(validEnd, N) : [];
  const uniform = Math.log(vocab.length);
  return {
    task: 'text',
    structure: spec.structure,
    input: { kind: 'tokens', vocab },
    output: { kind: 'classes', classes: [...vocab] },
    generative: true,
    train,
    valid,
    test,
    tokenizer: tk,
    baselineLoss: uniform,
    about:
      `Predict the next ${words ? 'word' : 'character'} of ${source} (${N} ${unit}, vocabulary ${vocab.length}) over windows of ${n}${stride !== n ? ` starting every ${stride}` : ''}; ` +
      (fraction > 0 ? `validation is the last ${Math.round(fraction * 100)}% of the text. ` : 'nothing is held out for validation. ') +
      `Guessing uniformly costs ln ${vocab.length} = ` +
      `${uniform.toFixed(2)} nats per ${words ? 'word' : 'character'} (perplexity ${vocab.length}); a good model gets well below that (samples then look like the text).`,
  };
}

/** Character-level language model on a text: next-character prediction over fixed windows. */
import type { Example, SeqData } from '../data';
import type { ModelSpec } from '../spec';
import { DataError, TaskContext, chars, charVocabulary, checkSize, readDataFile, validationFraction } from './common';

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
  const text = chars(raw.replace(/\r\n?/g, '\n'));
  const N = text.length;
  const w = n + 1;
  // Validation is the last `fraction` of the text, a contiguous tail (no window crosses the cut).
  const cut = fraction > 0 ? Math.round(N * (1 - fraction)) : N;
  const tooShort = cut < w || (fraction > 0 && N - cut < w);
  if (tooShort) {
    let need = w;
    if (fraction > 0) {
      need = Math.ceil(w / Math.min(fraction, 1 - fraction));
      while (Math.round(need * (1 - fraction)) < w || need - Math.round(need * (1 - fraction)) < w) need++;
    }
    throw new DataError(
      `${source} is too short: ${N} characters, but windows of training.sequenceLength ${n} + 1` +
        (fraction > 0 ? ` with validation ${fraction}` : '') +
        ` need at least ${need} characters`,
      where,
    );
  }
  const vocab = charVocabulary(spec, text, () => [...new Set(text)].sort());
  const id = new Map(vocab.map((c, i) => [c, i]));
  const ids = text.map((c) => id.get(c)!);
  checkSize(N * 2, spec, where);
  const windows = (from: number, to: number): Example[] => {
    const out: Example[] = [];
    for (let s = from; s + w <= to; s += n) {
      out.push({ x: ids.slice(s, s + n).map((v) => [v]), y: ids.slice(s + 1, s + w).map((v) => [v]) });
    }
    return out;
  };
  const train = windows(0, cut);
  const valid = fraction > 0 ? windows(cut, N) : [];
  const uniform = Math.log(vocab.length);
  return {
    task: 'text',
    structure: spec.structure,
    input: { kind: 'tokens', vocab },
    output: { kind: 'classes', classes: [...vocab] },
    generative: true,
    train,
    valid,
    baselineLoss: uniform,
    about:
      `Predict the next character of ${source} (${N} characters, ${vocab.length} distinct) over windows of ${n}; ` +
      (fraction > 0 ? `validation is the last ${Math.round(fraction * 100)}% of the text. ` : 'nothing is held out for validation. ') +
      `Guessing uniformly costs ln ${vocab.length} = ` +
      `${uniform.toFixed(2)} nats per character; a good model gets well below that (samples then look like the text).`,
  };
}

/** The classic character example: "hell" -> "ello". */
import type { SeqData } from '../data';
import type { ModelSpec } from '../spec';
import { DataError, chars, charVocabulary } from './common';

export function buildHello(spec: ModelSpec): SeqData {
  const word = spec.data.word ?? 'hello';
  if (typeof word !== 'string' || chars(word).length < 2) {
    throw new DataError(`data.word must have at least 2 characters (got ${JSON.stringify(word)})`, ['data', 'word']);
  }
  const cs = chars(word);
  // Distinct characters in order of first appearance: h, e, l, o.
  const vocab = charVocabulary(spec, cs, () => [...new Set(cs)]);
  const id = new Map(vocab.map((c, i) => [c, i]));
  const ids = cs.map((c) => id.get(c)!);
  const x = ids.slice(0, -1).map((i) => [i]);
  const y = ids.slice(1).map((i) => [i]);
  const inp = cs.slice(0, -1).join('');
  const out = cs.slice(1).join('');
  const next = new Map<string, Set<string>>();
  cs.slice(0, -1).forEach((c, i) => next.set(c, (next.get(c) ?? new Set()).add(cs[i + 1])));
  const needsMemory = [...next.values()].some((s) => s.size > 1);
  return {
    task: 'hello',
    structure: spec.structure,
    input: { kind: 'tokens', vocab },
    output: { kind: 'classes', classes: [...vocab] },
    generative: true,
    train: [{ x, y }],
    valid: [],
    about:
      `One sequence: read "${inp}" one character at a time and predict the next character each step ("${out}"); ` +
      `solved when all ${x.length} predictions are right (loss near 0)` +
      (needsMemory ? ', which needs memory because the same input character is followed by different characters.' : '.'),
  };
}

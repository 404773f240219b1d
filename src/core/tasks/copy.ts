/** Copy or reverse a random symbol sequence (encoder-decoder, or the delayed copy-memory layout). */
import type { SeqData } from '../data';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { DataError, checkSize, generateSplit, intParam, validationFraction } from './common';

export function buildCopy(spec: ModelSpec, reverse: boolean): SeqData {
  const task = reverse ? 'reverse' : 'copy';
  const L = intParam(spec, 'length', 1, 500);
  const S = spec.data.symbols;
  if (typeof S !== 'number' || !Number.isInteger(S) || S < 2 || S > 26) {
    throw new DataError(`data.symbols must be a whole number from 2 to 26 (the letters a..z) (got ${String(S)})`, ['data', 'symbols']);
  }
  const samples = intParam(spec, 'samples', 1, 1_000_000);
  const fraction = validationFraction(spec);
  const letters = Array.from({ length: S }, (_, i) => String.fromCharCode(97 + i));
  const ed = spec.structure === 'encoder-decoder';
  checkSize(samples * L * (ed ? 2 : 4), spec);
  const rng = new Rng(spec.data.seed);
  const gen = (r: Rng) => {
    const s = Array.from({ length: L }, () => r.int(S));
    const t = reverse ? [...s].reverse() : s;
    const key = s.join(',');
    if (ed) return { ex: { x: s.map((v) => [v]), y: t.map((v) => [v]) }, key };
    // Delayed copy memory: the sequence, then L blanks during which the model must answer.
    const blank = S;
    const x = [...s, ...Array<number>(L).fill(blank)].map((v) => [v]);
    const y = [...Array<number>(L).fill(blank), ...t].map((v) => [v]);
    return { ex: { x, y }, key };
  };
  const { train, valid } = generateSplit(rng, samples, fraction, gen);
  const chance = (100 / S).toFixed(1);
  const what = reverse ? 'the same symbols in reverse order' : 'the same symbols in the same order';
  if (ed) {
    return {
      task, structure: spec.structure,
      input: { kind: 'tokens', vocab: letters },
      output: { kind: 'classes', classes: [...letters, '<s>'] },
      startToken: S,
      generative: false, train, valid,
      about:
        `The encoder reads ${L} random letters from ${letters[0]}..${letters[S - 1]} and the decoder, started from '<s>', ` +
        `must write ${what}; chance is ${chance}% per symbol, solved means near 100% validation accuracy.`,
    };
  }
  return {
    task, structure: spec.structure,
    input: { kind: 'tokens', vocab: [...letters, '_'] },
    output: { kind: 'classes', classes: [...letters, '_'] },
    generative: false, train, valid,
    about:
      `Read ${L} random letters from ${letters[0]}..${letters[S - 1]} followed by ${L} blanks '_', output '_' while reading ` +
      `and then ${what} during the blanks (T = ${2 * L}); the first half is easy, so solved means near 100% accuracy on the ` +
      `last ${L} steps (overall accuracy near 100%, not just the ~${(50 + 50 / S).toFixed(0)}% that echoing blanks gives).`,
  };
}

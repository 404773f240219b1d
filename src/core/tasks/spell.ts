/** One-to-many: spell a digit's English name from a single input step. */
import type { SeqData } from '../data';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { validCount, validationFraction } from './common';

export const DIGIT_NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

export function buildSpell(spec: ModelSpec): SeqData {
  const fraction = validationFraction(spec);
  const END = '.';
  const T = Math.max(...DIGIT_NAMES.map((n) => n.length)) + 1;
  const classes = [...[...new Set(DIGIT_NAMES.join(''))].sort(), END];
  const cid = new Map(classes.map((c, i) => [c, i]));
  // All ten digits, in a seeded order (which decides the held-out digits when validation > 0).
  const order = new Rng(spec.data.seed).shuffle([...Array(10).keys()]);
  const examples = order.map((d) => {
    const target = (DIGIT_NAMES[d] + END).padEnd(T, END);
    return { x: [[d]], y: [...target].map((c) => [cid.get(c)!]) };
  });
  const nValid = validCount(examples.length, fraction);
  const valid = examples.slice(0, nValid);
  const train = examples.slice(nValid);
  return {
    task: 'spell',
    structure: spec.structure,
    input: { kind: 'tokens', vocab: DIGIT_NAMES.map((_, d) => String(d)) },
    output: { kind: 'classes', classes },
    generative: false,
    train,
    valid,
    about:
      `From one input step (a digit 0-9) write its English name and then '.', e.g. 3 -> "three." (${T} output steps, padded ` +
      `with '.'); all ten digits are the data${nValid ? `, ${nValid} of them held out (a digit never seen cannot be spelled)` : ''}, ` +
      `and solved means every name spelled right (training accuracy 100%).`,
  };
}

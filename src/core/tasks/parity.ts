/** Parity of a bit string: the whole string (many-to-one) or running parity (many-to-many). */
import type { SeqData } from '../data';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { checkSize, generateSplit, intParam, validationFraction } from './common';

export function buildParity(spec: ModelSpec): SeqData {
  const L = intParam(spec, 'length', 1, 10_000);
  const samples = intParam(spec, 'samples', 1, 1_000_000);
  const fraction = validationFraction(spec);
  const m2m = spec.structure === 'many-to-many';
  checkSize(samples * L * (m2m ? 2 : 1), spec);
  const rng = new Rng(spec.data.seed);
  const gen = (r: Rng) => {
    const bits = Array.from({ length: L }, () => r.int(2));
    let p = 0;
    const running = bits.map((b) => (p ^= b));
    return { ex: { x: bits.map((b) => [b]), y: m2m ? running.map((v) => [v]) : [[p]] }, key: bits.join('') };
  };
  const { train, valid } = generateSplit(rng, samples, fraction, gen);
  return {
    task: 'parity',
    structure: spec.structure,
    input: { kind: 'tokens', vocab: ['0', '1'] },
    output: { kind: 'binary', labels: ['odd'] },
    generative: false,
    train,
    valid,
    about: m2m
      ? `Read ${L} random bits and say at every step whether the number of 1s so far is odd; each answer needs only the ` +
        `previous one and the current bit, so solved means near 100% validation accuracy (chance is 50%).`
      : `Read ${L} random bits and say at the end whether the number of 1s is odd; no single bit tells anything, so a model ` +
        `stuck at 50% accuracy (loss ln 2 = 0.693) has learned nothing and solved means near 100% validation accuracy.`,
  };
}

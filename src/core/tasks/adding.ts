/** The adding problem (Hochreiter & Schmidhuber 1997), in the variant of Le et al. 2015. */
import type { Example, SeqData } from '../data';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { checkSize, fmt, generateSplit, intParam, validationFraction } from './common';

export function buildAdding(spec: ModelSpec): SeqData {
  const T = intParam(spec, 'length', 2, 10_000);
  const samples = intParam(spec, 'samples', 1, 1_000_000);
  const fraction = validationFraction(spec);
  checkSize(samples * (T * 2 + 1), spec);
  const rng = new Rng(spec.data.seed);
  const half = Math.floor(T / 2);
  const gen = (r: Rng) => {
    const x = Array.from({ length: T }, () => [r.next(), 0]);
    // One marker in the first half, one in the second half.
    const a = r.int(half);
    const b = half + r.int(T - half);
    x[a][1] = 1;
    x[b][1] = 1;
    return { ex: { x, y: [[x[a][0] + x[b][0]]] } };
  };
  const { train, valid } = generateSplit(rng, samples, fraction, gen);
  // Baseline: always predict the training mean; its MSE on the validation set (or on the
  // training set when nothing is held out).
  const mean = train.reduce((s, e) => s + e.y[0][0], 0) / train.length;
  const judged: Example[] = valid.length ? valid : train;
  const baselineLoss = judged.reduce((s, e) => s + (e.y[0][0] - mean) ** 2, 0) / judged.length;
  return {
    task: 'adding',
    structure: spec.structure,
    input: { kind: 'real', features: 2, names: ['value', 'marker'] },
    output: { kind: 'real', features: 1, names: ['sum'] },
    generative: false,
    train,
    valid,
    baselineLoss,
    about:
      `Each of ${T} steps gives a value from U(0,1) and a marker; output the sum of the two marked values (one marker in ` +
      `each half). Always predicting the mean scores MSE ${fmt(baselineLoss, 3)} on the ${valid.length ? 'validation' : 'training'} ` +
      `set (theory 1/6 = 0.167; Le et al. quote 0.1767): a model that learned nothing stays there, solved means an MSE ` +
      `well below it (under 0.01).`,
  };
}

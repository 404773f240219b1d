/** Toy sentiment: short reviews from templates, with negation and "but" that flip the label. */
import type { SeqData } from '../data';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { checkSize, generateSplit, intParam, validationFraction } from './common';

const NOUNS = ['movie', 'film', 'plot', 'acting', 'story', 'music', 'ending', 'cast'];
const INTENSIFIERS = ['very', 'really', 'quite', 'so'];
const ADJ = { pos: ['good', 'great', 'fun', 'brilliant', 'lovely'], neg: ['bad', 'boring', 'awful', 'dull', 'terrible'] };
/** Past tense after "i", base form after "i did not". */
const VERBS = {
  pos: [['liked', 'like'], ['loved', 'love'], ['enjoyed', 'enjoy']],
  neg: [['hated', 'hate'], ['disliked', 'dislike']],
};
const PAD = '<pad>';
/** Longest review: "i did not really like the plot but i did not really hate the music". */
export const SENTIMENT_LENGTH = 15;

export const SENTIMENT_VOCAB: string[] = [
  PAD, 'the', 'was', 'not', 'i', 'did', 'but', 'and',
  ...NOUNS, ...INTENSIFIERS, ...ADJ.pos, ...ADJ.neg,
  ...VERBS.pos.flat(), ...VERBS.neg.flat(),
];

/** A clause whose meaning is `positive`. */
function clause(r: Rng, positive: boolean): string[] {
  const negate = r.next() < 0.35;
  const base = negate ? !positive : positive; // the word's own polarity
  const intens = r.next() < 0.4 ? [r.pick(INTENSIFIERS)] : [];
  if (r.next() < 0.55) {
    const adj = r.pick(base ? ADJ.pos : ADJ.neg);
    return ['the', r.pick(NOUNS), 'was', ...(negate ? ['not'] : []), ...intens, adj];
  }
  const [past, bare] = r.pick(base ? VERBS.pos : VERBS.neg);
  const intensB = intens.length ? ['really'] : [];
  return negate ? ['i', 'did', 'not', ...intensB, bare, 'the', r.pick(NOUNS)] : ['i', ...intensB, past, 'the', r.pick(NOUNS)];
}

export function buildSentiment(spec: ModelSpec): SeqData {
  const samples = intParam(spec, 'samples', 1, 1_000_000);
  const fraction = validationFraction(spec);
  checkSize(samples * (SENTIMENT_LENGTH + 1), spec);
  const id = new Map(SENTIMENT_VOCAB.map((w, i) => [w, i]));
  const rng = new Rng(spec.data.seed);
  const gen = (r: Rng) => {
    const label = r.next() < 0.5;
    const u = r.next();
    const words =
      u < 0.65 ? clause(r, label)
      : u < 0.85 ? [...clause(r, !label), 'but', ...clause(r, label)]
      : [...clause(r, label), 'and', ...clause(r, label)];
    const padded = [...Array<string>(SENTIMENT_LENGTH - words.length).fill(PAD), ...words];
    return { ex: { x: padded.map((w) => [id.get(w)!]), y: [[label ? 1 : 0]] }, key: words.join(' ') };
  };
  const { train, valid } = generateSplit(rng, samples, fraction, gen);
  return {
    task: 'sentiment',
    structure: spec.structure,
    input: { kind: 'tokens', vocab: [...SENTIMENT_VOCAB] },
    output: { kind: 'binary', labels: ['positive'] },
    generative: false,
    train,
    valid,
    about:
      `Is a short review positive? ("the plot was not bad" is positive, "i did not like the acting" negative, and after ` +
      `"but" the second half decides); reviews are left-padded with '<pad>' to ${SENTIMENT_LENGTH} words so the last step is ` +
      `always a real word. Chance is 50%; a bag of words fails on negation, solved means near 100% validation accuracy.`,
  };
}

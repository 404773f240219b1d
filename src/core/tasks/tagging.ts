/**
 * Toy part-of-speech tagging from a tiny grammar in which some words' tags are decided by the
 * word AFTER them, so a left-to-right model cannot be sure and a bidirectional one can.
 */
import type { Example, SeqData } from '../data';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { checkSize, generateSplit, intParam, validationFraction } from './common';

export const TAGS = ['PAD', 'DET', 'ADJ', 'NOUN', 'VERB', 'ADV', 'PRON', 'ADP'] as const;
type Tag = (typeof TAGS)[number];
/** Longest sentence: "the old man sleeps quietly in the park". */
export const TAG_LENGTH = 8;
const PAD = '<pad>';

const PLAIN_ADJ = ['big', 'small', 'happy', 'red'];
/** ADJ before a noun ("the old man sleeps"), NOUN before a verb ("the old sleep"). */
export const AMBIGUOUS_ADJ = ['old', 'young', 'poor', 'rich'];
const NOUN = ['man', 'woman', 'dog', 'cat', 'bird', 'child'];
const PLACE = ['park', 'river', 'table', 'house', 'garden'];
const VERB_3SG = ['sleeps', 'walks', 'sings', 'waits', 'swims', 'runs'];
const VERB_BARE = ['sleep', 'walk', 'sing', 'wait', 'swim', 'run'];
const ADV = ['quietly', 'slowly', 'often', 'today'];
const ADP = ['in', 'near', 'under', 'behind'];
const SUBJECT = ['i', 'we', 'they', 'you'];
const SEE = ['saw', 'watched'];
/** After "her": NOUN before a verb ("saw her duck swim"), VERB before a preposition ("saw her duck under the table"). */
export const AMBIGUOUS_NV = ['duck', 'fish'];

export const TAGGING_VOCAB: string[] = [
  PAD, 'the', 'her', ...SUBJECT, ...SEE, ...PLAIN_ADJ, ...AMBIGUOUS_ADJ, ...NOUN, ...PLACE, ...AMBIGUOUS_NV,
  ...VERB_3SG, ...VERB_BARE, ...ADV, ...ADP,
];

type W = [string, Tag];

function sentence(r: Rng): W[] {
  const opt = (p: number, f: () => W[]): W[] => (r.next() < p ? f() : []);
  const adv = (p: number) => opt(p, () => [[r.pick(ADV), 'ADV']]);
  const pp = (p: number) => opt(p, () => [[r.pick(ADP), 'ADP'], ['the', 'DET'], [r.pick(PLACE), 'NOUN']]);
  const u = r.next();
  if (u < 0.35) {
    // the [ADJ] NOUN VERB [ADV] [ADP the PLACE]; half of these use an ambiguous adjective
    const adj: W[] = u < 0.2 ? opt(0.6, () => [[r.pick(PLAIN_ADJ), 'ADJ']]) : [[r.pick(AMBIGUOUS_ADJ), 'ADJ']];
    return [['the', 'DET'], ...adj, [r.pick(NOUN), 'NOUN'], [r.pick(VERB_3SG), 'VERB'], ...adv(0.4), ...pp(0.4)];
  }
  if (u < 0.5) {
    // "the old sleep": the adjective is the subject
    return [['the', 'DET'], [r.pick(AMBIGUOUS_ADJ), 'NOUN'], [r.pick(VERB_BARE), 'VERB'], ...adv(0.4), ...pp(0.4)];
  }
  const head: W[] = [[r.pick(SUBJECT), 'PRON'], [r.pick(SEE), 'VERB']];
  if (u < 0.6) return [...head, ['her', 'DET'], [r.pick(NOUN), 'NOUN'], ...adv(0.4)];
  if (u < 0.7) return [...head, ['her', 'PRON'], [r.pick(VERB_BARE), 'VERB'], ...adv(0.4), ...pp(0.4)];
  const amb = r.pick(AMBIGUOUS_NV);
  if (u < 0.85) return [...head, ['her', 'DET'], [amb, 'NOUN'], [r.pick(VERB_BARE), 'VERB'], ...adv(0.4)];
  return [...head, ['her', 'PRON'], [amb, 'VERB'], [r.pick(ADP), 'ADP'], ['the', 'DET'], [r.pick(PLACE), 'NOUN']];
}

/**
 * The best token accuracy any left-to-right tagger can reach on `exs`: for each prefix (the words
 * up to and including t), the most frequent tag that follows it.
 */
export function leftToRightCeiling(exs: Example[]): number {
  const counts = new Map<string, Map<number, number>>();
  for (const e of exs) {
    let prefix = '';
    e.x.forEach((v, t) => {
      prefix += v[0] + ',';
      const m = counts.get(prefix) ?? new Map<number, number>();
      m.set(e.y[t][0], (m.get(e.y[t][0]) ?? 0) + 1);
      counts.set(prefix, m);
    });
  }
  let best = 0;
  let total = 0;
  for (const m of counts.values()) {
    const vs = [...m.values()];
    best += Math.max(...vs);
    total += vs.reduce((a, b) => a + b, 0);
  }
  return total ? best / total : 1;
}

export function buildTagging(spec: ModelSpec): SeqData {
  const samples = intParam(spec, 'samples', 1, 1_000_000);
  const fraction = validationFraction(spec);
  checkSize(samples * TAG_LENGTH * 2, spec);
  const wid = new Map(TAGGING_VOCAB.map((w, i) => [w, i]));
  const tid = new Map(TAGS.map((t, i) => [t as Tag, i]));
  const rng = new Rng(spec.data.seed);
  const gen = (r: Rng) => {
    const s = sentence(r);
    const padded: W[] = [...s, ...Array.from({ length: TAG_LENGTH - s.length }, (): W => [PAD, 'PAD'])];
    return {
      ex: { x: padded.map(([w]) => [wid.get(w)!]), y: padded.map(([, t]) => [tid.get(t)!]) },
      key: s.map(([w]) => w).join(' '),
    };
  };
  const { train, valid } = generateSplit(rng, samples, fraction, gen);
  const ceiling = leftToRightCeiling([...train, ...valid]);
  return {
    task: 'tagging',
    structure: spec.structure,
    input: { kind: 'tokens', vocab: [...TAGGING_VOCAB] },
    output: { kind: 'classes', classes: [...TAGS] },
    generative: false,
    train,
    valid,
    about:
      `Tag each word (DET, ADJ, NOUN, VERB, ADV, PRON, ADP; PAD on the '<pad>' filler after each sentence, up to ` +
      `${TAG_LENGTH} words). Some tags depend on the NEXT word: 'old/young/poor/rich' is ADJ in "the old man sleeps" but ` +
      `NOUN in "the old sleep", and in "i saw her duck swim" vs "i saw her duck under the table" 'duck'/'fish' is NOUN or ` +
      `VERB and 'her' DET or PRON. A left-to-right model can reach at most about ${(ceiling * 100).toFixed(1)}% token ` +
      `accuracy here (pads included); solved means a bidirectional model near 100%.`,
  };
}

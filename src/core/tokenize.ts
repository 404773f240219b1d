/**
 * Tokenisation and vocabularies for data read from files.
 *
 * Characters are Unicode grapheme clusters of the NFC-normalised text (Intl.Segmenter), so a
 * Korean syllable written as three jamo, a flag or a family emoji stays one token. Words are runs
 * of letters, digits and combining marks (an apostrophe or hyphen between two letters stays inside
 * the word: "don't", "well-known"); every other visible character is a token of its own, and
 * white space separates tokens.
 *
 * A vocabulary is a list of tokens whose index is the token id. The special symbols come first,
 * always in this order: <pad> (0), <unk> (1), and for sequences a decoder writes, <s> and </s>;
 * then the tokens by falling count (ties in code-point order), at most `maxVocab` entries in all,
 * each seen at least `minCount` times. Tokens left out read as <unk>.
 */

export type TokenLevel = 'characters' | 'words';

export interface TokenizerSpec {
  level: TokenLevel;
  /** Words: fold to lower case before counting (Unicode-aware, locale-independent). */
  lowercase: boolean;
}

export const PAD = '<pad>';
export const UNK = '<unk>';
export const START = '<s>';
export const END = '</s>';

let segmenter: Intl.Segmenter | undefined;

/** Pieces segmented at a time: V8's segmenter slows down quadratically on one long string. */
const CHUNK = 256;
/** What can attach to the character before it (Grapheme_Extend is within \p{M}; ZWJ; emoji skin tones). */
const ATTACHES = /^[\p{M}\u200D\u{1F3FB}-\u{1F3FF}]/u;

/**
 * Whether a grapheme cluster always ends between t[i - 1] and t[i]: after a line feed or a
 * printable ASCII character (neither is Prepend, nor CR before LF), unless t[i] attaches to it.
 */
function safeCut(t: string, i: number): boolean {
  const before = t.charCodeAt(i - 1);
  if (!(before === 0x0a || (before >= 0x20 && before < 0x7f))) return false;
  return !ATTACHES.test(String.fromCodePoint(t.codePointAt(i)!));
}

/** Grapheme clusters of the NFC form of `s`. */
export function splitCharacters(s: string): string[] {
  const t = s.normalize('NFC');
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const out: string[] = [];
  // Segment piece by piece, cut where a cluster always ends, so each piece segments exactly as
  // the whole would; with no such place in a window, the rest is one piece.
  let start = 0;
  while (start < t.length) {
    let end = Math.min(t.length, start + CHUNK);
    if (end < t.length) {
      let cut = end;
      while (cut > start && !safeCut(t, cut)) cut--;
      end = cut > start ? cut : t.length;
    }
    // a copy of the piece, not a slice: V8 hands the segmenter a slice's whole parent string
    const piece = Array.from({ length: end - start }, (_, i) => t[start + i]).join('');
    for (const g of segmenter.segment(piece)) out.push(g.segment);
    start = end;
  }
  return out;
}

// A word: letters/digits/marks, optionally joined by a single ' or - (or ’) to more of them.
const WORD = /[\p{L}\p{N}\p{M}]+(?:['’-][\p{L}\p{N}\p{M}]+)*|[^\s\p{L}\p{N}\p{M}]/gu;

/** Words and punctuation of the NFC form of `s` (see the module comment). */
export function splitWords(s: string, lowercase = false): string[] {
  let t = s.normalize('NFC');
  if (lowercase) t = t.toLowerCase();
  return t.match(WORD) ?? [];
}

export function tokenize(s: string, spec: TokenizerSpec): string[] {
  if (spec.level === 'words') return splitWords(s, spec.lowercase);
  const cs = splitCharacters(spec.lowercase ? s.toLowerCase() : s);
  return cs;
}

/** Join tokens back into text the way they were split (words with spaces, characters as they are). */
export function detokenize(tokens: string[], level: TokenLevel): string {
  if (level === 'characters') return tokens.join('');
  let out = '';
  for (const t of tokens) {
    const glue = out === '' || /^[.,;:!?)\]}%]$/.test(t) || /[([{]$/.test(out) ? '' : ' ';
    out += glue + t;
  }
  return out;
}

export interface VocabularyOptions {
  /** Largest vocabulary, specials included. */
  maxVocab?: number;
  /** Tokens seen fewer times are left out (read as <unk>). */
  minCount?: number;
  /** Special symbols placed first, in this order. */
  specials: string[];
}

/** Build a vocabulary from token sequences (see the module comment for the order). */
export function buildVocabulary(seqs: Iterable<string[]>, opts: VocabularyOptions): string[] {
  const counts = new Map<string, number>();
  for (const s of seqs) for (const t of s) counts.set(t, (counts.get(t) ?? 0) + 1);
  const special = new Set(opts.specials);
  const min = opts.minCount ?? 1;
  const ranked = [...counts]
    .filter(([t, n]) => n >= min && !special.has(t))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([t]) => t);
  const room = opts.maxVocab === undefined ? ranked.length : Math.max(0, opts.maxVocab - opts.specials.length);
  return [...opts.specials, ...ranked.slice(0, room)];
}

/** Token ids; a token not in the vocabulary becomes <unk> (or throws when there is none). */
export function encodeTokens(tokens: string[], index: ReadonlyMap<string, number>): number[] {
  const unk = index.get(UNK);
  return tokens.map((t) => {
    const i = index.get(t);
    if (i !== undefined) return i;
    if (unk === undefined) throw new Error(`${JSON.stringify(t)} is not in the vocabulary`);
    return unk;
  });
}

export function indexOf(vocab: readonly string[]): Map<string, number> {
  return new Map(vocab.map((t, i) => [t, i]));
}

/** The tokenizer of data without one (built-in tasks): words when the vocabulary has words, else characters. */
export function impliedTokenizer(vocab: readonly string[]): TokenizerSpec {
  const words = vocab.some((v) => splitCharacters(v).length > 1 && !/^<[^<>]+>$/.test(v));
  return { level: words ? 'words' : 'characters', lowercase: false };
}

/**
 * Typed or file input as token ids of `vocab`, split by `tokenizer` (or the one the vocabulary
 * implies). A token not in the vocabulary reads as <unk> when there is one; otherwise it is an error.
 */
export function readTokens(text: string, vocab: readonly string[], tokenizer?: TokenizerSpec): { tokens: string[]; ids: number[]; unknown: string[] } {
  const tokens = tokenize(text, tokenizer ?? impliedTokenizer(vocab));
  const index = indexOf(vocab);
  const unk = index.get(UNK);
  const unknown: string[] = [];
  const ids = tokens.map((t) => {
    const i = index.get(t);
    if (i !== undefined) return i;
    unknown.push(t);
    if (unk !== undefined) return unk;
    throw new Error(`${JSON.stringify(t)} is not in the vocabulary (${vocab.slice(0, 30).map((v) => JSON.stringify(v)).join(' ')}${vocab.length > 30 ? ' ...' : ''})`);
  });
  return { tokens, ids, unknown };
}

/** Tokenisation and vocabularies (src/core/tokenize.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { END, PAD, START, UNK, buildVocabulary, detokenize, encodeTokens, indexOf, splitCharacters, splitWords, tokenize } from '../../src/core/tokenize';

test('characters are NFC grapheme clusters: Korean syllables from jamo and emoji stay whole', () => {
  // 한 written as three conjoining jamo (NFD) becomes one syllable
  const decomposed = '\u1112\u1161\u11AB\uAD6D'; // 한 (jamo) + 국
  assert.deepEqual(splitCharacters(decomposed), ['한', '국']);
  assert.deepEqual(splitCharacters('e\u0301!'), ['é', '!']);
  const family = '👨‍👩‍👧';
  assert.deepEqual(splitCharacters(`a${family}b🇰🇷`), ['a', family, 'b', '🇰🇷']);
  assert.equal(Array.from(family).length, 5, 'five code points, one grapheme');
});

test('words: letters and digits with inner apostrophes/hyphens, punctuation apart, optional lower case', () => {
  assert.deepEqual(splitWords("Don't stop, well-known 42x!"), ["Don't", 'stop', ',', 'well-known', '42x', '!']);
  assert.deepEqual(splitWords('Hello  WORLD.', true), ['hello', 'world', '.']);
  assert.deepEqual(splitWords('나는 물을 좋아한다.'), ['나는', '물을', '좋아한다', '.']);
  assert.deepEqual(splitWords('   '), []);
  assert.deepEqual(tokenize('Ab', { level: 'characters', lowercase: true }), ['a', 'b']);
  assert.equal(detokenize(['i', 'like', 'tea', '.'], 'words'), 'i like tea.');
  assert.equal(detokenize(['a', ' ', 'b'], 'characters'), 'a b');
});

test('vocabulary: specials first, then by count (ties in code-point order), maxVocab and minCount', () => {
  const seqs = [['b', 'a', 'c', 'a'], ['c', 'a', 'd']];
  assert.deepEqual(buildVocabulary(seqs, { specials: [PAD, UNK] }), [PAD, UNK, 'a', 'c', 'b', 'd']);
  assert.deepEqual(buildVocabulary(seqs, { specials: [PAD, UNK], maxVocab: 4 }), [PAD, UNK, 'a', 'c']);
  assert.deepEqual(buildVocabulary(seqs, { specials: [PAD, UNK, START, END], minCount: 2 }), [PAD, UNK, START, END, 'a', 'c']);
  const v = buildVocabulary(seqs, { specials: [PAD, UNK], maxVocab: 3 });
  assert.deepEqual(encodeTokens(['a', 'zzz', 'c'], indexOf(v)), [2, 1, 1], 'left-out tokens read as <unk>');
  assert.throws(() => encodeTokens(['zzz'], indexOf(['a'])), /not in the vocabulary/);
});

test('long texts are segmented piece by piece exactly as the whole string would be (and in linear time)', () => {
  const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const pieces = ['a', 'b ', '한국어 ', 'e\u0301', '👨‍👩‍👧', '🇰🇷', '\r\n', '\n', '👍🏽', ' \u0301', 'x\u200Dy', '가각', '\u1100\u1161', '.'];
  let r = 7;
  const rnd = () => { r = (r * 48271) % 2147483647; return r / 2147483647; };
  for (let k = 0; k < 20; k++) {
    let s = '';
    while (s.length < 3000) s += pieces[Math.floor(rnd() * pieces.length)];
    assert.deepEqual(splitCharacters(s), [...seg.segment(s.normalize('NFC'))].map((g) => g.segment));
  }
});

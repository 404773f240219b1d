// Writes the example data files under examples/data/ (checked in; nothing is downloaded).
// Deterministic: run `node scripts/make-example-data.mjs` and the files come out byte for byte the same.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'data');

/** mulberry32: a small seeded generator. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)], normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()) };
}

function write(rel, text) {
  const file = join(out, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote examples/data/${rel} (${text.length} characters)`);
}

// --- 1. Daily prices: open, high, low, volume, close (a random walk with drift and volume bursts).
{
  const r = rng(7);
  const rows = ['date,open,high,low,volume,close'];
  let close = 100;
  const day = new Date(Date.UTC(2023, 0, 2));
  for (let i = 0; i < 400; i++) {
    const open = close * (1 + 0.004 * r.normal());
    const change = 0.0006 + 0.012 * r.normal() + 0.004 * Math.sin(i / 9);
    close = Math.max(5, open * (1 + change));
    const high = Math.max(open, close) * (1 + Math.abs(0.005 * r.normal()));
    const low = Math.min(open, close) * (1 - Math.abs(0.005 * r.normal()));
    const volume = Math.round(1_000_000 * (1 + 20 * Math.abs(change)) * (0.8 + 0.4 * r.next()));
    rows.push([day.toISOString().slice(0, 10), open.toFixed(2), high.toFixed(2), low.toFixed(2), volume, close.toFixed(2)].join(','));
    do day.setUTCDate(day.getUTCDate() + 1); while (day.getUTCDay() === 0 || day.getUTCDay() === 6);
  }
  write('prices.csv', rows.join('\n') + '\n');
}

// --- 2. Names by language: one file per language, one name a line (characters decide the language).
{
  const names = {
    English: 'Smith Johnson Williams Brown Taylor Wilson Thompson White Walker Wright Robinson Hughes Edwards Green Hall Wood Harris Clarke Jackson Turner Hill Cooper Ward Morris Baker Parker Bennett Cook Bell Shaw Marshall Fletcher Chapman Webster Blackwood Ashworth',
    Italian: 'Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti Costa Giordano Mancini Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale Serra Coppola Fabbri',
    Japanese: 'Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki Mori Abe Ikeda Hashimoto Ishikawa Ogawa Fujita Okada Goto Hasegawa Murakami Kondo Ishii Saito Sakamoto Endo',
    Korean: 'Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Jeon Hong Yoo Ko Moon Yang Son Bae Baek Heo Nam Shim Noh Ha Kwak Sung Cha Joo Woo Gu Min Ryu',
    German: 'Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schafer Koch Bauer Richter Klein Wolf Schroder Neumann Schwarz Zimmermann Braun Kruger Hofmann Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Kohler Herrmann',
  };
  for (const [lang, list] of Object.entries(names)) write(`names/${lang}.txt`, list.split(' ').join('\n') + '\n');
}

// --- 3. Short reviews (CSV with quoted fields: commas inside the text).
{
  const r = rng(3);
  const subjects = ['the film', 'this phone', 'the hotel', 'the food', 'this book', 'the service', 'the battery', 'the story', 'the room', 'the app'];
  const good = ['great', 'wonderful', 'excellent', 'lovely', 'fantastic', 'good', 'brilliant', 'perfect'];
  const bad = ['terrible', 'awful', 'boring', 'poor', 'bad', 'disappointing', 'horrible', 'dull'];
  const adv = ['really', 'truly', 'quite', 'so', ''];
  const tails = ['', ', would recommend', ', never again', ' and I loved it', ' and I hated it'];
  const rows = ['id,text,label'];
  for (let i = 1; i <= 300; i++) {
    let pos = r.next() < 0.5;
    const negate = r.next() < 0.3;
    const word = (negate ? !pos : pos) ? r.pick(good) : r.pick(bad);
    const a = r.pick(adv);
    let text = `${r.pick(subjects)} was ${negate ? 'not ' : ''}${a ? a + ' ' : ''}${word}`;
    const tail = r.pick(tails);
    // a tail that contradicts the verdict is left out
    if (!((pos && /never again|hated/.test(tail)) || (!pos && /recommend|loved/.test(tail)))) text += tail;
    text = text[0].toUpperCase() + text.slice(1) + (r.next() < 0.5 ? '.' : '!');
    const quoted = text.includes(',') || text.includes('"') ? `"${text.replace(/"/g, '""')}"` : text;
    rows.push(`${i},${quoted},${pos ? 'positive' : 'negative'}`);
  }
  write('reviews.csv', rows.join('\n') + '\n');
}

// --- 4. CoNLL part-of-speech tagging: token<TAB>tag, a blank line between sentences.
{
  const r = rng(11);
  const W = {
    DET: ['the', 'a', 'every', 'this'], ADJ: ['small', 'old', 'green', 'quiet', 'happy', 'tall'],
    NOUN: ['dog', 'teacher', 'river', 'house', 'bird', 'city', 'garden', 'child'], VERB: ['sees', 'likes', 'finds', 'paints', 'follows', 'visits'],
    IVERB: ['sleeps', 'sings', 'waits', 'runs'], ADV: ['slowly', 'today', 'often', 'again'], ADP: ['in', 'near', 'behind', 'under'],
    PRON: ['she', 'he', 'they', 'we'],
  };
  const np = () => [['DET', r.pick(W.DET)], ...(r.next() < 0.5 ? [['ADJ', r.pick(W.ADJ)]] : []), ['NOUN', r.pick(W.NOUN)]];
  const sentences = [];
  for (let i = 0; i < 240; i++) {
    const subj = r.next() < 0.3 ? [['PRON', r.pick(W.PRON)]] : np();
    const vp = r.next() < 0.6 ? [['VERB', r.pick(W.VERB)], ...np()] : [['VERB', r.pick(W.IVERB)]];
    const pp = r.next() < 0.4 ? [['ADP', r.pick(W.ADP)], ...np()] : [];
    const adv = r.next() < 0.3 ? [['ADV', r.pick(W.ADV)]] : [];
    const s = [...subj, ...vp, ...pp, ...adv, ['PUNCT', '.']];
    sentences.push(s.map(([tag, w]) => `${w}\t${tag}`).join('\n'));
  }
  write('pos.conll', sentences.join('\n\n') + '\n');
}

// --- 5. English -> Korean sentence pairs (word level), source<TAB>target.
{
  const subjects = [['I', '나는'], ['you', '너는'], ['he', '그는'], ['she', '그녀는'], ['we', '우리는'], ['they', '그들은']];
  const objects = [['water', '물을'], ['bread', '빵을'], ['apples', '사과를'], ['tea', '차를'], ['books', '책을'], ['music', '음악을']];
  const verbs = [['like', 'likes', '좋아한다'], ['want', 'wants', '원한다'], ['have', 'has', '가지고 있다']];
  const lines = [];
  for (const [es, ks] of subjects) {
    for (const [eo, ko] of objects) {
      for (const [v1, v3, kv] of verbs) {
        const v = es === 'he' || es === 'she' ? v3 : v1;
        lines.push(`${es} ${v} ${eo} .\t${ks} ${ko} ${kv} .`);
      }
    }
  }
  write('en-ko.tsv', lines.join('\n') + '\n');
}

// --- 6. Variable-length sequences: is the LAST digit odd or even? (padding would hide it)
{
  const r = rng(5);
  const rows = ['digits\tlast'];
  for (let i = 0; i < 240; i++) {
    const n = 2 + r.int(9);
    const ds = Array.from({ length: n }, () => r.int(10)).join('');
    rows.push(`${ds}\t${Number(ds[ds.length - 1]) % 2 ? 'odd' : 'even'}`);
  }
  write('last-digit.tsv', rows.join('\n') + '\n');
}

// --- 7. A paragraph for a character model with sliding windows.
write(
  'paragraph.txt',
  "if you want to build a ship, don't drum up people together to collect wood and don't assign them tasks and work, " +
    'but rather teach them to long for the endless immensity of the sea.\n',
);

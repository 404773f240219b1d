/**
 * Free-running metrics of an encoder-decoder: its decoded outputs (greedy, src/core/decode.ts)
 * against the reference targets. Sequences are class ids WITHOUT the end symbol; `finished` says
 * whether the decoder wrote </s> (a data set without an end symbol counts every output as finished).
 *
 *   exact match     = #{ i : hyp_i = ref_i } / N                       (and </s> written when expected)
 *   token accuracy  = sum_i #{ t < |ref_i'| : hyp_i'[t] = ref_i'[t] } / sum_i |ref_i'|
 *                     where s' = s followed by </s> (when the data has one, and the output wrote it):
 *                     position by position, so stopping early or late costs the positions it misses
 *   corpus BLEU-4   = BP * exp( (1/4) sum_{n=1..4} log p_n )            (Papineni et al. 2002)
 *                     p_n = sum_i sum_{g in n-grams(hyp_i)} min(count_hyp_i(g), count_ref_i(g))
 *                           / sum_i #n-grams(hyp_i)                      (clipped, over the whole corpus)
 *                     BP  = 1 if c > r else exp(1 - r / c)   (c, r: total hypothesis and reference lengths)
 *                     smoothing (Chen & Cherry 2014, method 1): a p_n whose clipped count is 0 uses
 *                     0.1 / #n-grams(hyp) instead, so one missing order does not zero the score;
 *                     BLEU is 0 when the hypotheses are empty or none has n tokens for some n <= 4.
 *                     Reported in [0, 1]; computed for word-level targets only (on characters it says little).
 */

export interface SeqPair {
  ref: number[];
  hyp: number[];
  /** Whether the output wrote </s> (default true). */
  finished?: boolean;
}

export function exactMatch(pairs: SeqPair[], hasEnd: boolean): number {
  if (!pairs.length) return NaN;
  const ok = pairs.filter((p) => (!hasEnd || p.finished !== false) && p.hyp.length === p.ref.length && p.hyp.every((v, t) => v === p.ref[t]));
  return ok.length / pairs.length;
}

export function tokenAccuracy(pairs: SeqPair[], hasEnd: boolean): number {
  const END = -1; // a stand-in for </s> that no class id equals
  let hit = 0;
  let total = 0;
  for (const p of pairs) {
    const ref = hasEnd ? [...p.ref, END] : p.ref;
    const hyp = hasEnd && p.finished !== false ? [...p.hyp, END] : p.hyp;
    total += ref.length;
    for (let t = 0; t < ref.length; t++) if (hyp[t] === ref[t]) hit++;
  }
  return total ? hit / total : NaN;
}

function ngramCounts(s: number[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= s.length; i++) {
    const k = s.slice(i, i + n).join(' ');
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

export function corpusBleu(pairs: SeqPair[], maxN = 4): number {
  let c = 0;
  let r = 0;
  const matched = new Array<number>(maxN).fill(0);
  const possible = new Array<number>(maxN).fill(0);
  for (const { ref, hyp } of pairs) {
    c += hyp.length;
    r += ref.length;
    for (let n = 1; n <= maxN; n++) {
      const h = ngramCounts(hyp, n);
      const rc = ngramCounts(ref, n);
      for (const [g, k] of h) matched[n - 1] += Math.min(k, rc.get(g) ?? 0);
      possible[n - 1] += Math.max(0, hyp.length - n + 1);
    }
  }
  if (c === 0) return 0;
  let logP = 0;
  for (let n = 0; n < maxN; n++) {
    if (possible[n] === 0) return 0; // no n-grams of this order at all: every hypothesis is shorter than n
    logP += Math.log((matched[n] || 0.1) / possible[n]) / maxN;
  }
  const bp = c > r ? 1 : Math.exp(1 - r / c);
  return bp * Math.exp(logP);
}

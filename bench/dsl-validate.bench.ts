/**
 * Definition-checker scaling benchmark (not a test): time to check a definition with N unknown
 * keys (or N duplicate keys), for N = 1,000 ... 16,000, and the ratio to N = 1,000 in the same run.
 * A linear checker shows ratios near N / 1000 (the text grows with N); a quadratic one, their square.
 *
 *   node --import tsx bench/dsl-validate.bench.ts
 */
import { parseDefinition } from '../src/core/dsl';

function definition(n: number, kind: 'unknown' | 'duplicate'): string {
  const keys = Array.from({ length: n }, (_, i) => (kind === 'unknown' ? `"k${i}": ${i}` : `"units": ${i + 1}`)).join(',\n');
  return kind === 'unknown'
    ? `{"name": "x", "data": {"task": "hello"}, "layers": [{"cell": "rnn", "units": 4}],\n${keys}}`
    : `{"name": "x", "data": {"task": "hello"}, "layers": [{"cell": "rnn",\n${keys}}]}`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

for (const kind of ['unknown', 'duplicate'] as const) {
  let base = 0;
  for (const n of [1000, 2000, 4000, 8000, 16000]) {
    const text = definition(n, kind);
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      const res = parseDefinition(text);
      times.push(performance.now() - t0);
      if (res.diagnostics.length > 201) throw new Error('diagnostics not capped');
    }
    const ms = median(times);
    if (n === 1000) base = ms;
    console.log(`${kind.padEnd(9)} keys ${String(n).padStart(6)}  ${ms.toFixed(1).padStart(8)} ms  x${(ms / base).toFixed(1)} vs 1,000 (text x${n / 1000})`);
  }
}

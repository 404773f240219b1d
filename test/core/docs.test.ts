/** docs/dsl.md states the schema's limits (issue 15 item 14): every maximum appears in its field's row. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seqlabSchema } from '../../src/core/dsl';

type S = { $ref?: string; properties?: Record<string, S>; items?: S; maximum?: number; maxLength?: number; maxItems?: number };

test('every schema maximum (maximum, maxLength, maxItems) is stated in the field\'s row of docs/dsl.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'dsl.md'), 'utf8');
  const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
  const defs = (seqlabSchema as unknown as { definitions: Record<string, S> }).definitions;
  const limits: [string, number][] = [];
  // rows are named by the key, or `object.key` for the settings objects inside training
  const NESTED = ['clip', 'schedule', 'earlyStopping'];
  const walk = (s: S, key: string) => {
    if (s.$ref) s = defs[s.$ref.split('/').pop()!];
    for (const m of [s.maximum, s.maxLength, s.maxItems]) if (m !== undefined) limits.push([key, m]);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, NESTED.includes(key) ? `${key}.${k}` : k);
    if (s.items) walk(s.items, key);
  };
  walk(seqlabSchema as unknown as S, '');
  assert.ok(limits.length >= 15, `limits found: ${limits.length}`);
  for (const [key, max] of limits) {
    const own = rows.filter((r) => r.startsWith(`| \`${key}\` |`));
    assert.ok(own.length, `no row for ${key}`);
    const forms = [String(max), max.toLocaleString('en-US')];
    assert.ok(own.some((r) => forms.some((f) => r.split('|')[2].includes(f))), `docs/dsl.md: the row of ${key} does not state its maximum ${max}`);
  }
});

// The equations the panel's unrolled view shows (src/core/cells/equations.ts) are the ones the
// cells implement: every line appears in its cell's header comment, and the traced quantities
// are the cell's gates plus c (LSTM) and h.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cellEquations, forDirection } from '../../src/core/cells/equations';
import { makeCell } from '../../src/core/cells';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The comment's ASCII spelling of the math: * for ⊙, sigmoid for σ, - for −, spaces collapsed. */
const ascii = (s: string) => s.replaceAll('⊙', '*').replaceAll('σ', 'sigmoid').replaceAll('−', '-').replace(/\s+/g, ' ').replace(/ \(/g, '(');

for (const cell of ['rnn', 'lstm', 'gru'] as const) {
  test(`${cell}: the unrolled view's equations are the cell's`, () => {
    const header = ascii(readFileSync(join(root, 'src/core/cells', `${cell}.ts`), 'utf8').split('*/')[0]!.replace(/^\s*\*/gm, ' '));
    const lines = cellEquations(cell);
    for (const l of lines) {
      const math = ascii(cell === 'rnn' ? l.math.replace('tanh(', 'act(') : l.math);
      assert.ok(header.includes(math), `${cell}.ts does not say ${JSON.stringify(math)}`);
    }
    const c = makeCell(cell);
    const expected = [...c.gateNames, ...(c.hasCellState ? ['c'] : []), 'h'].sort();
    assert.deepEqual(lines.map((l) => l.term).sort(), expected);
  });
}

test('rnn: the activation is the layer\'s; a backward direction reads h_{t+1}', () => {
  assert.match(cellEquations('rnn', 'relu')[0]!.math, /^h_t = relu\(/);
  const gru = cellEquations('gru');
  assert.equal(forDirection(gru[3]!.math, 'backward'), 'h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t+1}');
  assert.equal(forDirection(gru[3]!.math, 'forward'), gru[3]!.math);
});

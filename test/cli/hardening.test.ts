/** The CLI against hostile workspaces and damaged run records (issue 15). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seqlab, workspace } from '../support/cli';

const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at |TypeError|Cannot read properties/);

test('symlinks: a data.file symlinked (file or folder) outside the workspace is refused by validate and train', () => {
  const ws = workspace();
  const outside = realpathSync(mkdtempSync(join(tmpdir(), 'seqlab-secret-')));
  writeFileSync(join(outside, 'secret.txt'), 'TOP SECRET '.repeat(200));
  mkdirSync(join(ws, 'data'));
  symlinkSync(join(outside, 'secret.txt'), join(ws, 'data', 'notes.txt'));
  symlinkSync(outside, join(ws, 'shared'));
  for (const rel of ['data/notes.txt', 'shared/secret.txt']) {
    writeFileSync(join(ws, 'leak.seqlab.json'), JSON.stringify({ name: 'leak', data: { task: 'text', file: rel }, layers: [{ cell: 'gru', units: 4 }], training: { sequenceLength: 8, steps: 2 } }, null, 2));
    const v = seqlab(['validate', 'leak.seqlab.json'], ws);
    assert.equal(v.code, 1, rel);
    assert.match(v.err, /^leak\.seqlab\.json:\d+:\d+: error: data\.file .*resolves through a symbolic link to .*secret\.txt, outside the workspace root/m);
    const t = seqlab(['train', 'leak.seqlab.json'], ws);
    assert.equal(t.code, 1, rel);
    assert.match(t.err, /outside the workspace root/);
    assert.doesNotMatch(t.out, /Training/);
    noStack(v.err + t.err);
  }
});

test('a data file over the size limit is refused before it is read, with its size, the limit and a remedy for this task', () => {
  const ws = workspace();
  writeFileSync(join(ws, 'big.txt'), 'abcdefghij'.repeat(900_000)); // 9 MB, over 8 MB
  writeFileSync(join(ws, 'big.seqlab.json'), JSON.stringify({ name: 'big', data: { task: 'text', file: 'big.txt' }, layers: [{ cell: 'gru', units: 4 }] }));
  for (const cmd of ['validate', 'train']) {
    const r = seqlab([cmd, 'big.seqlab.json'], ws);
    assert.equal(r.code, 1, cmd);
    assert.match(r.err, /data\.file "?'?big\.txt"?'? is 8\.6 MB, over the 8\.0 MB limit for data files \(refused before reading it\): use a shorter data\.file/, cmd);
    assert.doesNotMatch(r.err, /data\.samples|data\.length/, 'names only fields the text task reads');
  }
});

/** Reading workspace data files: symbolic links resolved and confined, size refused before reading, BOM stripped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { inspectWorkspaceFile, readWorkspaceFile } from '../../src/node/workspaceFile';
import { FileRefusedError } from '../../src/core/paths';
import { parseDefinition } from '../../src/core/dsl';
import { buildDataset } from '../../src/core/tasks';
import { workspaceFileAccess } from '../../src/node/workspaceFile';

function layout() {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'seqlab-ws-')));
  const ws = join(base, 'ws');
  const outside = join(base, 'outside');
  mkdirSync(join(ws, 'data'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'the secret the model must never see '.repeat(20));
  writeFileSync(join(ws, 'data', 'ok.txt'), '\uFEFFhello hello hello hello hello '.repeat(10));
  symlinkSync(join(outside, 'secret.txt'), join(ws, 'data', 'link.txt')); // a symlinked file
  symlinkSync(outside, join(ws, 'linkdir')); // a symlinked folder
  symlinkSync(join(ws, 'data', 'ok.txt'), join(ws, 'inside-link.txt')); // a link that stays inside
  return { ws, outside };
}

test('a symlinked file or folder pointing outside the workspace is refused after resolution', () => {
  const { ws } = layout();
  for (const rel of ['data/link.txt', 'linkdir/secret.txt']) {
    const p = inspectWorkspaceFile(join(ws, rel), ws);
    assert.equal(p?.kind, 'outside', rel);
    assert.match(p!.message, /resolves through a symbolic link to .*outside[/\\]secret\.txt, outside the workspace root/);
    assert.throws(() => readWorkspaceFile(join(ws, rel), ws), (e) => e instanceof FileRefusedError && e.problem.kind === 'outside');
  }
  assert.equal(inspectWorkspaceFile(join(ws, 'inside-link.txt'), ws), undefined, 'a link that stays inside is fine');
  assert.ok(readWorkspaceFile(join(ws, 'inside-link.txt'), ws).startsWith('hello'), 'BOM stripped');
  assert.equal(inspectWorkspaceFile(join(ws, 'nope.txt'), ws)?.kind, 'not-found');
  assert.equal(inspectWorkspaceFile(join(ws, 'data'), ws)?.kind, 'not-a-file');
});

test('a FIFO is not read (no hang): refused as not a regular file', () => {
  const { ws } = layout();
  try {
    execFileSync('mkfifo', [join(ws, 'data', 'pipe.txt')]);
  } catch {
    return; // no mkfifo on this platform
  }
  assert.equal(inspectWorkspaceFile(join(ws, 'data', 'pipe.txt'), ws)?.kind, 'not-a-file');
  assert.throws(() => readWorkspaceFile(join(ws, 'data', 'pipe.txt'), ws), /not a regular file/);
});

test('a data file over the limit is refused by its size before it is read, naming the fields the task reads', () => {
  const { ws } = layout();
  writeFileSync(join(ws, 'data', 'big.txt'), 'x'.repeat(2000));
  const p = inspectWorkspaceFile(join(ws, 'data', 'big.txt'), ws, 1000);
  assert.equal(p?.kind, 'too-large');
  assert.equal(p?.size, 2000);
  assert.throws(() => readWorkspaceFile(join(ws, 'data', 'big.txt'), ws, 1000), (e) => e instanceof FileRefusedError && e.problem.kind === 'too-large');
});

test('the definition checker and the data builder refuse the same symlinked file', () => {
  const { ws } = layout();
  const file = join(ws, 'leak.seqlab.json');
  const text = JSON.stringify({ name: 'leak', data: { task: 'text', file: 'linkdir/secret.txt' }, layers: [{ cell: 'gru', units: 4 }], training: { sequenceLength: 8 } });
  const files = workspaceFileAccess(ws);
  const r = parseDefinition(text, { file, workspaceRoot: ws, inspectFile: files.inspectFile });
  const d = r.diagnostics.find((x) => x.code === 'file-outside-workspace');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.deepEqual(d.path, ['data', 'file']);
  // even if a checker were bypassed, the reader refuses it
  const spec = parseDefinition(text.replace('linkdir/secret.txt', 'data/ok.txt'), { file, workspaceRoot: ws }).spec!;
  assert.ok(buildDataset(spec, { ...files, definitionFile: file, workspaceRoot: ws }).train.length > 0);
  assert.throws(() => buildDataset({ ...spec, data: { ...spec.data, file: 'data/link.txt' } }, { ...files, definitionFile: file, workspaceRoot: ws }), /data\.file 'data\/link\.txt': .*outside the workspace root/);
});

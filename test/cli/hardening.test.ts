/** The CLI against hostile workspaces and damaged run records (issue 15). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
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

function trainedRun(ws: string): { id: string; dir: string } {
  const t = seqlab(['train', 'examples/hello.seqlab.json', '--json', '--steps', '5'], ws);
  assert.equal(t.code, 0, t.err);
  const id = JSON.parse(t.out.trim().split('\n').pop()!).id as string;
  return { id, dir: join(ws, '.seqlab', 'runs', id) };
}

test('damaged run records: every read names the file and what is wrong; no raw JavaScript errors', () => {
  const ws = workspace();
  const { id, dir } = trainedRun(ws);
  const summary = readFileSync(join(dir, 'summary.json'), 'utf8');
  // a BOM is not damage
  writeFileSync(join(dir, 'summary.json'), '\uFEFF' + summary);
  assert.match(seqlab(['runs'], ws).out, new RegExp(`${id}  completed`));
  // truncated summary.json: sample and export say which file is damaged
  writeFileSync(join(dir, 'summary.json'), summary.slice(0, 40));
  for (const args of [['sample', id], ['export', id]]) {
    const r = seqlab(args, ws);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.err, new RegExp(`run ${id} is damaged: .*summary\\.json is not valid JSON`), args.join(' '));
    noStack(r.err);
  }
  assert.match(seqlab(['runs'], ws).out, /BROKEN .*summary\.json is not valid JSON/);
  // a summary with wrong field types
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...JSON.parse(summary), lastLoss: 'low' }));
  assert.match(seqlab(['runs'], ws).out, /BROKEN .*summary\.json: 'lastLoss' must be a number \(got "low"\)/);
  writeFileSync(join(dir, 'summary.json'), summary);
  // a BOM in weights.json and in a weights file given to import is not damage either
  const weights = readFileSync(join(dir, 'weights.json'), 'utf8');
  writeFileSync(join(dir, 'weights.json'), '\uFEFF' + weights);
  const exported = seqlab(['export', id], ws);
  assert.equal(exported.code, 0, exported.err);
  writeFileSync(join(ws, 'bom-weights.json'), '\uFEFF' + exported.out);
  const imported = seqlab(['import', 'examples/hello.seqlab.json', '--weights', 'bom-weights.json'], ws);
  assert.equal(imported.code, 0, imported.err);
  // weights that are not JSON
  writeFileSync(join(dir, 'weights.json'), 'garbage');
  const w = seqlab(['export', id], ws);
  assert.equal(w.code, 1);
  assert.match(w.err, /weights\.json is not a weights file: not valid JSON/);
  noStack(w.err);
  // a weights file given to import that is not JSON names that file
  writeFileSync(join(ws, 'w.json'), '{oops');
  const i = seqlab(['import', 'examples/hello.seqlab.json', '--weights', 'w.json'], ws);
  assert.equal(i.code, 1);
  assert.match(i.err, /^seqlab: w\.json is not a PyTorch state_dict JSON: not valid JSON/m);
  assert.match(seqlab(['import', 'examples/hello.seqlab.json', '--weights', 'nope.json'], ws).err, /'nope\.json' is neither a weights file nor a run/);
  // metrics: damaged lines are skipped, not fatal
  writeFileSync(join(dir, 'metrics.jsonl'), '\uFEFF{"step": 1, "loss": 1}\n[1,2]\n{"step":"x"}\n{"step": 2, "loss"');
  assert.equal(seqlab(['runs'], ws).code, 0);
});

test('--workspace and --out: clear usage errors for a missing folder, a file, a folder or link as output', () => {
  const ws = workspace();
  const { id } = trainedRun(ws);
  const none = seqlab(['runs', '--workspace', '/nonexistent/seqlab'], ws);
  assert.equal(none.code, 2);
  assert.match(none.err, /--workspace \/nonexistent\/seqlab: no such folder/);
  const file = seqlab(['runs', '--workspace', 'examples/hello.seqlab.json'], ws);
  assert.equal(file.code, 2);
  assert.match(file.err, /--workspace examples\/hello\.seqlab\.json is not a folder/);
  assert.equal(seqlab(['validate', 'examples/hello.seqlab.json', '--workspace', '/nonexistent'], ws).code, 2);
  // --out a folder, a symlink, a FIFO: refused, nothing replaced
  const dirOut = seqlab(['export', id, '--out', 'examples'], ws);
  assert.equal(dirOut.code, 2);
  assert.match(dirOut.err, /--out examples is a folder/);
  writeFileSync(join(ws, 'target.txt'), 'keep me');
  symlinkSync(join(ws, 'target.txt'), join(ws, 'link.json'));
  const linkOut = seqlab(['export', id, '--out', 'link.json'], ws);
  assert.equal(linkOut.code, 2);
  assert.match(linkOut.err, /--out link\.json is a symbolic link/);
  assert.ok(lstatSync(join(ws, 'link.json')).isSymbolicLink(), 'the link is untouched');
  assert.equal(readFileSync(join(ws, 'target.txt'), 'utf8'), 'keep me');
  try {
    execFileSync('mkfifo', [join(ws, 'fifo')]);
    const f = seqlab(['export', id, '--out', 'fifo'], ws);
    assert.equal(f.code, 2);
    assert.match(f.err, /--out fifo is a named pipe \(FIFO\)/);
    assert.ok(lstatSync(join(ws, 'fifo')).isFIFO());
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  assert.match(seqlab(['export', id, '--out', 'no/such/dir/w.json'], ws).err, /the folder .* does not exist/);
  assert.equal(seqlab(['export', id, '--out', 'ok.json'], ws).code, 0);
});

test('run ids are matched against the store listing: "", ".", "..", "../x" are refused', () => {
  const ws = workspace();
  trainedRun(ws);
  mkdirSync(join(ws, '.seqlab', 'x'), { recursive: true });
  writeFileSync(join(ws, '.seqlab', 'x', 'weights.json'), '{}');
  for (const bad of ['', '.', '..', '../x', '../../.seqlab/runs/..', 'a/b']) {
    for (const cmd of ['export', 'sample']) {
      const r = seqlab([cmd, bad], ws);
      assert.equal(r.code, 2, `${cmd} ${JSON.stringify(bad)}: ${r.err}`);
      assert.match(r.err, /no run .* in .*\.seqlab[/\\]runs: give a run id as `seqlab runs` lists it/);
    }
  }
});

test('stale locks: a reused PID does not lock the experiment; unlock clears a lock by hand', () => {
  const ws = workspace();
  const { id, dir } = trainedRun(ws);
  const done = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  // the run claims to be written by a live process (this test's), but one that started at another time
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...done, status: 'running', pid: process.pid, host: hostname(), pidStart: { boot: 'another-boot', start: '1' } }));
  assert.match(seqlab(['runs'], ws).out, new RegExp(`${id}  interrupted`));
  const t = seqlab(['train', 'examples/hello.seqlab.json', '--steps', '2'], ws);
  assert.equal(t.code, 0, t.err);
  assert.doesNotMatch(t.err, /already training/);
  // a lock recorded with the PID only (older records) and a live PID: running, until unlocked
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...done, status: 'running', pid: process.pid, host: hostname() }));
  assert.match(seqlab(['train', 'examples/hello.seqlab.json', '--steps', '2'], ws).err, /already training/);
  const refused = seqlab(['unlock', id], ws);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /still being written by process \d+ on this machine/);
  const u = seqlab(['unlock', id, '--force'], ws);
  assert.equal(u.code, 0, u.err);
  assert.match(u.out, /marked interrupted/);
  assert.match(seqlab(['runs'], ws).out, new RegExp(`${id}  interrupted`));
  assert.equal(seqlab(['train', 'examples/hello.seqlab.json', '--steps', '2'], ws).code, 0);
  // a lock from another machine cannot be checked: unlock clears it without --force
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...done, status: 'running', pid: 1, host: 'elsewhere' }));
  assert.equal(seqlab(['unlock', id], ws).code, 0);
  assert.equal(seqlab(['unlock', id], ws).code, 1, 'nothing left to clear');
});

test('memory budget: validate and train refuse what cannot fit at the same field; --memory-budget raises it', () => {
  const ws = workspace();
  writeFileSync(join(ws, 'huge.seqlab.json'), JSON.stringify({ name: 'huge', data: { task: 'parity' }, layers: Array.from({ length: 16 }, () => ({ cell: 'lstm', units: 4096 })) }, null, 2));
  const v = seqlab(['validate', 'huge.seqlab.json'], ws);
  const t = seqlab(['train', 'huge.seqlab.json'], ws);
  assert.equal(v.code, 1);
  assert.equal(t.code, 1);
  const located = /^huge\.seqlab\.json:\d+:\d+: error: training this model needs about .* over the memory budget of 2,048 MB/m;
  assert.match(v.err, located);
  assert.equal(t.err.match(located)?.[0], v.err.match(located)?.[0], 'the same message at the same place');
  assert.doesNotMatch(t.out, /Training/);
  const raised = seqlab(['validate', 'huge.seqlab.json', '--memory-budget', '100000'], ws);
  assert.equal(raised.code, 0, raised.err);
  assert.equal(seqlab(['validate', 'huge.seqlab.json', '--memory-budget', 'lots'], ws).code, 2);
});

test('validate refuses what train refuses, at the field (data the definition cannot be built from)', () => {
  const ws = workspace();
  const text = '{\n  "name": "short",\n  "data": { "task": "text", "text": "abcdef" },\n  "layers": [ { "cell": "gru", "units": 4 } ]\n}\n';
  writeFileSync(join(ws, 'short.seqlab.json'), text);
  const v = seqlab(['validate', 'short.seqlab.json'], ws);
  const t = seqlab(['train', 'short.seqlab.json'], ws);
  assert.equal(v.code, 1, v.out);
  assert.equal(t.code, 1);
  const re = /^short\.seqlab\.json:3:37: error: data\.text is too short/m;
  assert.match(v.err, re);
  assert.match(t.err, re);
});

test('a diverged run records the step that diverged, the one its message names', () => {
  const ws = workspace();
  writeFileSync(join(ws, 'nan.seqlab.json'), JSON.stringify({
    name: 'nan', data: { task: 'adding', length: 20, samples: 64 }, layers: [{ cell: 'rnn', units: 16, activation: 'relu' }],
    training: { optimizer: 'sgd', learningRate: 2, steps: 40, batchSize: 16, logEvery: 40, evalEvery: 40 },
  }));
  const r = seqlab(['train', 'nan.seqlab.json', '--json'], ws);
  assert.equal(r.code, 1, r.err);
  const end = JSON.parse(r.out.trim().split('\n').pop()!);
  assert.equal(end.status, 'failed');
  const named = Number(/at step (\d+):/.exec(end.message)?.[1]);
  assert.ok(named >= 1, end.message);
  assert.equal(end.step, named, 'summary.step is the diverging step');
  const onDisk = JSON.parse(readFileSync(join(ws, '.seqlab', 'runs', end.id, 'summary.json'), 'utf8'));
  assert.equal(onDisk.step, named);
});

test('run records stay in the workspace: a symlinked .seqlab is refused, a symlinked run is not a run', () => {
  const ws = workspace();
  const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'seqlab-elsewhere-')));
  symlinkSync(elsewhere, join(ws, '.seqlab'));
  const t = seqlab(['train', 'examples/hello.seqlab.json', '--steps', '2'], ws);
  assert.equal(t.code, 1);
  assert.match(t.err, /resolves through a symbolic link to .*, outside the workspace root .*: run records are not written there/);
  assert.deepEqual(readdirSync(elsewhere), [], 'nothing written outside');
  noStack(t.err);
  // a run folder that is a link (to a run outside) is not listed, exported or sampled
  const ws2 = workspace();
  const { dir } = trainedRun(ws2);
  const outsideRun = join(elsewhere, 'copied');
  execFileSync('cp', ['-r', dir, outsideRun]);
  symlinkSync(outsideRun, join(ws2, '.seqlab', 'runs', 'linked'));
  assert.doesNotMatch(seqlab(['runs'], ws2).out, /linked/);
  assert.equal(seqlab(['export', 'linked'], ws2).code, 2);
});

test('definitions: a BOM is not content; a FIFO or an oversized file is refused without reading it', () => {
  const ws = workspace();
  writeFileSync(join(ws, 'bom.seqlab.json'), '\uFEFF' + readFileSync(join(ws, 'examples', 'hello.seqlab.json'), 'utf8'));
  assert.equal(seqlab(['validate', 'bom.seqlab.json'], ws).code, 0);
  assert.equal(seqlab(['train', 'bom.seqlab.json', '--steps', '2'], ws).code, 0);
  writeFileSync(join(ws, 'huge.seqlab.json'), '{"name": "x", "description": "' + 'x'.repeat(9 * 1024 * 1024) + '"}');
  const h = seqlab(['validate', 'huge.seqlab.json'], ws);
  assert.equal(h.code, 1);
  assert.match(h.err, /^huge\.seqlab\.json:1:1: error: cannot read the file: 9\.0 MB, over the 8\.0 MB limit for definitions/m);
  try {
    execFileSync('mkfifo', [join(ws, 'pipe.seqlab.json')]);
  } catch {
    return;
  }
  const p = seqlab(['validate', 'pipe.seqlab.json'], ws);
  assert.equal(p.code, 1);
  assert.match(p.err, /cannot read the file: not a regular file/);
});

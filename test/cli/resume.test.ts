/**
 * `seqlab train --resume RUN` and `--init-from RUN|STATE_DICT.json` through the built CLI
 * (dist/cli.js): a resumed run continues with the losses of an uninterrupted one, also after
 * kill -9; bad input is one clear line, exit 1 or 2, and nothing is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

function seqlab(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Shuffled mini-batches and validation: resuming must restore the data order and the RNG too. */
const PARITY = {
  name: 'parity-resume',
  data: { task: 'parity', samples: 96, length: 6, validation: 0.25 },
  layers: [{ cell: 'gru', units: 6 }],
  training: { optimizer: 'rmsprop', learningRate: 0.01, batchSize: 8, steps: 60, logEvery: 3, evalEvery: 6 },
};

function workspace(def: object = PARITY, name = 'p.seqlab.json'): string {
  const ws = mkdtempSync(join(tmpdir(), 'seqlab-resume-'));
  mkdirSync(join(ws, '.vscode'));
  writeFileSync(join(ws, name), JSON.stringify(def, null, 2));
  return ws;
}

interface Row { step: number; loss: number; validLoss?: number; gradNorm?: number }
const rowsOf = (out: string): Row[] => out.trim().split('\n').map((l) => JSON.parse(l)).filter((j) => typeof j.step === 'number' && typeof j.loss === 'number' && !j.event);
const strip = (rows: (Row & { elapsedMs?: number })[]) => rows.map(({ elapsedMs: _e, ...r }) => r);
const metricsFile = (ws: string, id: string): Row[] =>
  readFileSync(join(ws, '.seqlab', 'runs', id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const snapshot = (ws: string) => {
  const dir = join(ws, '.seqlab', 'runs');
  return existsSync(dir) ? readdirSync(dir).sort().map((id) => [id, readdirSync(join(dir, id)).sort().map((f) => `${f}:${readFileSync(join(dir, id, f), 'utf8').length}`)]) : [];
};

/** Start a training process and wait until it reported a row at or past `step`. */
async function trainUntil(ws: string, args: string[], step: number, signal: NodeJS.Signals): Promise<{ id: string; code: number | null }> {
  const child = spawn(process.execPath, [CLI, 'train', ...args, '--json'], { cwd: ws });
  let buf = '';
  let id = '';
  let sent = false;
  child.stdout.on('data', (d) => {
    buf += d;
    for (const l of buf.split('\n').slice(0, -1)) {
      const j = JSON.parse(l);
      if (j.event === 'start') id = j.run;
      if (!sent && typeof j.step === 'number' && j.step >= step) {
        sent = true;
        child.kill(signal);
      }
    }
  });
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return { id, code };
}

test('kill -9, then --resume: the same losses as an uninterrupted run from the checkpoint on; one metrics file', async () => {
  const ws = workspace();
  const full = seqlab(['train', 'p.seqlab.json', '--json'], ws);
  assert.equal(full.code, 0, full.err);
  const expected = rowsOf(full.out);
  const { id } = await trainUntil(ws, ['p.seqlab.json', '--checkpoint-every', '12'], 33, 'SIGKILL');
  const killed = JSON.parse(readFileSync(join(ws, '.seqlab', 'runs', id, 'summary.json'), 'utf8'));
  assert.equal(killed.status, 'running', 'kill -9 left it running on disk');
  const cpStep = killed.checkpointStep as number;
  assert.ok(cpStep >= 24 && cpStep % 12 === 0, `checkpoint step ${cpStep}`);

  const r = seqlab(['train', 'p.seqlab.json', '--resume', id, '--json'], ws);
  assert.equal(r.code, 0, r.err);
  const start = JSON.parse(r.out.split('\n')[0]!);
  assert.equal(start.run, id);
  assert.equal(start.resumedFrom, cpStep);
  const resumed = rowsOf(r.out);
  assert.equal(resumed[0]!.step, cpStep + 3);
  assert.deepEqual(strip(resumed), strip(expected.filter((x) => x.step > cpStep)));
  // the run's metrics: rows up to the checkpoint kept, those after it (trained again) not duplicated
  assert.deepEqual(strip(metricsFile(ws, id)), strip(expected));
  const s = JSON.parse(readFileSync(join(ws, '.seqlab', 'runs', id, 'summary.json'), 'utf8'));
  assert.equal(s.status, 'completed');
  assert.equal(s.step, 60);
  assert.deepEqual(s.resumedAt, [cpStep]);
  // and the final weights are the uninterrupted run's
  const fullId = JSON.parse(full.out.trim().split('\n').pop()!).id;
  const w = (run: string) => JSON.parse(readFileSync(join(ws, '.seqlab', 'runs', run, 'weights.json'), 'utf8')).state_dict;
  assert.deepEqual(w(id), w(fullId));
});

test('Ctrl-C checkpoints at the step it stopped; --resume continues from there', async () => {
  const ws = workspace();
  const full = rowsOf(seqlab(['train', 'p.seqlab.json', '--json'], ws).out);
  const { id, code } = await trainUntil(ws, ['p.seqlab.json'], 9, 'SIGINT');
  assert.equal(code, 130);
  const s = JSON.parse(readFileSync(join(ws, '.seqlab', 'runs', id, 'summary.json'), 'utf8'));
  assert.equal(s.status, 'stopped');
  assert.equal(s.checkpointStep, s.step);
  const r = seqlab(['train', 'p.seqlab.json', '--resume', id, '--json'], ws);
  assert.equal(r.code, 0, r.err);
  const resumed = rowsOf(r.out);
  assert.deepEqual(strip(resumed), strip(full.filter((x) => x.step > s.step)).slice(-resumed.length));
  assert.equal(resumed[resumed.length - 1]!.step, 60);
});

test('--resume refuses, in one line and writing nothing: a completed run, an unknown run, a run with no checkpoint, another experiment', () => {
  const ws = workspace();
  writeFileSync(join(ws, 'q.seqlab.json'), JSON.stringify({ ...PARITY, name: 'other' }));
  const done = seqlab(['train', 'p.seqlab.json', '--json', '--steps', '6'], ws);
  const id = JSON.parse(done.out.trim().split('\n').pop()!).id as string;
  const stopped = JSON.parse(readFileSync(join(ws, '.seqlab', 'runs', id, 'summary.json'), 'utf8'));
  // a second run, marked stopped, whose checkpoint was never written
  const bare = join(ws, '.seqlab', 'runs', 'bare');
  mkdirSync(bare);
  writeFileSync(join(bare, 'summary.json'), JSON.stringify({ ...stopped, id: 'bare', status: 'stopped', checkpointStep: undefined }));
  writeFileSync(join(bare, 'definition.seqlab.json'), JSON.stringify(PARITY));
  const before = snapshot(ws);
  const cases: [string[], RegExp, number][] = [
    [['train', 'p.seqlab.json', '--resume', id], /already completed all its 6 steps.*--init-from/, 1],
    [['train', 'p.seqlab.json', '--resume', 'nope'], /no run 'nope'/, 1],
    [['train', 'p.seqlab.json', '--resume', '../..'], /no run '\.\.\/\.\.'/, 1],
    [['train', 'p.seqlab.json', '--resume', 'bare'], /no checkpoint to resume from/, 1],
    [['train', 'q.seqlab.json', '--resume', 'bare'], /trained p\.seqlab\.json, not q\.seqlab\.json/, 1],
    [['train', 'p.seqlab.json', '--resume', 'bare', '--init-from', id], /cannot be combined/, 2],
  ];
  for (const [args, msg, code] of cases) {
    const r = seqlab(args, ws);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, msg);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    if (code === 1) assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.deepEqual(snapshot(ws), before, `${args.join(' ')} wrote nothing`);
  }
});

test('--init-from a run or a state_dict file warm-starts a new run; names, shapes and vocabulary are checked', () => {
  const hello = (word: string, units = 8) => ({
    name: 'hello', data: { task: 'hello', word }, layers: [{ cell: 'rnn', units }],
    training: { optimizer: 'adam', learningRate: 0.05, batchSize: 1, steps: 60, logEvery: 5, evalEvery: 20 },
  });
  const ws = workspace(hello('hello'), 'h.seqlab.json');
  writeFileSync(join(ws, 'wide.seqlab.json'), JSON.stringify(hello('hello', 12)));
  writeFileSync(join(ws, 'other.seqlab.json'), JSON.stringify(hello('hellp')));
  const first = seqlab(['train', 'h.seqlab.json', '--json'], ws);
  const src = JSON.parse(first.out.trim().split('\n').pop()!);
  const cold = rowsOf(first.out)[0]!.loss;
  const warm = seqlab(['train', 'h.seqlab.json', '--json', '--init-from', src.id, '--steps', '5'], ws);
  assert.equal(warm.code, 0, warm.err);
  const end = JSON.parse(warm.out.trim().split('\n').pop()!);
  assert.notEqual(end.id, src.id);
  assert.equal(end.initFrom, `run ${src.id}`);
  assert.ok(rowsOf(warm.out)[0]!.loss < cold / 10, `starts from the trained weights (${rowsOf(warm.out)[0]!.loss} vs ${cold})`);
  // a state_dict file (as exported) works the same
  const exported = join(ws, 'w.json');
  assert.equal(seqlab(['export', src.id, '--out', exported], ws).code, 0);
  assert.equal(seqlab(['train', 'h.seqlab.json', '--init-from', 'w.json', '--steps', '5'], ws).code, 0);

  const before = snapshot(ws);
  const bad: [string[], RegExp][] = [
    [['train', 'wide.seqlab.json', '--init-from', src.id], /do not fit.*'rnn\.weight_hh_l0' has shape \[8,8\], the model expects \[12,12\]/],
    [['train', 'other.seqlab.json', '--init-from', src.id], /do not fit hello: the input vocabulary differ.*"o" at 3.*"p" at 3/],
    [['train', 'h.seqlab.json', '--init-from', 'missing.json'], /'missing\.json' is neither a weights file nor a run/],
  ];
  writeFileSync(join(ws, 'junk.json'), '{"a": ');
  bad.push([['train', 'h.seqlab.json', '--init-from', 'junk.json'], /junk\.json is not a PyTorch state_dict JSON: not valid JSON/]);
  for (const [args, msg] of bad) {
    const r = seqlab(args, ws);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, msg);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.deepEqual(snapshot(ws), before, `${args.join(' ')} wrote nothing`);
  }
  rmSync(ws, { recursive: true, force: true });
});

test('early stopping from the CLI: says where, keeps the best weights (weights.json = best.json)', () => {
  const def = { ...PARITY, training: { ...PARITY.training, steps: 300, earlyStopping: { patience: 2, minDelta: 10 } } };
  const ws = workspace(def);
  const r = seqlab(['train', 'p.seqlab.json'], ws);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /early stopping at step 18: no improvement for 2 validations; best step 6/);
  assert.match(r.out, /best step 6 \(val_loss/);
  const id = readdirSync(join(ws, '.seqlab', 'runs'))[0]!;
  const dir = join(ws, '.seqlab', 'runs', id);
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  assert.equal(s.status, 'completed');
  assert.deepEqual([s.step, s.bestStep, s.earlyStoppedAt, s.weightsStep], [18, 6, 18, 6]);
  const w = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')).state_dict;
  assert.deepEqual(w('weights.json'), w('best.json'));
});

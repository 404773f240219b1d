import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFixture } from '../support/reference';
import { CLI, ROOT, seqlab, workspace } from '../support/cli';

const FIXTURES = join(ROOT, '..', 'shared', 'fixtures', 'torch');

test('the CLI bundle exists (npm run build)', () => {
  assert.ok(existsSync(CLI), 'dist/cli.js');
});

test('train --json: JSON lines with step and loss, a complete run record', () => {
  const ws = workspace();
  const r = seqlab(['train', 'examples/hello.seqlab.json', '--json', '--steps', '60'], ws);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
  const rows = lines.filter((l) => typeof l.step === 'number' && typeof l.loss === 'number');
  assert.ok(rows.length >= 3);
  assert.ok(rows[rows.length - 1].loss < rows[0].loss, 'loss falls');
  const end = lines[lines.length - 1];
  assert.equal(end.event, 'end');
  assert.equal(end.status, 'completed');
  const dir = join(ws, '.seqlab', 'runs', end.id);
  for (const f of ['definition.seqlab.json', 'metrics.jsonl', 'weights.json', 'summary.json']) assert.ok(existsSync(join(dir, f)), f);
  const weights = JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')).state_dict;
  assert.deepEqual(Object.keys(weights).sort(), ['head.bias', 'head.weight', 'rnn.bias_hh_l0', 'rnn.bias_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l0']);
  assert.deepEqual(weights['rnn.weight_ih_l0'].shape, [8, 4]);
  assert.equal(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').length, rows.length);
});

test('train prints plain lines when piped, and hello reaches near-zero loss', () => {
  const ws = workspace();
  const r = seqlab(['train', 'examples/hello.seqlab.json'], ws);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^step \d+ {2}loss /m);
  assert.doesNotMatch(r.out, /\r/);
  const m = /completed: step (\d+)\/\1, loss ([0-9.e-]+)/.exec(r.out);
  assert.ok(m && Number(m[2]) < 0.01, r.out.slice(-300));
});

test('a run killed midway leaves a readable record marked interrupted', async () => {
  const ws = workspace();
  const child = spawn(process.execPath, [CLI, 'train', 'examples/hello.seqlab.json', '--json', '--steps', '1000000'], { cwd: ws });
  let buf = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d) => {
      buf += d;
      if (buf.split('\n').filter((l) => l.includes('"loss"')).length >= 2) resolve();
    });
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const runs = seqlab(['runs'], ws);
  assert.match(runs.out, /interrupted\s+examples\/hello\.seqlab\.json\s+step \d+\/\d+/);
  const id = readdirSync(join(ws, '.seqlab', 'runs'))[0];
  const metrics = readFileSync(join(ws, '.seqlab', 'runs', id, 'metrics.jsonl'), 'utf8');
  assert.ok(metrics.trim().split('\n').length >= 2, 'its metrics are kept');
});

test('SIGINT stops a run cleanly: status stopped, weights saved', async () => {
  const ws = workspace();
  const child = spawn(process.execPath, [CLI, 'train', 'examples/hello.seqlab.json', '--json', '--steps', '1000000'], { cwd: ws });
  let buf = '';
  let sent = false;
  child.stdout.on('data', (d) => {
    buf += d;
    if (!sent && buf.includes('"loss"')) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(code, 130);
  const end = JSON.parse(buf.trim().split('\n').pop()!);
  assert.equal(end.status, 'stopped');
  assert.ok(existsSync(join(ws, '.seqlab', 'runs', end.id, 'weights.json')));
});

test('Ctrl-C in the middle of a long logEvery stops the run (the loop yields between steps) and checkpoints it', async () => {
  const ws = workspace();
  writeFileSync(join(ws, 'long.seqlab.json'), JSON.stringify({
    name: 'long', data: { task: 'hello' }, layers: [{ cell: 'rnn', units: 8 }],
    training: { batchSize: 1, steps: 10000000, logEvery: 1000000, evalEvery: 10000000 },
  }));
  const child = spawn(process.execPath, [CLI, 'train', 'long.seqlab.json', '--json'], { cwd: ws });
  let buf = '';
  child.stdout.on('data', (d) => {
    if (!buf.includes('"start"') && (buf += d).includes('"start"')) setTimeout(() => child.kill('SIGINT'), 500);
    else buf += d;
  });
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(code, 130);
  const end = JSON.parse(buf.trim().split('\n').pop()!);
  assert.equal(end.status, 'stopped');
  assert.ok(end.step > 0 && end.step < 10000000, `stopped at step ${end.step}`);
  assert.equal(end.checkpointStep, end.step, 'checkpointed where it stopped');
});

test('validate: file:line:col messages, exit 1 on errors, no stack traces', () => {
  const ws = workspace();
  writeFileSync(join(ws, 'bad.seqlab.json'), '{\n  "name": "bad",\n  "data": { "task": "hello" },\n  "layers": [ { "cell": "lstm", "units": 0 } ]\n}\n');
  writeFileSync(join(ws, 'broken.seqlab.json'), '{ "name": "x", ');
  const r = seqlab(['validate', 'bad.seqlab.json', 'broken.seqlab.json', 'missing.seqlab.json', 'examples/hello.seqlab.json'], ws);
  assert.equal(r.code, 1);
  assert.match(r.err, /^bad\.seqlab\.json:4:42: error: .*units/m);
  assert.match(r.err, /^broken\.seqlab\.json:1:\d+: error: /m);
  assert.match(r.err, /^missing\.seqlab\.json:1:1: error: cannot read the file: no such file/m);
  assert.match(r.out, /examples\/hello\.seqlab\.json: ok/);
  assert.doesNotMatch(r.err + r.out, /\n\s+at /, 'no stack trace');
  assert.equal(seqlab(['validate', 'examples/hello.seqlab.json'], ws).code, 0);
});

test('train on an invalid definition: located error, exit 1', () => {
  const ws = workspace();
  writeFileSync(join(ws, 'escape.seqlab.json'), '{"name": "x", "data": {"task": "text", "file": "../../../etc/passwd"}, "layers": [{"cell": "gru", "units": 4}]}');
  const r = seqlab(['train', 'escape.seqlab.json'], ws);
  assert.equal(r.code, 1);
  assert.match(r.err, /escape\.seqlab\.json:1:\d+: error: .*outside the workspace/);
  assert.doesNotMatch(r.err, /\n\s+at /);
});

test('train with a reduce-on-plateau schedule: validation drives the learning rate in the rows; a plateau without validation data is refused', () => {
  const ws = workspace();
  const def = (data: Record<string, unknown>) => JSON.stringify({
    name: 'plateau', data: { task: 'parity', length: 4, samples: 64, ...data }, layers: [{ cell: 'gru', units: 4 }],
    training: { steps: 40, batchSize: 16, logEvery: 5, evalEvery: 5, schedule: { type: 'plateau', patience: 0, factor: 0.5, threshold: 0.5 } },
  }, null, 2);
  writeFileSync(join(ws, 'plateau.seqlab.json'), def({}));
  const r = seqlab(['train', 'plateau.seqlab.json', '--json'], ws);
  assert.equal(r.code, 0, r.err);
  const rows = r.out.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => typeof l.step === 'number' && !l.event);
  assert.equal(rows.length, 8);
  const lrs = rows.map((x) => x.learningRate as number);
  assert.equal(lrs[0], 0.01);
  assert.ok(lrs.every((v, i) => i === 0 || v <= lrs[i - 1]), `never rises: ${lrs}`);
  assert.ok(lrs[lrs.length - 1] < 0.01, `a 50% improvement every validation cannot last: the rate was cut (${lrs})`);
  const text = seqlab(['train', 'plateau.seqlab.json', '--steps', '10'], ws);
  assert.match(text.out, /step 5 .* lr 0\.0100/);
  writeFileSync(join(ws, 'noval.seqlab.json'), def({ validation: 0 }));
  const bad = seqlab(['train', 'noval.seqlab.json'], ws);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /noval\.seqlab\.json:\d+:\d+: error: a "plateau" schedule .* data\.validation is 0/);
  assert.doesNotMatch(bad.err, /\n\s+at /);
});

test('verify-torch: every shared fixture passes; unseen sizes pass; a corrupted one fails', () => {
  const r = seqlab(['verify-torch', FIXTURES]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal((r.out.match(/^PASS /gm) ?? []).length, readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).length);
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-fx-'));
  writeFileSync(join(dir, 'gru_3layer.json'), JSON.stringify(makeFixture('gru_3layer', { type: 'GRU', input_size: 3, hidden_size: 6, num_layers: 3, bidirectional: false, bias: true }, 2, 5, 3, true)));
  writeFileSync(join(dir, 'lstm_bi.json'), JSON.stringify(makeFixture('lstm_bi', { type: 'LSTM', input_size: 5, hidden_size: 3, num_layers: 2, bidirectional: true, bias: true }, 3, 4, 9, false)));
  const u = seqlab(['verify-torch', dir]);
  assert.equal(u.code, 0, u.out + u.err);
  assert.match(u.out, /PASS gru_3layer/);
  const fx = JSON.parse(readFileSync(join(FIXTURES, 'lstm_1layer.json'), 'utf8'));
  fx.output.data[0] += 0.5;
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(fx));
  const b = seqlab(['verify-torch', join(dir, 'bad.json')]);
  assert.equal(b.code, 1);
  assert.match(b.out, /FAIL .*\n\s+! output/);
  writeFileSync(join(dir, 'junk.json'), '{nope');
  const j = seqlab(['verify-torch', join(dir, 'junk.json')]);
  assert.equal(j.code, 1);
  assert.doesNotMatch(j.err, /\n\s+at /);
});

test('verify-torch: every PyTorch training trajectory passes on cpu and wasm; a corrupted one fails', () => {
  const TRAJECTORIES = join(ROOT, '..', 'shared', 'fixtures', 'torch-train');
  const n = readdirSync(TRAJECTORIES).filter((f) => f.endsWith('.json')).length;
  assert.ok(n >= 8);
  for (const backend of ['cpu', 'wasm']) {
    const r = seqlab(['verify-torch', TRAJECTORIES, '--backend', backend]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal((r.out.match(/^PASS .*\(trajectory, \d+ steps/gm) ?? []).length, n);
    assert.match(r.out, /losses \(worst at step \d+ of 20\)/);
  }
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-traj-'));
  const fx = JSON.parse(readFileSync(join(TRAJECTORIES, 'lstm_m2m_ce_adam_none.json'), 'utf8'));
  fx.losses[7] *= 1.01;
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(fx));
  const b = seqlab(['verify-torch', join(dir, 'bad.json')]);
  assert.equal(b.code, 1);
  assert.match(b.out, /FAIL .*\n\s+! losses \(worst at step 8 of 20\)/);
  fx.definition.training.optimizer = 'adagrad';
  writeFileSync(join(dir, 'baddef.json'), JSON.stringify(fx));
  const d = seqlab(['verify-torch', join(dir, 'baddef.json')]);
  assert.equal(d.code, 1);
  assert.match(d.err, /baddef\.json: error: the fixture's definition is not valid:\n.*:\d+:\d+: error: .*training\.optimizer/);
  assert.doesNotMatch(d.err, /\n\s+at /);
});

test('verify-torch: the packed-sequence and attention fixtures pass on cpu and wasm; an attention fixture that disagrees fails', () => {
  const shared = join(FIXTURES, '..');
  for (const backend of ['cpu', 'wasm']) {
    const r = seqlab(['verify-torch', join(shared, 'torch-packed'), join(shared, 'torch-attention'), '--backend', backend]);
    assert.equal(r.code, 0, r.out + r.err);
    const n = ['torch-packed', 'torch-attention'].reduce((a, d) => a + readdirSync(join(shared, d)).filter((f) => f.endsWith('.json')).length, 0);
    assert.equal((r.out.match(/^PASS /gm) ?? []).length, n);
    assert.match(r.out, /PASS packed_rnn_tanh .*lengths 5 2 4/);
    assert.match(r.out, /PASS attn_gru_bahdanau .*bahdanau attention.*\n\s+logits .*\n\s+attention_weights/);
  }
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-afx-'));
  const fx = JSON.parse(readFileSync(join(shared, 'torch-attention', 'attn_gru_bahdanau.json'), 'utf8'));
  fx.attention_weights.data[1] += 0.1;
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(fx));
  const b = seqlab(['verify-torch', join(dir, 'bad.json')]);
  assert.equal(b.code, 1);
  assert.match(b.out, /FAIL .*\n(.*\n)*\s+! attention_weights/);
  fx.source_lengths = [0, 9];
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(fx));
  const c = seqlab(['verify-torch', join(dir, 'bad.json')]);
  assert.equal(c.code, 1);
  assert.match(c.err, /bad\.json: error: attn_gru_bahdanau: 'source_lengths' must hold 2 integers between 1 and 5/);
  assert.doesNotMatch(c.err, /\n\s+at /);
});

test('train: an encoder-decoder with attention and a bidirectional encoder trains from the CLI', () => {
  const ws = workspace();
  const t = seqlab(['train', 'examples/reverse-attention.seqlab.json', '--json', '--steps', '20'], ws);
  assert.equal(t.code, 0, t.err);
  const end = JSON.parse(t.out.trim().split('\n').pop()!);
  assert.equal(end.status, 'completed');
  const weights = JSON.parse(readFileSync(join(ws, '.seqlab', 'runs', end.id, 'weights.json'), 'utf8'));
  const names = Object.keys(weights.state_dict ?? weights);
  for (const n of ['attention.query.weight', 'attention.key.weight', 'attention.energy.bias', 'bridge.h_l0.weight', 'encoder.weight_ih_l0_reverse']) assert.ok(names.includes(n), n);
  // validation is free-running as well as teacher-forced
  const rows = t.out.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => typeof l.validLoss === 'number' && l.event === undefined);
  assert.ok(rows.length >= 1);
  for (const r of rows) for (const k of ['validExactMatch', 'validTokenAccuracy']) assert.ok(r[k] >= 0 && r[k] <= 1, `${k} in ${JSON.stringify(r)}`);
  assert.equal(rows[0].validBleu, undefined, 'no BLEU on letters');

  // predict: greedy writes as many letters as it reads (no end symbol); attention rows over the source
  const g = seqlab(['predict', end.id, '--text', 'abcdefgh'], ws);
  assert.equal(g.code, 0, g.err);
  const greedy = JSON.parse(g.out);
  assert.equal(greedy.tokens.length, 8);
  assert.equal(greedy.attention.length, 8);
  assert.equal(greedy.attention[0].length, 8);
  const b = seqlab(['predict', end.id, '--text', 'abcdefgh', '--beam', '3'], ws);
  assert.equal(b.code, 0, b.err);
  const beam = JSON.parse(b.out);
  assert.equal(beam.alternatives.length, 3);
  assert.ok(beam.alternatives[0].score >= beam.alternatives[2].score);
  assert.deepEqual(beam.tokens, beam.alternatives[0].tokens);
  assert.ok(beam.logProb >= greedy.logProb - 1e-4, 'the beam finds a sequence at least as likely as greedy (equal lengths)');
  const s1 = seqlab(['predict', end.id, '--text', 'abcdefgh', '--sample', '--temperature', '2', '--seed', '5'], ws);
  const s2 = seqlab(['predict', end.id, '--text', 'abcdefgh', '--sample', '--temperature', '2', '--seed', '5'], ws);
  assert.equal(s1.code, 0, s1.err);
  assert.equal(s1.out, s2.out, 'seeded sampling is reproducible');
  const bad = seqlab(['predict', end.id, '--text', 'abc', '--beam', '0'], ws);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--beam must be a whole number from 1 to 100 \(the beam width\) \(got '0'\)/);
  const both = seqlab(['predict', end.id, '--text', 'abc', '--beam', '2', '--sample'], ws);
  assert.equal(both.code, 2);
  assert.match(both.err, /--beam and --sample do not go together/);
});

test('export -> import round-trips PyTorch-named weights', () => {
  const ws = workspace();
  const t = seqlab(['train', 'examples/hello.seqlab.json', '--json', '--steps', '100'], ws);
  const end = JSON.parse(t.out.trim().split('\n').pop()!);
  const out = join(ws, 'hello.pt.json');
  const e = seqlab(['export', end.id, '--format', 'torch-json', '--out', out], ws);
  assert.equal(e.code, 0, e.err);
  const sd = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(sd['head.weight'].shape, [4, 8]);
  const i = seqlab(['import', 'examples/hello.seqlab.json', '--weights', out], ws);
  assert.equal(i.code, 0, i.err);
  const m = /as run (\S+); validation loss ([0-9.e-]+), accuracy 100\.0%/.exec(i.out);
  assert.ok(m, i.out);
  const again = join(ws, 'again.json');
  seqlab(['export', m[1], '--format', 'torch-json', '--out', again], ws);
  assert.deepEqual(JSON.parse(readFileSync(again, 'utf8')), sd, 'identical after the round trip');
  sd['head.weight'].shape = [8, 4];
  writeFileSync(out, JSON.stringify(sd));
  const bad = seqlab(['import', 'examples/hello.seqlab.json', '--weights', out], ws);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /'head.weight' has shape \[8,4\], the model expects \[4,8\]/);
});

test('usage errors exit 2 with the usage text', () => {
  const r = seqlab(['train']);
  assert.equal(r.code, 2);
  assert.match(r.err, /Usage:/);
  assert.equal(seqlab(['frobnicate']).code, 2);
  assert.equal(seqlab(['train', 'examples/hello.seqlab.json', '--steps', '-3']).code, 2);
});

test('train picks its backend by measuring (auto, the default) and says why; --backend names one; the end line gives steps/s', () => {
  const ws = workspace();
  const env = { ...process.env, SEQLAB_CACHE_DIR: join(ws, 'cache') };
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, encoding: 'utf8', timeout: 120_000, env });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const a = run(['train', 'examples/hello.seqlab.json', '--steps', '20']);
  assert.equal(a.code, 0, a.err);
  assert.match(a.out, /on (wasm|cpu) \(auto: fastest: (wasm|cpu) [0-9.]+ steps\/s vs (wasm|cpu) [0-9.]+ steps\/s on this model \(measured now\)\)/);
  assert.match(a.out, /completed: step 20\/20, .* in [0-9.]+s \([0-9]+ steps\/s on (wasm|cpu)\)/);
  assert.ok(existsSync(join(ws, 'cache', 'backend-probe.json')), 'the measurement is cached');
  const b = run(['train', 'examples/hello.seqlab.json', '--steps', '20', '--json']);
  const start = JSON.parse(b.out.split('\n')[0]);
  assert.match(start.backendReason, /measured earlier on this machine/);
  const end = JSON.parse(b.out.trim().split('\n').pop()!);
  assert.ok(end.stepsPerSecond > 0);
  // a stale figure (as if probed on a machine busy with builds: 2 steps/s) is dropped by the first
  // run that trains for a second, and the next run measures again
  const cacheFile = join(ws, 'cache', 'backend-probe.json');
  const cached = JSON.parse(readFileSync(cacheFile, 'utf8'));
  for (const e of Object.values(cached) as { results: { msPerStep: number; stepsPerSecond: number }[] }[]) {
    for (const r of e.results) Object.assign(r, { msPerStep: 500, stepsPerSecond: 2 });
    delete (e as { load?: number }).load; // the load rule is tested in test/core/backendProbe.test.ts
  }
  writeFileSync(cacheFile, JSON.stringify(cached));
  const s = run(['train', 'examples/hello.seqlab.json', '--steps', '4000']);
  assert.equal(s.code, 0, s.err);
  assert.match(s.out, /measured earlier on this machine/);
  assert.match(s.err, /note: backend probe: the run trained at [0-9]+ steps\/s on (wasm|cpu), the probe had measured 2: measured again next time/);
  assert.deepEqual(JSON.parse(readFileSync(cacheFile, 'utf8')), {});
  assert.match(run(['train', 'examples/hello.seqlab.json', '--steps', '5']).out, /\(measured now\)/);
  const c = run(['train', 'examples/hello.seqlab.json', '--steps', '5', '--backend', 'cpu']);
  assert.match(c.out, /on cpu, 5 steps/);
  const d = run(['train', 'examples/hello.seqlab.json', '--backend', 'gpu']);
  assert.equal(d.code, 2);
  assert.match(d.err, /--backend must be auto or wasm or cpu \(got 'gpu'\)/);
});

/**
 * `seqlab export ... --format pytorch`: the exported project, run by PyTorch itself
 * (/usr/bin/python3 with python3-torch, which .ci/run installs), trains as Sequence Lab does.
 * These tests never skip: without PyTorch they fail and say what to install.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { loadDefinition } from '../../src/node/trainRun';
import { useBackend } from '../../src/node/backend';
import { Trainer } from '../../src/core/train';
import { parseStateDictJson } from '../../src/core/stateDict';
import * as tf from '../../src/core/tf';
import type { ModelSpec } from '../../src/core/spec';
import { ExportRefused, pytorchUnsupported, writePytorchProject } from '../../src/node/export/pytorch';
import { define } from '../support/spec';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const PYTHON = '/usr/bin/python3';
const TORCHRUN = '/usr/bin/torchrun';
/** Relative error allowed on every logged loss (the bound). */
const TOL = 1e-4;

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  return { code: r.status, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}
const seqlab = (args: string[], cwd: string) => run(process.execPath, [CLI, ...args], cwd);

interface Row { step: number; loss: number; validLoss?: number; gradNorm?: number; learningRate?: number; validExactMatch?: number; validTokenAccuracy?: number }
function rows(out: string): Row[] {
  return out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
    .filter((r) => typeof r.step === 'number' && typeof r.loss === 'number' && r.event === undefined);
}

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), 1e-12);
}

function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'seqlab-export-'));
  mkdirSync(join(ws, '.vscode'));
  cpSync(join(ROOT, 'examples'), join(ws, 'examples'), { recursive: true });
  return ws;
}

/** Write a variant of an example (deep-merged overrides) as a new definition; returns its path. */
function variant(ws: string, name: string, base: string, over: Record<string, unknown>): string {
  const text = readFileSync(join(ws, 'examples', `${base}.seqlab.json`), 'utf8');
  const def = parseJsonc(text) as Record<string, unknown>;
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(b)) {
      if (v && typeof v === 'object' && !Array.isArray(v) && a[k] && typeof a[k] === 'object') merge(a[k] as Record<string, unknown>, v as Record<string, unknown>);
      else a[k] = v;
    }
    return a;
  };
  const file = join('examples', `${name}.seqlab.json`);
  writeFileSync(join(ws, file), JSON.stringify(merge(def, { name, ...over }), null, 2));
  return file;
}

function exportProject(ws: string, target: string, name: string): string {
  const dir = join(ws, 'out', name);
  const r = seqlab(['export', target, '--format', 'pytorch', '--out', dir], ws);
  assert.equal(r.code, 0, r.err);
  return dir;
}

/** `seqlab train FILE --steps N --json --backend cpu` and the exported `train.py --steps N --json`: every logged step. */
function compareTraining(ws: string, file: string, name: string, steps = 30): { ours: Row[]; theirs: Row[]; worst: number; ourEnd: Record<string, unknown>; theirEnd: Record<string, unknown> } {
  const dir = exportProject(ws, file, name);
  const a = seqlab(['train', file, '--steps', String(steps), '--json', '--backend', 'cpu'], ws);
  assert.equal(a.code, 0, a.err);
  const b = run(PYTHON, [join(dir, 'train.py'), '--steps', String(steps), '--json'], ws);
  assert.equal(b.code, 0, `${name}: train.py failed\n${b.err.slice(-2000)}`);
  const ours = rows(a.out);
  const theirs = rows(b.out);
  assert.ok(ours.length >= 1, `${name}: no rows from seqlab train`);
  assert.deepEqual(theirs.map((r) => r.step), ours.map((r) => r.step), `${name}: the same logged steps`);
  let worst = 0;
  ours.forEach((r, i) => {
    const e = relErr(r.loss, theirs[i].loss);
    worst = Math.max(worst, e);
    assert.ok(e <= TOL, `${name} step ${r.step}: loss ${r.loss} (Sequence Lab) vs ${theirs[i].loss} (PyTorch), relative error ${e.toExponential(2)}`);
    assert.ok(relErr(r.learningRate!, theirs[i].learningRate!) <= 1e-9, `${name} step ${r.step}: learning rate ${r.learningRate} vs ${theirs[i].learningRate}`);
    if (r.validLoss !== undefined) {
      const v = relErr(r.validLoss, theirs[i].validLoss!);
      assert.ok(v <= TOL, `${name} step ${r.step}: validLoss ${r.validLoss} vs ${theirs[i].validLoss} (${v.toExponential(2)})`);
    }
    // an encoder-decoder's free-running (greedy) validation: train.py reports it too, with the same figures
    for (const k of ['validExactMatch', 'validTokenAccuracy'] as const) {
      if (r[k] === undefined) continue;
      assert.equal(typeof theirs[i][k], 'number', `${name} step ${r.step}: train.py reports ${k}`);
      assert.ok(Math.abs(r[k]! - theirs[i][k]!) <= 0.02, `${name} step ${r.step}: ${k} ${r[k]} (Sequence Lab) vs ${theirs[i][k]} (PyTorch)`);
    }
  });
  const end = (out: string) => JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
  return { ours, theirs, worst, ourEnd: end(a.out), theirEnd: end(b.out) };
}

test('PyTorch is installed for /usr/bin/python3 (.ci/run installs python3-torch)', () => {
  const r = run(PYTHON, ['-c', 'import torch; print(torch.__version__)'], ROOT);
  assert.equal(r.code, 0, `the PyTorch parity tests need ${PYTHON} with torch: apt-get install -y --no-install-recommends python3-torch libopenblas0-pthread\n${r.err}`);
  assert.ok(existsSync(CLI), 'dist/cli.js (npm run build)');
});

test('hello: the exported project reproduces seqlab train --steps 30 --json, step for step', (t) => {
  const ws = workspace();
  const { ours, worst } = compareTraining(ws, 'examples/hello.seqlab.json', 'hello');
  t.diagnostic(`${ours.length} logged steps, worst relative error of the loss ${worst.toExponential(2)}`);
  assert.equal(ours.length, 6, 'hello logs every 5 steps');
  assert.ok(worst <= TOL);
  const dir = join(ws, 'out', 'hello');
  for (const f of ['model.py', 'train.py', 'data.json', 'initial_weights.json', 'definition.seqlab.json', 'README.md']) assert.ok(existsSync(join(dir, f)), f);
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  assert.match(readme, /torchrun --nproc_per_node/);
  assert.match(readme, /seqlab import examples\/hello\.seqlab\.json --weights checkpoints\/weights\.json/);
});

// Each cell, structure, optimizer, data kind; layers that differ, bidirectional merges, a learned
// initial state, the position feature, truncated BPTT, both kinds of clipping.
const CASES: { name: string; base: string; over?: Record<string, unknown>; end?: 'early' }[] = [
  { name: 'adding-lstm', base: 'adding-lstm' }, // real -> real, many-to-one, LSTM, clip norm
  { name: 'parity-sgd', base: 'parity', over: { training: { optimizer: 'sgd', learningRate: 0.5, batchSize: 16, evalEvery: 10, schedule: { type: 'exponential', gamma: 0.97 } }, data: { samples: 200 }, initialState: 'random' } }, // binary, many-to-many, tf.randomNormal's initial states
  { name: 'spell-nesterov', base: 'spell', over: { training: { optimizer: 'momentum', learningRate: 0.1, nesterov: true, weightDecay: 0.001, clip: { type: 'value', threshold: 0.05 }, schedule: { type: 'step', stepSize: 10, gamma: 0.5 } } } }, // one-to-many, GRU, clip value
  { name: 'reverse-seq2seq', base: 'reverse-seq2seq', over: { data: { samples: 300 }, layers: [{ cell: 'gru', units: 24 }], decoder: { layers: [{ cell: 'gru', units: 24 }] } } }, // encoder-decoder, embeddings
  { name: 'tagger-rmsprop', base: 'tagger-bilstm', over: { data: { samples: 300 }, training: { optimizer: 'rmsprop', learningRate: 0.003, momentum: 0.5, centered: true } } },
  { name: 'adding-adamw', base: 'adding-rnn', over: { data: { samples: 300, length: 20 }, training: { optimizer: 'adamw', weightDecay: 0.05, schedule: { type: 'cosine', warmupSteps: 5, warmupStartFactor: 0.2, minLr: 0.001 } }, head: { dropout: 0.2 } } }, // RNN, many-to-one
  // rows at multiples of 7 and of 5, early stopping after two validations without a 0.01 improvement
  { name: 'sine-early', base: 'sine-forecast', over: { data: { samples: 200 }, training: { logEvery: 7, evalEvery: 5, earlyStopping: { patience: 2, minDelta: 0.01 }, schedule: { type: 'plateau', factor: 0.5, patience: 0, threshold: 0.05 } } }, end: 'early' },
  {
    name: 'sentiment-stack', base: 'sentiment', over: {
      data: { samples: 300 }, initialState: 'learned', input: { encoding: 'embedding', embeddingSize: 8, positionFeature: true },
      layers: [{ cell: 'gru', units: 12, bidirectional: true, merge: 'sum' }, { cell: 'rnn', units: 10, activation: 'relu', bias: false }, { cell: 'lstm', units: 6, bidirectional: true, merge: 'avg' }],
    },
  },
  { name: 'tagger-dropout', base: 'tagger-bilstm', over: { data: { samples: 200 }, layers: [{ cell: 'lstm', units: 16, bidirectional: true, dropout: 0.3 }, { cell: 'gru', units: 12, dropout: 0.2 }], head: { dropout: 0.1 } } }, // tf.dropout's masks
  // sequences of different lengths in a batch (PyTorch's packed sequences, masked loss), data read from files
  { name: 'pos-conll-b8', base: 'pos-conll', over: { training: { batchSize: 8, logEvery: 5, evalEvery: 10 } } },
  { name: 'en-ko-b8', base: 'en-ko-translate', over: { training: { batchSize: 8, logEvery: 5, evalEvery: 10 } } },
  // attention: bahdanau with the linear bridge from a bidirectional encoder; luong-general with the sum
  // bridge (LSTM); bahdanau over sequences of different lengths with dropout in a two-layer decoder
  { name: 'reverse-attention', base: 'reverse-attention', over: { data: { samples: 300 } } },
  { name: 'attention-luong', base: 'reverse-attention', over: { data: { samples: 300 }, layers: [{ cell: 'lstm', units: 16, bidirectional: true }], decoder: { layers: [{ cell: 'lstm', units: 16 }], attention: 'luong-general', bridge: 'sum' } } },
  {
    name: 'attention-lengths', base: 'en-ko-translate', over: {
      training: { batchSize: 8, logEvery: 5, evalEvery: 10 }, layers: [{ cell: 'lstm', units: 16, dropout: 0.2 }, { cell: 'lstm', units: 16 }],
      decoder: { layers: [{ cell: 'lstm', units: 16, dropout: 0.25 }, { cell: 'lstm', units: 16 }], attention: 'bahdanau' },
    },
  },
  { name: 'char-gru', base: 'char-gru', over: { layers: [{ cell: 'lstm', units: 24 }] } }, // text file, truncated BPTT
];

for (const c of CASES) {
  test(`${c.name}: the exported project reproduces seqlab train --steps 30 --json`, (t) => {
    const ws = workspace();
    const file = c.over ? variant(ws, c.name, c.base, c.over) : `examples/${c.base}.seqlab.json`;
    const { ours, theirs, worst, ourEnd, theirEnd } = compareTraining(ws, file, c.name);
    t.diagnostic(`${ours.length} logged steps, worst relative error of the loss ${worst.toExponential(2)}`);
    const freeRunning = ours.filter((r) => r.validExactMatch !== undefined);
    if (freeRunning.length) {
      const last = freeRunning.length - 1;
      t.diagnostic(`free-running validation, last: exact match ${freeRunning[last].validExactMatch} / ${theirs.find((r) => r.step === freeRunning[last].step)?.validExactMatch} (PyTorch), token accuracy ${freeRunning[last].validTokenAccuracy} / ${theirs.find((r) => r.step === freeRunning[last].step)?.validTokenAccuracy}`);
    }
    if (['reverse-seq2seq', 'en-ko-b8', 'reverse-attention'].includes(c.name)) assert.ok(freeRunning.length > 0, 'an encoder-decoder validates free-running');
    assert.ok(worst <= TOL);
    if (c.over?.training && (c.over.training as { schedule?: unknown }).schedule) {
      assert.ok(new Set(ours.map((r) => r.learningRate)).size > 1, 'the schedule changes the learning rate');
    }
    if (c.end === 'early') {
      assert.ok(ours[ours.length - 1].step < 30, 'the run stops early');
      assert.match(String(ourEnd.message), /^Stopped early at step \d+/);
      const said = (m: unknown) => /^Stopped early at step (\d+): .* Kept the weights of step (\d+) \(validation loss ([0-9.e+-]+)\)\.$/.exec(String(m))!;
      const [o, p] = [said(ourEnd.message), said(theirEnd.message)];
      assert.ok(o && p, `${ourEnd.message} / ${theirEnd.message}`);
      assert.deepEqual(p.slice(1, 3), o.slice(1, 3), 'stopped at the same step, keeping the same step\'s weights');
      assert.equal(theirs.length, ours.length);
    }
  });
}

test("the exported model's outputs on the validation set equal Sequence Lab's", async (t) => {
  const ws = workspace();
  const file = variant(ws, 'tagger-out', 'tagger-bilstm', { data: { samples: 200 }, initialState: 'learned', input: { positionFeature: true } });
  const dir = exportProject(ws, file, 'tagger-out');
  const script = [
    'import json, sys, torch',
    `sys.path.insert(0, ${JSON.stringify(dir)})`,
    'from model import build_model, read_state_dict',
    'import train',
    `data = json.load(open(${JSON.stringify(join(dir, 'data.json'))}))`,
    'm = build_model(); m.load_state_dict(read_state_dict(' + JSON.stringify(join(dir, 'initial_weights.json')) + '), strict=True)',
    's = train.as_tensors(data["valid"], data)',
    'with torch.no_grad(): logits, _ = m(s["x"], decoder_input=s["dec"], out_steps=s["y"].shape[1])',
    'print(json.dumps(logits.tolist()))',
  ].join('\n');
  const r = run(PYTHON, ['-c', script], ws);
  assert.equal(r.code, 0, r.err);
  const theirs = JSON.parse(r.out) as number[][][]; // [B, T, O]
  await useBackend('cpu');
  const loaded = loadDefinition(join(ws, file));
  const trainer = new Trainer(loaded.spec, loaded.data);
  try {
    trainer.loadStateDict(parseStateDictJson(readFileSync(join(dir, 'initial_weights.json'), 'utf8')));
    const valid = loaded.data.valid;
    const batch = trainer.model.makeBatch(valid);
    const logits = tf.tidy(() => trainer.model.forward(batch).logits);
    const ours = (await logits.array()) as number[][]; // time-major rows t * B + b
    logits.dispose();
    batch.dispose();
    assert.equal(theirs.length, valid.length);
    let worst = 0;
    for (let b = 0; b < valid.length; b++) {
      for (let t = 0; t < batch.Tout; t++) {
        ours[t * valid.length + b].forEach((v, o) => { worst = Math.max(worst, Math.abs(v - theirs[b][t][o])); });
      }
    }
    t.diagnostic(`${valid.length} validation sequences, max abs difference of the logits ${worst.toExponential(2)}`);
    assert.ok(worst <= 1e-5, `max abs difference of the logits ${worst.toExponential(2)}`);
  } finally {
    trainer.dispose();
  }
});

test('torchrun --nproc_per_node 2 on CPU gives the losses of one process (uneven shares of the batch, dropout, sequences of different lengths)', () => {
  const ws = workspace();
  const projects = [
    exportProject(ws, variant(ws, 'parity-ddp', 'parity', {
      data: { samples: 200 }, training: { batchSize: 5, logEvery: 5 },
      layers: [{ cell: 'lstm', units: 12, dropout: 0.25 }, { cell: 'lstm', units: 8 }], // each process takes its rows of the global mask
    }), 'parity-ddp'),
    exportProject(ws, variant(ws, 'en-ko-ddp', 'en-ko-translate', { training: { batchSize: 7, logEvery: 5 } }), 'en-ko-ddp'), // shares by target rows
  ];
  for (const dir of projects) {
    const one = run(PYTHON, [join(dir, 'train.py'), '--steps', '20', '--json'], ws);
    assert.equal(one.code, 0, one.err);
    // --redirects/--tee: Debian's torch 1.13 on Python 3.11 cannot parse torchrun's default '0' for them
    const two = run(TORCHRUN, ['--standalone', '--nproc_per_node', '2', '--redirects', '2', '--tee', '2', join(dir, 'train.py'), '--steps', '20', '--json'], ws);
    assert.equal(two.code, 0, two.err.slice(-2000));
    const start = JSON.parse(two.out.split('\n')[0]);
    assert.equal(start.processes, 2);
    const a = rows(one.out);
    const b = rows(two.out);
    assert.equal(b.length, a.length);
    a.forEach((r, i) => {
      assert.equal(b[i].step, r.step);
      assert.ok(relErr(r.loss, b[i].loss) <= 1e-5, `${dir} step ${r.step}: ${r.loss} (1 process) vs ${b[i].loss} (2)`);
    });
  }
});

test('a model trained further in PyTorch imports back into Sequence Lab with the same validation loss', () => {
  const ws = workspace();
  const file = variant(ws, 'sine-more', 'sine-forecast', { data: { samples: 200 }, training: { evalEvery: 10 } });
  const dir = exportProject(ws, file, 'sine-more');
  // a test split (Sequence Lab's data may hold one) is evaluated once at the end: here, the validation examples again
  const data = JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8'));
  writeFileSync(join(dir, 'data.json'), JSON.stringify({ ...data, test: data.valid }));
  const ckpt = join(ws, 'ckpt');
  const py = run(PYTHON, [join(dir, 'train.py'), '--steps', '40', '--json', '--out', ckpt], ws);
  assert.equal(py.code, 0, py.err);
  const last = rows(py.out).pop()!;
  assert.equal(last.step, 40);
  const end = JSON.parse(py.out.trim().split('\n').pop()!);
  assert.equal(end.testLoss, last.validLoss);
  const imp = seqlab(['import', file, '--weights', join(ckpt, 'weights.json'), '--backend', 'cpu'], ws);
  assert.equal(imp.code, 0, imp.err);
  const m = /validation loss ([0-9.e-]+)/.exec(imp.out);
  assert.ok(m, imp.out);
  // the CLI prints 4 decimals: compare at that precision, and exactly through the run record
  const id = /as run (\S+);/.exec(imp.out)![1];
  const summary = JSON.parse(readFileSync(join(ws, '.seqlab', 'runs', id, 'summary.json'), 'utf8'));
  assert.ok(relErr(summary.validLoss, last.validLoss!) <= TOL, `validation loss ${summary.validLoss} in Sequence Lab vs ${last.validLoss} in PyTorch`);
});

test('a run exports with its own weights as the starting point', () => {
  const ws = workspace();
  const tr = seqlab(['train', 'examples/hello.seqlab.json', '--steps', '20', '--json', '--backend', 'cpu'], ws);
  assert.equal(tr.code, 0, tr.err);
  const id = JSON.parse(tr.out.trim().split('\n').pop()!).id;
  const dir = exportProject(ws, id, 'hello-run');
  const start = parseStateDictJson(readFileSync(join(dir, 'initial_weights.json'), 'utf8'));
  const run20 = parseStateDictJson(readFileSync(join(ws, '.seqlab', 'runs', id, 'weights.json'), 'utf8'));
  assert.deepEqual(start, run20);
  assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), new RegExp(`weights of run ${id} \\(step 20\\)`));
  const py = run(PYTHON, [join(dir, 'train.py'), '--steps', '5', '--json'], ws);
  assert.equal(py.code, 0, py.err);
  assert.ok(rows(py.out)[0].loss < 0.05, 'it starts from the trained weights');
});

test('a stopped run exports with its checkpoint: train.py continues it as seqlab train --resume does', async () => {
  const ws = workspace();
  // truncated BPTT (a batch may stop mid-walk, its carried state in the checkpoint), rmsprop's slots, a step schedule
  const file = variant(ws, 'char-resume', 'char-gru', {
    layers: [{ cell: 'gru', units: 16 }],
    training: { optimizer: 'rmsprop', learningRate: 0.01, momentum: 0.5, logEvery: 3, evalEvery: 9, schedule: { type: 'step', stepSize: 7, gamma: 0.8 } },
  });
  const child = spawn(process.execPath, [CLI, 'train', file, '--json', '--backend', 'cpu', '--steps', '100000', '--checkpoint-every', '4'], { cwd: ws });
  let buf = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d) => {
      buf += d;
      if (rows(buf.split('\n').slice(0, -1).join('\n')).some((r) => r.step >= 11)) resolve();
    });
  });
  child.kill('SIGINT');
  await new Promise((r) => child.on('exit', r));
  const id = JSON.parse(buf.split('\n')[0]).run;
  const summary = JSON.parse(readFileSync(join(ws, '.seqlab', 'runs', id, 'summary.json'), 'utf8'));
  assert.equal(summary.status, 'stopped');
  const dir = exportProject(ws, id, 'char-resume');
  const from = JSON.parse(readFileSync(join(dir, 'resume.json'), 'utf8')).step;
  assert.ok(from >= 11, `the checkpoint is at step ${from}`);
  assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), new RegExp(`checkpoint of run ${id} at step ${from}`));
  const steps = String(from + 20);
  const b = run(PYTHON, [join(dir, 'train.py'), '--steps', steps, '--json'], ws);
  assert.equal(b.code, 0, b.err.slice(-2000));
  const a = seqlab(['train', file, '--resume', id, '--steps', steps, '--json', '--backend', 'cpu'], ws);
  assert.equal(a.code, 0, a.err);
  const [ours, theirs] = [rows(a.out), rows(b.out)];
  assert.ok(ours.length >= 5 && ours[0].step > from, `rows after step ${from}: ${ours.map((r) => r.step)}`);
  assert.deepEqual(theirs.map((r) => r.step), ours.map((r) => r.step));
  ours.forEach((r, i) => {
    assert.ok(relErr(r.loss, theirs[i].loss) <= TOL, `step ${r.step}: loss ${r.loss} (seqlab train --resume) vs ${theirs[i].loss} (train.py)`);
    assert.ok(relErr(r.learningRate!, theirs[i].learningRate!) <= 1e-9, `step ${r.step}: learning rate`);
  });
});

test('a setting the exporter does not express is refused by its name in one line, never dropped, and nothing is written', () => {
  const { spec, data } = define({ data: { task: 'hello' }, layers: [{ cell: 'rnn', units: 4 }] });
  assert.equal(pytorchUnsupported(spec, data), undefined);
  const withField = (o: object) => o as unknown as ModelSpec;
  assert.match(pytorchUnsupported(withField({ ...spec, training: { ...spec.training, averaging: { type: 'swa', start: 10 } } }), data)!,
    /^training\.averaging cannot be exported to PyTorch yet/);
  assert.match(pytorchUnsupported(withField({ ...spec, memory: 'neural-turing' }), data)!, /^memory cannot be exported/);
  assert.match(pytorchUnsupported(withField({ ...spec, layers: [{ ...spec.layers[0], zoneout: 0.1 }] }), data)!, /^layers\[\]\.zoneout /);
  // switched off: nothing to express
  assert.equal(pytorchUnsupported(withField({ ...spec, training: { ...spec.training, averaging: { type: 'none' } }, memory: false }), data), undefined);
  // refused before anything is written; the CLI prints the reason as one line
  const dir = join(mkdtempSync(join(tmpdir(), 'seqlab-refused-')), 'out');
  assert.throws(() => writePytorchProject(dir, { spec: withField({ ...spec, memory: 'neural-turing' }), data, weights: {}, totalSteps: 1, truncatedBptt: false, definitionFile: 'x', definitionText: '{}', weightsFrom: '' }),
    (e: Error) => e instanceof ExportRefused && /^memory cannot be exported to PyTorch yet/.test(e.message) && !e.message.includes('\n'));
  assert.ok(!existsSync(dir), 'nothing is written');
  // --out must be a folder: not a file, not a symbolic link
  const ws = workspace();
  writeFileSync(join(ws, 'afile'), 'x');
  symlinkSync(tmpdir(), join(ws, 'alink'));
  for (const [out, what] of [['afile', /is not a folder/], ['alink', /is a symbolic link/]] as const) {
    const r = seqlab(['export', 'examples/hello.seqlab.json', '--format', 'pytorch', '--out', out], ws);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, what);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
  }
});

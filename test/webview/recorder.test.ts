/**
 * The host side of the panel's runs (src/host/panel/recorder.ts + restoreData in index.ts's
 * vscode-free helpers) against the real run store on a temp directory: records, refusals
 * (already training, store busy, definition errors), close mid-run, NaN rows, restore data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src/node/runStore';
import { parseDefinition } from '../../src/core/dsl';
import { RunRecorder, cleanRow, type RecorderDeps } from '../../src/host/panel/recorder';
import { overlayOf, restoreData } from '../../src/host/panel/restore';
import { PROTOCOL_VERSION, type HostToView, type Outgoing, type ViewToHost } from '../../src/protocol';
import { ROOT } from './server';

const helloText = readFileSync(join(ROOT, 'examples', 'hello.seqlab.json'), 'utf8');
const v = PROTOCOL_VERSION;

class AlreadyTrainingError extends Error {
  constructor() {
    super('hello.seqlab.json is already training. Stop it first, or wait until it finishes.');
    this.name = 'AlreadyTrainingError';
  }
}

function setup(o: { busy?: boolean; trusted?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'seqlab-recorder-'));
  const def = join(root, 'hello.seqlab.json');
  const store = new RunStore(root);
  const sent: Outgoing<HostToView>[] = [];
  const errors: string[] = [];
  const ended: string[] = [];
  const status: { active: boolean; reports: [number, number | undefined, number | undefined][]; begun: unknown[]; cancel?: () => void } = { active: Boolean(o.busy), reports: [], begun: [] };
  const logs: string[] = [];
  const deps: RecorderDeps = {
    definitionFile: def,
    store: () => store,
    parseSpec: (text) => {
      const r = parseDefinition(text, { file: def, workspaceRoot: root });
      if (!r.spec) throw new Error(`${def} has errors: ${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`);
      return r.spec;
    },
    beginStatus: (b) => {
      if (status.active) throw new AlreadyTrainingError();
      status.active = true;
      status.begun.push({ backend: b.backend, steps: b.steps, label: b.label });
      status.cancel = b.cancel;
      return { report: (s, l, n) => status.reports.push([s, l, n]), end: () => { status.active = false; } };
    },
    send: (b) => sent.push(b),
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    showError: (m) => errors.push(m),
    onEnded: (s) => ended.push(`${s.id}:${s.status}`),
    ...(o.trusted !== undefined ? { trusted: () => o.trusted! } : {}),
  };
  const rec = new RunRecorder(deps);
  let seq = 0;
  const m = <T extends ViewToHost['type']>(type: T, body: Record<string, unknown>) =>
    ({ v, seq: ++seq, type, ...body }) as unknown as Extract<ViewToHost, { type: T }>;
  return { root, def, store, rec, sent, errors, ended, status, logs, m, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

test('a restricted (untrusted) workspace: the panel\'s Start is refused, nothing is recorded or registered', () => {
  const s = setup({ trusted: false });
  try {
    s.rec.handle(s.m('runStart', { clientRunId: 'c1', backend: 'webgl', steps: 10 }), helloText, 'hello');
    const refused = s.sent.find((x) => x.type === 'runRefused') as Extract<HostToView, { type: 'runRefused' }>;
    assert.ok(refused, JSON.stringify(s.sent));
    assert.match(refused.reason, /restricted workspace/);
    assert.ok(!s.sent.some((x) => x.type === 'runCreated'));
    assert.deepEqual(s.status.begun, [], 'no training status entry');
    assert.ok(!existsSync(s.store.dir) || readdirSync(s.store.dir).length === 0, 'no run record');
    assert.match(s.errors[0], /restricted workspace/);
  } finally {
    s.cleanup();
  }
});

test('a panel run is recorded: summary, metrics.jsonl, weights.json, status reports, runCreated', () => {
  const s = setup();
  try {
    s.rec.handle(s.m('runStart', { clientRunId: 'c1', backend: 'webgl', steps: 10, parameters: 123 }), helloText, 'hello');
    const created = s.sent.find((x) => x.type === 'runCreated') as Extract<HostToView, { type: 'runCreated' }>;
    assert.ok(created, 'runCreated sent');
    assert.equal(created.clientRunId, 'c1');
    assert.deepEqual(s.status.begun, [{ backend: 'webgl', steps: 10, label: 'hello' }]);
    const runDir = join(s.store.dir, created.runId);
    let summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    assert.equal(summary.status, 'running');
    assert.equal(summary.source, 'panel');
    assert.equal(summary.parameters, 123);
    assert.equal(summary.experiment, 'hello.seqlab.json');
    assert.equal(readFileSync(join(runDir, 'definition.seqlab.json'), 'utf8'), helloText);
    s.rec.handle(s.m('metrics', { clientRunId: 'c1', rows: [{ step: 5, loss: 1.2, elapsedMs: 3 }, { step: 10, loss: 0.4, elapsedMs: 6, validLoss: 0.5, gradNorm: NaN }] }), helloText, 'hello');
    assert.deepEqual(s.status.reports, [[10, 0.4, 10]]);
    s.rec.handle(s.m('runEnd', { clientRunId: 'c1', status: 'completed', step: 10, weights: { 'rnn.weight_hh_l0': { shape: [1, 2], data: [0.5, -0.5] } } }), helloText, 'hello');
    summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    assert.equal(summary.status, 'completed');
    assert.equal(summary.finalLoss, 0.4);
    assert.equal(summary.validLoss, 0.5);
    assert.equal(summary.step, 10);
    const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.step), [5, 10]);
    assert.equal('gradNorm' in lines[1], false, 'a NaN optional field is dropped, not written as null');
    assert.deepEqual(s.store.readWeights(created.runId)?.['rnn.weight_hh_l0']?.data, [0.5, -0.5]);
    assert.deepEqual(s.ended, [`${created.runId}:completed`]);
    assert.equal(s.status.active, false, 'the status entry ended');
    assert.equal(s.rec.active, undefined);
  } finally {
    s.cleanup();
  }
});

test('Stop from the status service (CodeLens, status bar, command) asks the webview to stop', () => {
  const s = setup();
  try {
    s.rec.handle(s.m('runStart', { clientRunId: 'c1', backend: 'cpu', steps: 10 }), helloText, 'hello');
    s.status.cancel!();
    assert.deepEqual(s.sent.at(-1), { type: 'control', action: 'stop' });
  } finally {
    s.cleanup();
  }
});

test('already training (background): refused with a clear message, nothing recorded, the panel is told', () => {
  const s = setup({ busy: true });
  try {
    s.rec.handle(s.m('runStart', { clientRunId: 'c1', backend: 'cpu', steps: 10 }), helloText, 'hello');
    assert.equal(s.errors.length, 1);
    assert.match(s.errors[0]!, /already training\. Stop it first.*background/);
    const refused = s.sent.find((x) => x.type === 'runRefused') as Extract<HostToView, { type: 'runRefused' }>;
    assert.equal(refused.clientRunId, 'c1');
    assert.match(refused.reason, /already training/);
    assert.ok(!s.sent.some((x) => x.type === 'runCreated'));
    assert.equal(existsSync(s.store.dir), false, 'no run directory was created');
    // the refused run's end is expected and ignored quietly
    const before = s.logs.length;
    s.rec.handle(s.m('runEnd', { clientRunId: 'c1', status: 'stopped', step: 0 }), helloText, 'hello');
    assert.equal(s.logs.length, before);
    assert.equal(s.status.active, true, "the other trainer's status entry is untouched");
  } finally {
    s.cleanup();
  }
});

test('a run already open in the store (the CLI trains it): refused, and the status entry is released', () => {
  const s = setup();
  try {
    const spec = parseDefinition(helloText, { file: s.def, workspaceRoot: s.root }).spec!;
    const cli = s.store.create({ definitionFile: s.def, definitionText: helloText, spec, backend: 'wasm', steps: 5, source: 'cli' });
    s.rec.handle(s.m('runStart', { clientRunId: 'c1', backend: 'cpu', steps: 10 }), helloText, 'hello');
    assert.match(s.errors[0]!, /cannot record a run: .*already training/);
    assert.equal(s.status.active, false);
    assert.ok(s.sent.some((x) => x.type === 'runRefused'));
    cli.finish('completed');
  } finally {
    s.cleanup();
  }
});

test('a definition with errors is refused with its position', () => {
  const s = setup();
  try {
    s.rec.handle(s.m('runStart', { clientRunId: 'c1', backend: 'cpu', steps: 10 }), '{ "name": "x", "layers": [ { "cell": "xyz" } ] }', 'x');
    assert.match(s.errors[0]!, /cannot record a run: .* has errors: \d+:\d+ /);
    assert.equal(s.status.active, false);
  } finally {
    s.cleanup();
  }
});

test('closing the panel mid-run saves it as stopped with its metrics', () => {
  const s = setup();
  try {
    s.rec.handle(s.m('runStart', { clientRunId: 'c1', backend: 'cpu', steps: 100 }), helloText, 'hello');
    s.rec.handle(s.m('metrics', { clientRunId: 'c1', rows: [{ step: 5, loss: 1.5, elapsedMs: 1 }] }), helloText, 'hello');
    const summary = s.rec.end('stopped', 'the training panel was closed')!;
    assert.equal(summary.status, 'stopped');
    assert.equal(summary.step, 5);
    assert.equal(summary.lastLoss, 1.5);
    assert.equal(summary.message, 'the training panel was closed');
    assert.equal(s.store.read(summary.id).summary?.status, 'stopped');
    assert.equal(s.store.readMetrics(summary.id).length, 1);
    assert.equal(s.rec.end('stopped'), undefined, 'idempotent');
  } finally {
    s.cleanup();
  }
});

test('a checkpoint while training saves the weights and their step; closing the panel keeps them', () => {
  const s = setup();
  try {
    s.rec.handle(s.m('runStart', { clientRunId: 'c1', backend: 'cpu', steps: 100 }), helloText, 'hello');
    const weights = (x: number) => ({ 'rnn.weight_ih_l0': { shape: [1, 2], data: [x, x + 1] } });
    s.rec.handle(s.m('checkpoint', { clientRunId: 'c1', step: 40, weights: weights(0.5) }), helloText, 'hello');
    const id = s.rec.active!.runId;
    const dir = s.store.read(id).dir;
    assert.ok(existsSync(join(dir, 'weights.json')), 'weights.json written at the checkpoint');
    assert.deepEqual(s.store.readWeights(id)?.['rnn.weight_ih_l0']?.data, [0.5, 1.5]);
    assert.equal(s.store.read(id).summary?.weightsStep, 40);
    // a checkpoint of another run changes nothing
    s.rec.handle(s.m('checkpoint', { clientRunId: 'other', step: 60, weights: weights(9) }), helloText, 'hello');
    s.rec.handle(s.m('checkpoint', { clientRunId: 'c1', step: 80, weights: weights(2) }), helloText, 'hello');
    const summary = s.rec.end('stopped', 'the training panel was closed')!;
    assert.equal(summary.weightsStep, 80);
    assert.deepEqual(s.store.readWeights(id)?.['rnn.weight_ih_l0']?.data, [2, 3]);
    assert.ok(!readdirSync(dir).some((f) => f.includes('.tmp')), `no temporary files left: ${readdirSync(dir)}`);
  } finally {
    s.cleanup();
  }
});

test('metrics and runEnd of another run id are ignored', () => {
  const s = setup();
  try {
    s.rec.handle(s.m('runStart', { clientRunId: 'c1', backend: 'cpu', steps: 100 }), helloText, 'hello');
    s.rec.handle(s.m('metrics', { clientRunId: 'other', rows: [{ step: 5, loss: 1.5, elapsedMs: 1 }] }), helloText, 'hello');
    s.rec.handle(s.m('runEnd', { clientRunId: 'other', status: 'completed', step: 5 }), helloText, 'hello');
    assert.equal(s.rec.active?.clientRunId, 'c1');
    assert.equal(s.store.readMetrics(s.rec.active!.runId).length, 0);
    assert.ok(s.logs.some((l) => /runEnd for unknown run 'other'/.test(l)));
  } finally {
    s.cleanup();
  }
});

test('restore data: the newest run with its metrics, overlays of up to ten runs thinned', () => {
  const s = setup();
  try {
    const spec = parseDefinition(helloText, { file: s.def, workspaceRoot: s.root }).spec!;
    const ids: string[] = [];
    for (let k = 0; k < 3; k++) {
      const w = s.store.create({ definitionFile: s.def, definitionText: helloText, spec, backend: 'cpu', steps: 5000, source: 'panel' });
      w.appendMetrics(Array.from({ length: 5000 }, (_, i) => ({ step: i + 1, loss: 1 / (i + 1 + k), elapsedMs: i })));
      w.finish('completed');
      ids.push(w.id);
    }
    const r = restoreData(s.store, 'hello.seqlab.json');
    assert.ok(r.restore);
    assert.equal(r.restore.summary.id, ids[2], 'the newest run is restored');
    assert.equal(r.restore.summary.status, 'completed');
    assert.equal(r.restore.metrics.length, 5000);
    assert.equal(r.overlays.length, 3);
    for (const o of r.overlays) {
      assert.ok(o.steps.length <= 2001, `overlay thinned to ${o.steps.length}`);
      assert.equal(o.steps.at(-1), 5000, 'the last point is kept');
    }
    assert.deepEqual(restoreData(s.store, 'other.seqlab.json'), { overlays: [] });
  } finally {
    s.cleanup();
  }
});

test('cleanRow keeps a NaN loss (divergence is data) and drops other non-finite fields', () => {
  const r = cleanRow({ step: 1, loss: NaN, elapsedMs: 2, gradNorm: Infinity, accuracy: 0.5 });
  assert.ok(Number.isNaN(r.loss));
  assert.equal('gradNorm' in r, false);
  assert.equal(r.accuracy, 0.5);
});

test('a checkpoint with its resume state writes checkpoint.json; best writes best.json; a resumed runStart reopens the same record', () => {
  const s = setup();
  try {
    s.rec.handle(s.m('runStart', { clientRunId: 'c1', backend: 'cpu', steps: 100 }), helloText, 'hello');
    const id = s.rec.active!.runId;
    const weights = { 'rnn.weight_ih_l0': { shape: [1, 2], data: [0.5, 1.5] } };
    const rows = [10, 20, 30].map((step) => ({ step, loss: 1 / step, elapsedMs: step }));
    s.rec.handle(s.m('metrics', { clientRunId: 'c1', rows: rows.slice(0, 2) }), helloText, 'hello');
    s.rec.handle(s.m('best', { clientRunId: 'c1', step: 20, validLoss: 0.25, weights }), helloText, 'hello');
    const resume = {
      optimizer: { optimizer: 'adam', step: 20, slots: {} },
      progress: { step: 20, rng: 7, order: [0], cursor: 1, elapsedMs: 5 },
      session: { best: { step: 20, validLoss: 0.25 }, sinceBest: 0 },
    };
    s.rec.handle(s.m('checkpoint', { clientRunId: 'c1', step: 20, weights, resume }), helloText, 'hello');
    s.rec.handle(s.m('metrics', { clientRunId: 'c1', rows: rows.slice(2) }), helloText, 'hello');
    s.rec.end('stopped', 'the training panel was closed');
    const summary = s.store.read(id).summary!;
    assert.deepEqual([summary.checkpointStep, summary.bestStep, summary.bestValidLoss], [20, 20, 0.25]);
    assert.equal(s.store.readCheckpoint(id)?.progress.rng, 7);
    assert.ok(existsSync(join(s.store.read(id).dir, 'best.json')));

    s.rec.handle(s.m('runStart', { clientRunId: 'c2', backend: 'cpu', steps: 100, resumeOf: id }), helloText, 'hello');
    assert.equal(s.rec.active!.runId, id, 'the same record continues');
    assert.deepEqual(s.store.readMetrics(id).map((r) => r.step), [10, 20], 'rows after the checkpoint are dropped (trained again)');
    assert.equal(s.store.read(id).summary!.status, 'running');
    assert.ok(s.sent.some((x) => x.type === 'runCreated' && x.runId === id));
  } finally {
    s.cleanup();
  }
});

test('overlays: a sweep trial is labelled by its settings; a run of another experiment by the label the host gives', () => {
  const ws = mkdtempSync(join(tmpdir(), 'seqlab-overlay-'));
  try {
    const store = new RunStore(ws);
    const spec = parseDefinition(helloText).spec!;
    const sweep = { id: 's', trial: 2, trials: 3, overrides: [{ path: 'layers[0].cell', value: 'gru' }] };
    const w = store.create({ definitionFile: join(ws, 'hello.seqlab.json'), definitionText: helloText, spec, backend: 'cpu', steps: 2, sweep });
    w.appendMetrics([{ step: 1, loss: 1, elapsedMs: 0 }, { step: 2, loss: 0.5, elapsedMs: 0 }] as never);
    w.finish('completed');
    const [o] = restoreData(store, 'hello.seqlab.json').overlays;
    assert.equal(o.label, '#2 layers[0].cell = "gru" (completed)');
    assert.deepEqual(o.loss, [1, 0.5]);
    assert.equal(overlayOf(store.read(w.id).summary!, store.readMetrics(w.id), 'hello / ' + w.id).label, `hello / ${w.id}`);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('the end-of-run evaluation of a panel run is written to its record (evaluation.json, as the CLI writes it)', () => {
  const s = setup();
  try {
    s.rec.handle(s.m('runStart', { clientRunId: 'c1', backend: 'cpu', steps: 10 }), helloText, 'hello');
    const id = s.rec.active!.runId;
    const report = {
      kind: 'classification' as const, split: 'validation' as const, examples: 3, loss: 0.5, n: 3, accuracy: 2 / 3, macroF1: 0.5,
      labels: ['a', 'b'], confusion: [[1, 1], [0, 1]],
      classes: [{ label: 'a', precision: 1, recall: 0.5, f1: 2 / 3, support: 2 }, { label: 'b', precision: 0.5, recall: 1, f1: 2 / 3, support: 1 }],
    };
    s.rec.handle(s.m('evaluation', { clientRunId: 'c1', report }), helloText, 'hello');
    // another run's evaluation is not written here
    s.rec.handle(s.m('evaluation', { clientRunId: 'other', report: { ...report, confusion: [[9, 9], [9, 9]] } }), helloText, 'hello');
    s.rec.handle(s.m('runEnd', { clientRunId: 'c1', status: 'completed', step: 10 }), helloText, 'hello');
    const saved = JSON.parse(readFileSync(join(s.store.read(id).dir, 'evaluation.json'), 'utf8'));
    assert.deepEqual(saved, report);
    // a reopened panel shows it again with the restored run
    assert.deepEqual(restoreData(s.store, 'hello.seqlab.json').restore?.evaluation, report);
    // a damaged evaluation.json: the run is restored without it, and reading it names the file
    writeFileSync(join(s.store.read(id).dir, 'evaluation.json'), '{"kind": "classification"}');
    assert.throws(() => s.store.readEvaluation(id), /evaluation\.json: evaluation/);
    const r = restoreData(s.store, 'hello.seqlab.json').restore!;
    assert.equal(r.summary.id, id);
    assert.equal(r.evaluation, undefined);
  } finally {
    s.cleanup();
  }
});

test('a panel run records its data (data.json, the one record of its vocabulary); a resume whose data now reads other tokens is refused', () => {
  const s = setup();
  try {
    const data = {
      format: 'seqlab-data/1', task: 'hello', structure: 'many-to-many', generative: true, sizes: { train: 1, valid: 0, test: 0 },
      input: { kind: 'tokens', vocab: ['h', 'e', 'l', 'o'] }, output: { kind: 'classes', classes: ['h', 'e', 'l', 'o'] },
    };
    s.rec.handle(s.m('runStart', { clientRunId: 'c1', backend: 'cpu', steps: 100, data }), helloText, 'hello');
    const id = s.rec.active!.runId;
    assert.deepEqual(JSON.parse(readFileSync(join(s.store.read(id).dir, 'data.json'), 'utf8')), data);
    assert.deepEqual(s.store.readDataRecord(id)!.vocabulary, { input: ['h', 'e', 'l', 'o'], output: ['h', 'e', 'l', 'o'] });
    const weights = { 'rnn.weight_ih_l0': { shape: [1, 2], data: [0.5, 1.5] } };
    const resume = {
      optimizer: { optimizer: 'adam', step: 20, slots: {} },
      progress: { step: 20, rng: 7, order: [0], cursor: 1, elapsedMs: 5 },
      session: { sinceBest: 0 },
    };
    s.rec.handle(s.m('checkpoint', { clientRunId: 'c1', step: 20, weights, resume }), helloText, 'hello');
    s.rec.end('stopped', 'the training panel was closed');
    // the word changed since: other characters, so the recorded weights would read other tokens
    const other = { ...data, input: { kind: 'tokens', vocab: ['h', 'e', 'l', 'p'] }, output: { kind: 'classes', classes: ['h', 'e', 'l', 'p'] } };
    s.rec.handle(s.m('runStart', { clientRunId: 'c2', backend: 'cpu', steps: 100, resumeOf: id, data: other }), helloText, 'hello');
    const refused = s.sent.find((x) => x.type === 'runRefused') as Extract<HostToView, { type: 'runRefused' }>;
    assert.ok(refused, JSON.stringify(s.sent.map((x) => x.type)));
    assert.match(refused.reason, /do not fit the data as it reads now .*data\.json.*input vocabulary differ/);
    assert.equal(s.store.read(id).summary!.status, 'stopped', 'the record is untouched');
    // the same data resumes the same record
    s.rec.handle(s.m('runStart', { clientRunId: 'c3', backend: 'cpu', steps: 100, resumeOf: id, data }), helloText, 'hello');
    assert.equal(s.rec.active!.runId, id);
  } finally {
    s.cleanup();
  }
});

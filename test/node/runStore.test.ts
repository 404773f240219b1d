/** Run-record JSON files read through one confined, BOM-tolerant reader (src/node/runStore.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDefinition } from '../../src/core/dsl';
import { RunStore, RunStoreError } from '../../src/node/runStore';
import type { DataInfo } from '../../src/core/data';

const HELLO = '{"name": "h", "data": {"task": "hello"}, "layers": [{"cell": "rnn", "units": 4}]}';
type CreateOptions = Parameters<RunStore['create']>[0];

/**
 * One test's fresh workspace and RunStore, removed after it; `create` starts a run of a hello
 * definition (h.seqlab.json in the workspace, 1 step on cpu unless `o` says otherwise).
 */
function withStore(fn: (t: { ws: string; store: RunStore; create(o?: Partial<CreateOptions>): ReturnType<RunStore['create']> }) => void): void {
  const ws = mkdtempSync(join(tmpdir(), 'seqlab-store-'));
  try {
    const spec = parseDefinition(HELLO).spec!;
    const store = new RunStore(ws);
    fn({ ws, store, create: (o = {}) => store.create({ definitionFile: join(ws, 'h.seqlab.json'), definitionText: HELLO, spec, backend: 'cpu', steps: 1, ...o }) });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

test('data.json and checkpoint.json: a BOM is tolerated, damage names the file, run ids are confined', () => {
  withStore(({ store, create }) => {
    const w = create();
    const info = { format: 'seqlab-data/1', input: { kind: 'tokens', vocab: ['h', 'e'] }, output: { kind: 'classes', classes: ['e', 'h'] } };
    writeFileSync(join(store.dir, w.id, 'data.json'), '\uFEFF' + JSON.stringify(info));
    assert.deepEqual(store.readDataInfo(w.id), info);
    assert.equal(store.readCheckpoint(w.id), undefined, 'no checkpoint yet');
    writeFileSync(join(store.dir, w.id, 'checkpoint.json'), '{"format": ');
    assert.throws(() => store.readCheckpoint(w.id), (e) => e instanceof RunStoreError && /checkpoint\.json is not valid JSON/.test(e.message));
    assert.throws(() => store.readDataInfo('../..'), RunStoreError);
    assert.ok(readFileSync(join(store.dir, w.id, 'data.json'), 'utf8').startsWith('\uFEFF'), 'reading changed nothing');
  });
});

test('sweep trials: recorded with their place in the sweep; trials of one sweep train side by side, anything else waits', () => {
  withStore(({ store, create }) => {
    const trial = (k: number, id = 's1') => ({ id, trial: k, trials: 2, overrides: [{ path: 'layers[0].cell', value: k === 1 ? 'rnn' : 'gru' }] });
    const a = create({ sweep: trial(1) });
    const b = create({ sweep: trial(2) });
    assert.notEqual(a.id, b.id);
    assert.match(a.id, /-t1$/);
    assert.deepEqual(store.read(b.id).summary?.sweep, trial(2));
    assert.throws(() => create(), /already training/);
    assert.throws(() => create({ sweep: trial(1, 's2') }), /already training/);
    a.finish('completed');
    b.finish('completed');
    // a damaged sweep record makes the run unreadable with a reason, never a crash
    const f = join(store.dir, a.id, 'summary.json');
    writeFileSync(f, readFileSync(f, 'utf8').replace('"trials": 2', '"trials": "two"'));
    assert.match(store.read(a.id).broken ?? '', /'sweep' must be/);
  });
});

test('best.json: a burst of new bests writes the first at once, the newest by the end; summary.json names the one on disk', () => {
  withStore(({ store, create }) => {
    const w = create({ steps: 100 });
    const sd = (x: number) => ({ 'rnn.weight_ih_l0': { shape: [1], data: [x] } });
    const onDisk = () => JSON.parse(readFileSync(join(store.dir, w.id, 'best.json'), 'utf8')).state_dict['rnn.weight_ih_l0'].data[0];
    w.saveBest({ step: 20, validLoss: 0.5 }, sd(20));
    assert.equal(onDisk(), 20, 'the first best is written at once');
    w.saveBest({ step: 40, validLoss: 0.4 }, sd(40));
    w.saveBest({ step: 60, validLoss: 0.3 }, sd(60));
    // within the interval the newer bests wait in memory (the test runs well inside 1 s; if the
    // machine stalls past it, the write simply came due and the newest is on disk)
    const mid = onDisk();
    assert.ok(mid === 20 || mid === 60, `best.json holds a best that was saved whole (${mid})`);
    assert.equal(store.read(w.id).summary!.bestStep, mid, 'summary.json names the best on disk');
    w.finish('completed');
    assert.equal(onDisk(), 60, 'the end writes the newest best');
    assert.deepEqual([store.read(w.id).summary!.bestStep, store.read(w.id).summary!.bestValidLoss], [60, 0.3]);
  });
});

test('the vocabulary has one record, data.json; weights files do not repeat it; an old run falls back to weights.json', () => {
  withStore(({ ws, store, create }) => {
    const w = create();
    const info: DataInfo = {
      format: 'seqlab-data/1', task: 'hello', structure: 'many-to-many', generative: true, sizes: { train: 1, valid: 0, test: 0 },
      input: { kind: 'tokens', vocab: ['e', 'h', 'l', 'o'] }, output: { kind: 'classes', classes: ['e', 'h', 'l', 'o'] },
    };
    w.saveDataInfo(info);
    const sd = { 'rnn.weight_ih_l0': { shape: [1, 1], data: [0.5] } };
    w.saveWeights(sd, 'h');
    w.saveBest({ step: 1, validLoss: 1 }, sd);
    for (const f of ['weights.json', 'best.json']) assert.equal(JSON.parse(readFileSync(join(store.dir, w.id, f), 'utf8')).vocabulary, undefined, `${f} has no copy`);
    const rec = store.readDataRecord(w.id)!;
    assert.deepEqual(rec.vocabulary, { input: ['e', 'h', 'l', 'o'], output: ['e', 'h', 'l', 'o'] });
    assert.deepEqual(rec.info, info);
    assert.match(rec.from, /data\.json$/);

    // a run written before data.json held the vocabulary: weights.json carried it
    const old = create({ definitionFile: join(ws, 'o.seqlab.json') });
    writeFileSync(join(store.dir, old.id, 'weights.json'), JSON.stringify({ format: 'seqlab-state-dict/1', vocabulary: { input: ['a', 'b'] }, state_dict: sd }));
    const fallback = store.readDataRecord(old.id)!;
    assert.deepEqual(fallback.vocabulary, { input: ['a', 'b'] });
    assert.equal(fallback.info, undefined);
    assert.match(fallback.from, /weights\.json$/);
    // data.json wins over an older copy in weights.json
    old.saveDataInfo({ ...info, input: { kind: 'tokens', vocab: ['x'] } });
    assert.deepEqual(store.readDataRecord(old.id)!.vocabulary.input, ['x']);
    // nothing recorded at all
    const bare = create({ definitionFile: join(ws, 'b.seqlab.json') });
    assert.equal(store.readDataRecord(bare.id), undefined);
  });
});

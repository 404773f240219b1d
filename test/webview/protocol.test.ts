/** The panel protocol's validators, ordering and run lifecycle (src/protocol). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROTOCOL_VERSION, Receiver, RunLifecycle, Sender, fromWorker, hostToView, toWorker, viewToHost, type ViewToHost,
} from '../../src/protocol';
import type { Check } from '../../src/protocol/validate';

const v = PROTOCOL_VERSION;

function receiver<M extends { seq: number; type: string }>(check: Check<M>) {
  const logs: string[] = [];
  return { r: new Receiver<M>(check, (w) => logs.push(w), 'test'), logs };
}

test('well-formed messages pass and are typed', () => {
  const { r, logs } = receiver<ViewToHost>(viewToHost);
  const m = r.accept({ v, seq: 1, type: 'metrics', clientRunId: 'a', rows: [{ step: 5, loss: 0.5, elapsedMs: 10, validLoss: 0.6 }] });
  assert.equal(m?.type, 'metrics');
  assert.deepEqual(logs, []);
});

test('malformed messages are dropped with the reason', () => {
  const { r, logs } = receiver<ViewToHost>(viewToHost);
  const bad: unknown[] = [
    null, 42, 'metrics', [], {},
    { v, seq: 1, type: 'nope' },
    { v, seq: 2, type: 'metrics', clientRunId: 'a', rows: [{ step: -1, loss: 0.5, elapsedMs: 0 }] },
    { v, seq: 3, type: 'metrics', clientRunId: 'a', rows: [{ step: 1, loss: '0.5', elapsedMs: 0 }] },
    { v, seq: 4, type: 'metrics', clientRunId: 7, rows: [] },
    { v, seq: 5, type: 'runEnd', clientRunId: 'a', status: 'exploded', step: 1 },
    { v, seq: 6, type: 'ready', extra: true },
    { v: v + 1, seq: 7, type: 'ready' },
    { seq: 8, type: 'ready' },
    { v, seq: 1.5, type: 'ready' },
    { v, seq: 9, type: 'runEnd', clientRunId: 'a', status: 'completed', step: 1, weights: { w: { shape: [2], data: [1, 'x'] } } },
  ];
  for (const b of bad) assert.equal(r.accept(b), undefined, JSON.stringify(b));
  assert.equal(r.dropped, bad.length);
  assert.ok(logs.every((l) => l.startsWith('malformed message dropped')), logs.join('\n'));
  assert.ok(logs.some((l) => /unknown message type "nope"/.test(l)));
  assert.ok(logs.some((l) => /rows\[0\]\.step: expected a non-negative integer/.test(l)));
  assert.ok(logs.some((l) => /unexpected field 'extra'/.test(l)));
  assert.ok(logs.some((l) => new RegExp(`protocol version ${v + 1}`).test(l)));
  assert.ok(logs.some((l) => /weights\["w"\]\.data\[1\]: expected a number/.test(l)));
});

test('out-of-order (replayed or older) sequence numbers are dropped', () => {
  const { r, logs } = receiver<ViewToHost>(viewToHost);
  assert.ok(r.accept({ v, seq: 1, type: 'ready' }));
  assert.ok(r.accept({ v, seq: 3, type: 'ready' }));
  assert.equal(r.accept({ v, seq: 3, type: 'ready' }), undefined);
  assert.equal(r.accept({ v, seq: 2, type: 'ready' }), undefined);
  assert.match(logs[0]!, /out-of-order message dropped: test 'ready' seq 3 after seq 3/);
  assert.ok(r.accept({ v, seq: 4, type: 'ready' }));
  r.resetOrder();
  assert.ok(r.accept({ v, seq: 1, type: 'ready' }), 'a new peer starts again');
});

test('Sender stamps version and increasing sequence numbers that a Receiver accepts', () => {
  const sent: unknown[] = [];
  const s = new Sender<ViewToHost>((m) => sent.push(m));
  s.send({ type: 'ready' });
  s.send({ type: 'log', level: 'info', message: 'hi' });
  assert.deepEqual(sent, [{ v, seq: 1, type: 'ready' }, { v, seq: 2, type: 'log', level: 'info', message: 'hi' }]);
  const { r } = receiver<ViewToHost>(viewToHost);
  assert.ok(sent.every((m) => r.accept(m)));
});

test('run lifecycle: metrics, checkpoint and runEnd only for a started, open run; ids never reused', () => {
  const life = new RunLifecycle();
  const m = (o: object) => ({ v, seq: 1, ...o }) as ViewToHost;
  assert.match(life.check(m({ type: 'metrics', clientRunId: 'a', rows: [] }))!, /not running/);
  assert.match(life.check(m({ type: 'runEnd', clientRunId: 'a', status: 'completed', step: 1 }))!, /not running/);
  const start = m({ type: 'runStart', clientRunId: 'a', backend: 'cpu', steps: 10 });
  assert.equal(life.check(start), undefined);
  life.apply(start);
  assert.match(life.check(m({ type: 'runStart', clientRunId: 'b', backend: 'cpu', steps: 10 }))!, /still open/);
  assert.equal(life.check(m({ type: 'metrics', clientRunId: 'a', rows: [] })), undefined);
  assert.match(life.check(m({ type: 'metrics', clientRunId: 'b', rows: [] }))!, /not running/);
  const checkpoint = (id: string) => m({ type: 'checkpoint', clientRunId: id, step: 2, weights: { w: { shape: [1], data: [0] } } });
  assert.equal(life.check(checkpoint('a')), undefined);
  assert.match(life.check(checkpoint('b'))!, /checkpoint for run 'b' which is not running/);
  const end = m({ type: 'runEnd', clientRunId: 'a', status: 'stopped', step: 3 });
  life.apply(end);
  assert.match(life.check(m({ type: 'metrics', clientRunId: 'a', rows: [] }))!, /not running/);
  assert.match(life.check(checkpoint('a'))!, /not running/);
  assert.match(life.check(start)!, /already started/);
});

test('every channel has validators: host->view, view->worker, worker->view', () => {
  assert.equal(hostToView({ v, seq: 1, type: 'control', action: 'start' }, 'm'), undefined);
  assert.match(hostToView({ v, seq: 1, type: 'control', action: 'fly' }, 'm')!, /expected one of start\|pause/);
  assert.equal(toWorker({ v, seq: 1, type: 'sample', temperature: 0.8, length: 10 }, 'm'), undefined);
  assert.match(toWorker({ v, seq: 1, type: 'sample', temperature: NaN, length: 10 }, 'm')!, /finite/);
  const probe = {
    v, seq: 1, type: 'probe',
    result: {
      step: 0, inputTokens: ['h', 'e'], loss: 1,
      layers: [{
        layer: 0, direction: 'forward', cell: 'lstm', units: 2,
        h: { rows: 2, cols: 2, data: new Float32Array([0, 1, 1, 0]) }, gates: { i: { rows: 2, cols: 2, data: new Float32Array(4) } },
      }],
      prediction: { kind: 'classes', tokens: ['e', 'l'], probs: [0.5, 0.5] },
    },
  };
  assert.equal(fromWorker(probe, 'm'), undefined);
  const badGate = structuredClone(probe);
  (badGate.result.layers[0]!.gates as Record<string, unknown>).q = { rows: 1, cols: 1, data: new Float32Array(1) };
  assert.match(fromWorker(badGate, 'm')!, /unknown gate 'q'/);
  // probe traces are Float32Array grids whose length matches their shape; nested arrays are refused
  const nested = structuredClone(probe);
  (nested.result.layers[0] as Record<string, unknown>).h = [[0, 1], [1, 0]];
  assert.match(fromWorker(nested, 'm')!, /h: expected a grid object, got array/);
  const short = structuredClone(probe);
  short.result.layers[0]!.h = { rows: 2, cols: 2, data: new Float32Array(3) };
  assert.match(fromWorker(short, 'm')!, /h\.data: 3 values for 2x2/);
  const f64 = structuredClone(probe);
  f64.result.layers[0]!.h = { rows: 2, cols: 2, data: new Float64Array(4) as never };
  assert.match(fromWorker(f64, 'm')!, /h\.data: expected a Float32Array/);
  // the page's acknowledgement of a drawn probe
  assert.equal(toWorker({ v, seq: 1, type: 'probeDrawn', step: 3 }, 'm'), undefined);
  assert.match(toWorker({ v, seq: 1, type: 'probeDrawn' }, 'm')!, /step: expected a non-negative integer/);
});

test('host -> view runRefused is validated', () => {
  assert.equal(hostToView({ v, seq: 1, type: 'runRefused', clientRunId: 'a', reason: 'busy' }, 'm'), undefined);
  assert.match(hostToView({ v, seq: 1, type: 'runRefused', clientRunId: 'a' }, 'm')!, /reason: expected a string/);
});

test('backend info carries the fused kernel\'s fallbacks; a probe carries attention weights as a grid', () => {
  const { r, logs } = receiver(fromWorker);
  const info = { name: 'webgpu', preferred: 'auto', skipped: [], fallbacks: ['the webgpu-fused kernel does not take per-sequence lengths; this variable-length batch ran op by op'] };
  assert.ok(r.accept({ v, seq: 1, type: 'backend', info }));
  assert.equal(r.accept({ v, seq: 2, type: 'backend', info: { ...info, fallbacks: [3] } }), undefined);
  const probe = (attention: unknown) => ({
    v, seq: 3, type: 'probe',
    result: {
      step: 1, inputTokens: ['a', 'b', 'c'], layers: [], loss: 0.5, attention,
      prediction: { kind: 'classes', tokens: ['c', 'b'], probs: [0.9, 0.8] },
    },
  });
  assert.ok(r.accept(probe({ rows: 2, cols: 3, data: new Float32Array([0.2, 0.3, 0.5, 0.6, 0.4, 0]) })));
  const { r: r2, logs: logs2 } = receiver(fromWorker);
  assert.equal(r2.accept(probe({ rows: 2, cols: 3, data: new Float32Array(5) })), undefined);
  assert.ok(logs2.some((l) => /attention\.data: 5 values for 2x3/.test(l)), logs2.join('\n'));
  assert.ok(logs.some((l) => /fallbacks\[0\]: expected a string/.test(l)), logs.join('\n'));
});

test('data files travel as ArrayBuffers (host -> view -> worker), never as one JSON string; the worker decodes them', async () => {
  const { decodeText } = await import('../../src/core/bom');
  const bytes = new TextEncoder().encode('\uFEFFsource\ttarget\n한국어\t😀\n');
  const buf = bytes.buffer.slice(0);
  const experiment = {
    key: 'file:///w/p.seqlab.json', name: 'p', definitionFile: '/w/p.seqlab.json', relPath: 'p.seqlab.json', workspaceRoot: '/w',
    definitionText: '{}', files: [{ path: '/w/data/p.tsv', bytes: buf }], fileErrors: [], problems: [],
  };
  assert.equal(hostToView({ v, seq: 1, type: 'experiment', experiment }, 'm'), undefined);
  const init = { v, seq: 1, type: 'init', experiment, preferredBackend: 'cpu', metricsInterval: 5, probeTimeShare: 20, checkpointSeconds: 0 };
  assert.equal(toWorker(init, 'm'), undefined);
  // the old form, the text as a string, and other byte containers are refused by name
  const asText = { ...experiment, files: [{ path: '/w/data/p.tsv', text: 'source\ttarget\n' }] };
  assert.match(hostToView({ v, seq: 1, type: 'experiment', experiment: asText }, 'm')!, /files\[0\]\.bytes: expected an ArrayBuffer, got undefined/);
  const asView = { ...experiment, files: [{ path: '/w/data/p.tsv', bytes: bytes }] };
  assert.match(toWorker({ ...init, experiment: asView }, 'm')!, /files\[0\]\.bytes: expected an ArrayBuffer, got object/);
  const asString = { ...experiment, files: [{ path: '/w/data/p.tsv', bytes: 'c291cmNl' }] };
  assert.match(toWorker({ ...init, experiment: asString }, 'm')!, /files\[0\]\.bytes: expected an ArrayBuffer, got string/);
  // a transfer detaches the sender's buffer: the bytes moved rather than being copied
  const { port1, port2 } = new MessageChannel();
  const got = new Promise<{ files: { bytes: ArrayBuffer }[] }>((r) => { port2.onmessage = (e) => r(e.data); });
  const sent = experiment.files[0]!.bytes.slice(0);
  port1.postMessage({ files: [{ bytes: sent }] }, [sent]);
  const received = await got;
  port1.close();
  port2.close();
  assert.equal(sent.byteLength, 0, 'the sender\'s copy is detached');
  // decoded as the Node reader decodes: UTF-8, BOM dropped, Korean and emoji whole
  assert.equal(decodeText(received.files[0]!.bytes), 'source\ttarget\n한국어\t😀\n');
  assert.equal(decodeText(new Uint8Array([0x61, 0xff, 0x62])), 'a\uFFFDb', 'a malformed byte reads as U+FFFD, as readFileSync does');
});

test('every shipped example reaches the worker: its definition as the panel trains it (panelSpec) passes the init validator, decoder.maxLength included and the sweep section left out', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { parseDefinition } = await import('../../src/core/dsl');
  const { panelSpec } = await import('../../src/protocol');
  const dir = join(__dirname, '..', '..', 'examples');
  const names = readdirSync(dir).filter((f) => f.endsWith('.seqlab.json'));
  assert.ok(names.includes('adding-sweep.seqlab.json'));
  const texts = names.map((f) => ({ f, text: readFileSync(join(dir, f), 'utf8') }));
  // and a definition that sets decoder.maxLength (an optional spec field the validator once lacked)
  const rev = texts.find((t) => t.f === 'reverse-attention.seqlab.json')!;
  const withMax = JSON.parse(rev.text.replace(/^\s*\/\/.*$/gm, ''));
  withMax.decoder = { ...(withMax.decoder ?? {}), maxLength: 12 };
  texts.push({ f: 'reverse-maxlength.seqlab.json', text: JSON.stringify(withMax) });
  for (const { f, text } of texts) {
    const r = parseDefinition(text, { file: join(dir, f), workspaceRoot: join(dir, '..') });
    assert.ok(r.spec, `${f} parses`);
    const spec = panelSpec(r.spec!);
    if (f === 'reverse-maxlength.seqlab.json') assert.equal(spec.decoderMaxLength, 12);
    assert.equal('sweep' in spec, false);
    const experiment = {
      key: `file:///w/${f}`, name: f, definitionFile: `/w/${f}`, relPath: f, workspaceRoot: '/w',
      definitionText: text, files: [], fileErrors: [], problems: [], spec,
    };
    const init = { v, seq: 1, type: 'init', experiment, preferredBackend: 'cpu', metricsInterval: 5, probeTimeShare: 10, checkpointSeconds: 0 };
    assert.equal(toWorker(init, 'm'), undefined, `${f} reaches the worker`);
  }
  // the sweep section itself would be dropped on receipt: the reason the host leaves it out
  const sweepDef = texts.find((t) => t.f === 'adding-sweep.seqlab.json')!;
  const full = parseDefinition(sweepDef.text).spec!;
  assert.ok(full.sweep);
  const raw = { v, seq: 1, type: 'init', experiment: { key: 'k', name: 'n', definitionFile: '/w/a', relPath: 'a', workspaceRoot: '/w', definitionText: '', files: [], fileErrors: [], problems: [], spec: full }, preferredBackend: 'cpu', metricsInterval: 5, probeTimeShare: 10, checkpointSeconds: 0 };
  assert.match(String(toWorker(raw, 'm')), /sweep/);
});

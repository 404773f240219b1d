import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '../../src/core/tf';
import { parseDefinition } from '../../src/core/dsl';
import { buildDataset } from '../../src/core/tasks';
import { PROBE_DRIFT, probeBackends, probeKey, reviewProbe, staleReason, type ProbeCacheEntry } from '../../src/core/backendProbe';
import { useBackend, type NodeBackend } from '../../src/node/backend';
import { FileProbeCache, chooseNodeBackend, loadPerCore } from '../../src/node/backendProbe';
import type { BackendName } from '../../src/core/backend';
import { define } from '../support/spec';

const hello = () => {
  const spec = parseDefinition(readFileSync(join(__dirname, '..', '..', 'examples', 'hello.seqlab.json'), 'utf8')).spec!;
  return { spec, data: buildDataset(spec) };
};

test('backend probe: times the real model on each backend, picks the fastest, says why, caches per machine and model size', async () => {
  const { spec, data } = hello();
  const cache = new Map<string, ProbeCacheEntry>();
  const c = { get: (k: string) => cache.get(k), set: (k: string, e: ProbeCacheEntry) => void cache.set(k, e) };
  const activated: BackendName[] = [];
  const activate = async (b: BackendName) => { activated.push(b); return (await useBackend(b as NodeBackend)) === b; };
  await useBackend('cpu');
  const before = tf.memory().numTensors;
  const first = await probeBackends({ spec, data, candidates: ['wasm', 'cpu'], activate, machine: 'test-machine', cache: c, budgetMs: 50 });
  assert.equal(tf.memory().numTensors, before, 'the probe leaves no tensors behind');
  assert.equal(first.cached, false);
  assert.deepEqual(first.results.map((r) => r.backend), ['wasm', 'cpu']);
  for (const r of first.results) assert.ok(r.msPerStep > 0 && r.steps >= 1 && Math.abs(r.stepsPerSecond * r.msPerStep - 1000) < 1e-6);
  const best = [...first.results].sort((a, b) => a.msPerStep - b.msPerStep)[0];
  // the fastest, unless the preferred (earlier) one is within 5%
  assert.ok(first.backend === best.backend || (first.backend === 'wasm' && first.results[0].msPerStep <= best.msPerStep / 0.95));
  assert.match(first.reason, /^fastest: (wasm|cpu) [0-9.]+ steps\/s vs (wasm|cpu) [0-9.]+ steps\/s on this model \(measured now\)$/);
  assert.ok(activated.includes('wasm') && activated.includes('cpu'));
  // the same machine and model size: from the cache, nothing run
  activated.length = 0;
  const again = await probeBackends({ spec, data, candidates: ['wasm', 'cpu'], activate, machine: 'test-machine', cache: c });
  assert.equal(again.cached, true);
  assert.equal(again.backend, first.backend);
  assert.match(again.reason, /measured earlier on this machine/);
  assert.deepEqual(activated, []);
  // another machine, or a bigger model, measures again
  const bigger = { ...spec, layers: [{ ...spec.layers[0], units: 16 }] };
  assert.notEqual(probeKey('test-machine', bigger, data), first.key);
  assert.notEqual(probeKey('other-machine', spec, data), first.key);
  // an old measurement is taken again
  const later = await probeBackends({ spec, data, candidates: ['wasm', 'cpu'], activate, machine: 'test-machine', cache: c, budgetMs: 20, now: () => Date.now() + 8 * 24 * 3600e3 });
  assert.equal(later.cached, false);
});

test('backend probe: a backend that cannot start is reported and the other chosen; nothing is cached from a partial probe', async () => {
  const { spec, data } = hello();
  const cache = new Map<string, ProbeCacheEntry>();
  const c = { get: (k: string) => cache.get(k), set: (k: string, e: ProbeCacheEntry) => void cache.set(k, e) };
  const r = await probeBackends({
    spec, data, candidates: ['webgpu', 'cpu'], machine: 'm', cache: c, budgetMs: 20,
    activate: async (b) => { if (b === 'webgpu') throw new Error('no adapter'); return (await useBackend(b as NodeBackend)) === b; },
  });
  assert.equal(r.backend, 'cpu');
  assert.deepEqual(r.failed, [{ backend: 'webgpu', reason: 'no adapter' }]);
  assert.match(r.reason, /could not run: webgpu \(no adapter\)/);
  assert.equal(cache.size, 0);
  await assert.rejects(probeBackends({ spec, data, candidates: ['webgpu'], machine: 'm', activate: async () => false }), /no backend could run the model: webgpu: did not start/);
});

test('Node: chooseNodeBackend switches to the chosen backend and keeps the measurement in a JSON file', async () => {
  const { spec, data } = hello();
  const file = join(mkdtempSync(join(tmpdir(), 'seqlab-probe-')), 'probe.json');
  const cache = new FileProbeCache(file);
  const c = await chooseNodeBackend(spec, data, { cache, budgetMs: 30 });
  assert.equal(tf.getBackend(), c.backend);
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, ProbeCacheEntry>;
  assert.deepEqual(Object.keys(stored), [c.key]);
  assert.match(c.key, /kernels [0-9a-f]{12}\|rnn8\|v4\|b1\|t4$/);
  const again = await chooseNodeBackend(spec, data, { cache });
  assert.equal(again.cached, true);
  assert.equal(again.backend, c.backend);
});

test('backend probe: the hard cap stops the timed rounds; the second warm-up steps decide', async () => {
  const { spec, data } = hello();
  const r = await probeBackends({
    spec, data, candidates: ['wasm', 'cpu'], machine: 'cap', maxMs: 0, budgetMs: 10_000,
    activate: async (b) => (await useBackend(b as NodeBackend)) === b,
  });
  assert.deepEqual(r.results.map((x) => [x.backend, x.steps]), [['wasm', 1], ['cpu', 1]]);
  assert.ok(['wasm', 'cpu'].includes(r.backend));
});

test('backend probe: an encoder-decoder with attention is not keyed as the same model without it', () => {
  const reverse = (decoder: Record<string, unknown>) => {
    const { spec, data } = define({
      data: { task: 'reverse', length: 8, symbols: 6, samples: 40 }, input: { encoding: 'embedding', embeddingSize: 8 },
      structure: 'encoder-decoder', layers: [{ cell: 'lstm', units: 16 }], decoder,
    });
    return probeKey('m', spec, data);
  };
  const plain = reverse({});
  assert.equal(reverse({}), plain, 'the same model, the same key');
  // bahdanau runs the decoder step by step, so its speed on each backend is measured on its own
  assert.notEqual(reverse({ attention: 'bahdanau' }), plain);
  assert.notEqual(reverse({ attention: 'luong-general' }), reverse({ attention: 'bahdanau' }));
});

test('backend probe: a figure measured on a busy machine is measured again once the load has fallen; the load is recorded', async () => {
  const { spec, data } = hello();
  const cache = new Map<string, ProbeCacheEntry>();
  const c = { get: (k: string) => cache.get(k), set: (k: string, e: ProbeCacheEntry) => void cache.set(k, e) };
  const activate = async (b: BackendName) => (await useBackend(b as NodeBackend)) === b;
  let load = 2.5;
  const o = { spec, data, candidates: ['wasm', 'cpu'] as BackendName[], activate, machine: 'load', cache: c, budgetMs: 20, load: () => load };
  const busy = await probeBackends(o);
  assert.equal(busy.cached, false);
  assert.equal(cache.get(busy.key)!.load, 2.5, 'the load is kept with the figures');
  load = 1.5; // still busy: the figure holds
  assert.equal((await probeBackends(o)).cached, true);
  load = 0.4; // quiet now: measured again, under the new load
  const quiet = await probeBackends(o);
  assert.equal(quiet.cached, false);
  assert.equal(cache.get(quiet.key)!.load, 0.4);
  load = 3; // a quiet figure is kept when the machine gets busy
  assert.equal((await probeBackends(o)).cached, true);
  // the rule itself
  const e = (l?: number, ageMs = 0): ProbeCacheEntry => ({ results: [], measuredAt: 1e12 - ageMs, ...(l !== undefined ? { load: l } : {}) });
  assert.match(staleReason(e(2), 1e12, 0.5)!, /measured at load 2\.0 per core, now 0\.5/);
  assert.equal(staleReason(e(0.8), 1e12, 0), undefined, 'below one per core counts as quiet');
  assert.equal(staleReason(e(undefined), 1e12, 0), undefined, 'no load recorded (a browser): age only');
  assert.match(staleReason(e(undefined, 8 * 24 * 3600e3), 1e12)!, /older than a week/);
  const l = loadPerCore();
  assert.ok(process.platform === 'win32' ? l === undefined : l! >= 0);
});

test('backend probe: a run much faster than its cached figure drops the entry (the probe ran on a busier machine); a slower one keeps it', () => {
  const cache = new Map<string, ProbeCacheEntry>();
  const c = { get: (k: string) => cache.get(k), set: (k: string, e: ProbeCacheEntry) => void cache.set(k, e), delete: (k: string) => void cache.delete(k) };
  const results = [
    { backend: 'wasm' as const, msPerStep: 2, stepsPerSecond: 500, steps: 6 },
    { backend: 'cpu' as const, msPerStep: 2.5, stepsPerSecond: 400, steps: 6 },
  ];
  c.set('k', { results, measuredAt: Date.now() });
  const choice = { key: 'k', backend: 'wasm' as const, results };
  assert.equal(reviewProbe(c, choice, 300), undefined, 'slower than probed: kept (validation and records cost time too)');
  assert.equal(reviewProbe(c, choice, 500 * PROBE_DRIFT), undefined, 'at the threshold: kept');
  assert.ok(cache.has('k'));
  assert.match(reviewProbe(c, choice, 1400)!, /the run trained at 1400 steps\/s on wasm, the probe had measured 500: measured again next time/);
  assert.equal(cache.has('k'), false);
  // the file cache forgets an entry, keeping the others
  const file = join(mkdtempSync(join(tmpdir(), 'seqlab-probe-')), 'probe.json');
  const fc = new FileProbeCache(file);
  fc.set('a', { results, measuredAt: 1 });
  fc.set('b', { results, measuredAt: 2 });
  assert.ok(reviewProbe(fc, { ...choice, key: 'a' }, 2000));
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(file, 'utf8'))), ['b']);
});

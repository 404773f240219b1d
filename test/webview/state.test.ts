/** The panel's state object (webview/state.ts) in Node: what it relays to the host, what it shows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PanelState } from '../../webview/state';
import { PROTOCOL_VERSION, type FromWorker } from '../../src/protocol';

let seq = 0;
const m = (body: Record<string, unknown>) => ({ v: PROTOCOL_VERSION, seq: ++seq, ...body }) as unknown as FromWorker;
const fmt = (n: number) => n.toFixed(3);

test('the worker names the run; its messages are relayed to the host under that name, others are not', () => {
  const s = new PanelState();
  s.apply(m({ type: 'backend', info: { name: 'cpu', preferred: 'cpu', skipped: [] } }));
  const start = s.apply(m({ type: 'runStart', clientRunId: 'w1', steps: 20 }));
  assert.deepEqual(start.toHost, [{ type: 'runStart', clientRunId: 'w1', backend: 'cpu', steps: 20 }]);
  const rows = [{ step: 5, loss: 0.5, elapsedMs: 1, learningRate: 0.01 }];
  assert.deepEqual(s.apply(m({ type: 'metrics', clientRunId: 'w1', rows })).toHost, [{ type: 'metrics', clientRunId: 'w1', rows }]);
  assert.deepEqual(s.apply(m({ type: 'metrics', clientRunId: 'old', rows })).toHost, [], 'a message of another run is not relayed');
  assert.equal(s.runCreated('w1', 'run-a'), true);
  assert.equal(s.runCreated('nope', 'run-b'), false);
  const best = s.apply(m({ type: 'best', clientRunId: 'w1', step: 10, validLoss: 0.25, weights: {} }));
  assert.equal(best.toHost[0]!.type, 'best');
  s.apply(m({ type: 'metrics', clientRunId: 'w1', rows: [{ step: 10, loss: 0.4, validLoss: 0.25, validAccuracy: 0.5, elapsedMs: 2, learningRate: 0.01 }] }));
  assert.equal(s.lossText(fmt), 'step 10 · loss 0.400 · validation 0.250 · validation accuracy 50.0% · best step 10 (0.250) · lr 0.010');
  s.apply(m({ type: 'earlyStop', clientRunId: 'w1', step: 30, bestStep: 10, bestLoss: 0.25, patience: 2 }));
  const done = s.apply(m({ type: 'done', clientRunId: 'w1', status: 'completed', step: 30, message: 'Stopped early', earlyStoppedAt: 30, bestStep: 10 }));
  assert.deepEqual(done.toHost, [{ type: 'runEnd', clientRunId: 'w1', status: 'completed', step: 30, message: 'Stopped early', earlyStoppedAt: 30, bestStep: 10 }]);
  assert.equal(s.run, undefined);
  s.apply(m({ type: 'state', phase: 'done', step: 30, steps: 20 }));
  assert.match(s.statusText(), /^done · step 30 \/ 20 · run run-a · stopped early at step 30: no improvement for 2 validations, kept step 10$/);
});

test('a Start clicked while loading is sent once the worker is ready; replacing the worker ends the open run', () => {
  const s = new PanelState();
  s.pendingStart = true;
  assert.equal(s.apply(m({ type: 'state', phase: 'loading', step: 0, steps: 0 })).startNow, undefined);
  assert.equal(s.apply(m({ type: 'state', phase: 'ready', step: 0, steps: 10 })).startNow, true);
  assert.equal(s.pendingStart, false);
  s.apply(m({ type: 'runStart', clientRunId: 'w2', steps: 10 }));
  s.step = 4;
  assert.deepEqual(s.workerReplaced('restarted'), [{ type: 'runEnd', clientRunId: 'w2', status: 'stopped', step: 4, message: 'restarted' }]);
  assert.deepEqual(s.workerReplaced('again'), [], 'nothing open any more');
  const failed = s.apply(m({ type: 'error', message: 'boom', details: ['x'] }));
  assert.deepEqual(failed.error, { message: 'boom', details: ['x'] });
  assert.deepEqual(failed.toHost, [{ type: 'log', level: 'error', message: 'boom: x' }]);
});

test('the probe choice: typed input and the beam width go to the worker; unreadable input is remembered with why, and the choice goes back to the one before', () => {
  const s = new PanelState();
  assert.deepEqual(s.probeRequest({ example: 2 }), { type: 'probe', example: 2 }, 'greedy (beam 1) is not sent');
  assert.deepEqual(s.probeRequest({ ...s.probe, beam: 3 }), { type: 'probe', example: 2, beam: 3 });
  assert.deepEqual(s.probeRequest({ text: 'we like tea .' }), { type: 'probe', text: 'we like tea .', beam: 3 }, 'the beam width stays');
  assert.deepEqual(s.probeRequest({ text: '1, 2' }), { type: 'probe', text: '1, 2', beam: 3 });
  s.apply(m({ type: 'probeError', text: '1, 2', message: 'expected a window of 7 values' }));
  assert.deepEqual(s.probeError, { text: '1, 2', message: 'expected a window of 7 values' });
  assert.deepEqual(s.probe, { text: 'we like tea .', beam: 3 }, 'the worker keeps probing what it probed before, and so does the page');
  s.probeRequest({ example: 0 });
  assert.equal(s.probeError, undefined, 'a new request clears the message');
});

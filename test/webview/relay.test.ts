/** The page's relay to the host (webview/relay.ts): metric rows batched, everything else in order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostRelay } from '../../webview/relay';
import { Sender, type ViewToHost } from '../../src/protocol';

test('metric rows are batched per run; any other message flushes them first, so the host sees them in order', async () => {
  const got: ViewToHost[] = [];
  const relay = new HostRelay(new Sender<ViewToHost>((m) => got.push(m)), 20);
  const row = (step: number) => ({ step, loss: 1, elapsedMs: 0 });
  relay.send({ type: 'metrics', clientRunId: 'a', rows: [row(1)] });
  relay.send({ type: 'metrics', clientRunId: 'a', rows: [row(2)] });
  assert.equal(got.length, 0, 'held for the batch');
  relay.send({ type: 'metrics', clientRunId: 'b', rows: [row(1)] }); // another run: a's rows go first
  relay.send({ type: 'runEnd', clientRunId: 'b', status: 'stopped', step: 1 });
  assert.deepEqual(got.map((m) => [m.type, (m as { clientRunId?: string }).clientRunId, ((m as { rows?: unknown[] }).rows ?? []).length]), [
    ['metrics', 'a', 2], ['metrics', 'b', 1], ['runEnd', 'b', 0],
  ]);
  relay.send({ type: 'metrics', clientRunId: 'c', rows: [row(3)] });
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(got.length, 4, 'a lone batch goes after the delay');
});

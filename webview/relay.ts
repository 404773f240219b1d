/**
 * The page's messages to the host. Metric rows go in batches (at most every 250 ms): each batch is
 * one append to the run's metrics.jsonl and one summary write on the host. Any other message
 * flushes the batch first, so the host sees everything in order.
 */
import type { Outgoing, Sender, ViewToHost } from '../src/protocol';

type Rows = Extract<ViewToHost, { type: 'metrics' }>['rows'];

export class HostRelay {
  private batch?: { clientRunId: string; rows: Rows };
  private timer?: ReturnType<typeof setTimeout>;

  constructor(private readonly host: Sender<ViewToHost>, private readonly delayMs = 250) {}

  send(m: Outgoing<ViewToHost>): void {
    if (m.type === 'metrics') {
      if (this.batch && this.batch.clientRunId !== m.clientRunId) this.flush();
      this.batch ??= { clientRunId: m.clientRunId, rows: [] };
      this.batch.rows.push(...m.rows);
      this.timer ??= setTimeout(() => this.flush(), this.delayMs);
      return;
    }
    this.flush();
    this.host.send(m);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch?.rows.length) this.host.send({ type: 'metrics', clientRunId: this.batch.clientRunId, rows: this.batch.rows });
    this.batch = undefined;
  }
}

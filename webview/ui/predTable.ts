/**
 * The per-step predictions (input, predicted, p, target) as tables that wrap inside their card: the
 * steps are cut into chunks as wide as the card holds, each chunk a table with the row names
 * repeated, so a long sequence continues on the next lines instead of running off the card. While
 * the shape stays the same, cells are updated in place (live snapshots do not rebuild the DOM).
 */
export class PredTable {
  readonly root: HTMLDivElement;
  private rows: string[][] = [];
  private perChunk = 0;
  private width = 0;

  constructor() {
    this.root = document.createElement('div');
    this.root.className = 'pred-tables';
    new ResizeObserver((entries) => {
      const w = Math.round(entries[entries.length - 1]!.contentRect.width);
      if (w === this.width) return;
      this.width = w;
      if (this.rows.length && this.chunkSize() !== this.perChunk) this.build();
    }).observe(this.root);
  }

  /** Rows of cells: the first cell of each is its name. */
  set(rows: string[][]): void {
    const same = rows.length === this.rows.length && rows.every((r, i) => r.length === this.rows[i]!.length);
    this.rows = rows;
    if (!same || !this.perChunk) return this.build();
    const tables = this.root.children;
    rows.forEach((r, i) => r.slice(1).forEach((c, j) => {
      const cell = (tables[Math.floor(j / this.perChunk)] as HTMLTableElement).rows[i]!.cells[1 + (j % this.perChunk)]!;
      if (cell.textContent !== c) cell.textContent = c;
    }));
  }

  /** Cell widths as last drawn (px): the row names' column and the widest step. */
  private measured?: { head: number; cell: number };

  /** Steps per table: what fits the card's width at the widest cell (measured once drawn; about 8 px a character before). */
  private chunkSize(): number {
    const head = this.measured?.head ?? Math.max(...this.rows.map((r) => (r[0] ?? '').length)) * 8 + 16;
    const cell = this.measured?.cell ?? Math.max(...this.rows.flatMap((r) => r.slice(1).map((c) => c.length))) * 8 + 14;
    return Math.max(1, Math.floor(((this.width || this.root.clientWidth || 600) - head - 2) / Math.max(cell, 16)));
  }

  private build(): void {
    this.measured = undefined;
    this.fill(this.chunkSize());
    // measure what was drawn, and cut again when the estimate was off
    if (!this.root.isConnected) return;
    const cells = [...this.root.querySelectorAll('td')] as HTMLElement[];
    const heads = [...this.root.querySelectorAll('th')] as HTMLElement[];
    if (!cells.length) return;
    this.measured = { head: Math.max(...heads.map((e) => e.offsetWidth)), cell: Math.max(...cells.map((e) => e.offsetWidth)) };
    const fit = this.chunkSize();
    if (fit !== this.perChunk) this.fill(fit);
  }

  private fill(perChunk: number): void {
    this.perChunk = perChunk;
    this.root.textContent = '';
    const steps = Math.max(0, ...this.rows.map((r) => r.length - 1));
    for (let from = 0; from < Math.max(1, steps); from += this.perChunk) {
      const table = document.createElement('table');
      table.className = 'pred-table';
      for (const r of this.rows) {
        const tr = document.createElement('tr');
        [r[0] ?? '', ...r.slice(1 + from, 1 + from + this.perChunk)].forEach((c, i) => {
          const e = document.createElement(i ? 'td' : 'th');
          e.textContent = c;
          tr.append(e);
        });
        table.append(tr);
      }
      this.root.append(table);
    }
  }
}

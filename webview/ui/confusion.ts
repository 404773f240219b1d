/**
 * The evaluation that fits the task (src/core/evaluate.ts, computed by the worker: the same figures
 * the CLI prints), drawn in the panel:
 *
 *  - classification and tagging: the confusion matrix C[true][predicted] as a labelled grid (rows:
 *    true class, columns: predicted class), each cell coloured on a sequential scale (viridis) by its
 *    row share C[i][j] / sum_j C[i][j] (so a rare class's row reads as clearly as a common one's),
 *    its count written in it when there is room, and a hover naming both classes, the count and
 *    the row %; below it the per-class precision, recall, F1 and support, and accuracy and macro F1;
 *  - regression: MAE and RMSE per target (in the original units when the data was scaled);
 *  - next-token models: perplexity and token accuracy (and free-running scores for encoder-decoders).
 */
import type { EvaluationReportMsg } from '../../src/protocol';
import { sequential, textOn } from './colormap';
import { onThemeChange } from './theme';
import { placeTooltip } from './tooltip';
import { displayLanguage, t } from './l10n';
import { formatPercent } from '../../src/core/format';

export interface ConfusionGeometry {
  left: number; top: number; cell: number; k: number;
}

/** Longest class label drawn on an axis (the tooltip and the table give the whole label). */
const MAX_LABEL = 14;
const shortLabel = (l: string) => (l.length > MAX_LABEL ? l.slice(0, MAX_LABEL - 1) + '…' : l);

export class ConfusionView {
  readonly root: HTMLDivElement;
  readonly summary: HTMLParagraphElement;
  readonly canvas: HTMLCanvasElement;
  readonly tooltip: HTMLDivElement;
  readonly table: HTMLTableElement;
  geometry?: ConfusionGeometry;
  /** [left, right] of each predicted-class label along the x axis, and whether they are rotated (tests check they never overlap). */
  columnLabels: { boxes: [number, number][]; rotated: boolean } = { boxes: [], rotated: false };
  private report?: EvaluationReportMsg;
  private caption = '';

  constructor(host: HTMLElement) {
    this.root = document.createElement('div');
    this.root.className = 'evaluation';
    this.summary = document.createElement('p');
    this.summary.className = 'eval-summary';
    const wrap = document.createElement('div');
    wrap.className = 'confusion-wrap';
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'confusion';
    this.canvas.getContext('2d', { willReadFrequently: true });
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'heatmap-tooltip';
    this.tooltip.hidden = true;
    wrap.append(this.canvas, this.tooltip);
    this.table = document.createElement('table');
    this.table.className = 'pred-table eval-table';
    this.root.append(this.summary, wrap, this.table);
    this.root.hidden = true;
    host.append(this.root);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
    onThemeChange(() => this.draw());
  }

  /** Show a report (undefined: nothing yet); `caption` says which set and step it is of. */
  set(report: EvaluationReportMsg | undefined, caption = ''): void {
    this.report = report;
    this.caption = caption;
    this.draw();
  }

  /** The count at (true class i, predicted class j). */
  countAt(i: number, j: number): number | undefined {
    const r = this.report;
    return r?.kind === 'classification' ? r.confusion[i]?.[j] : undefined;
  }

  /** Cell under a canvas-relative point. */
  cellAt(x: number, y: number): { i: number; j: number } | undefined {
    const g = this.geometry;
    if (!g) return undefined;
    const j = Math.floor((x - g.left) / g.cell), i = Math.floor((y - g.top) / g.cell);
    return i >= 0 && j >= 0 && i < g.k && j < g.k ? { i, j } : undefined;
  }

  private draw(): void {
    const r = this.report;
    this.root.hidden = !r;
    this.tooltip.hidden = true;
    if (!r) return;
    const pct = (x: number) => formatPercent(x, displayLanguage());
    const f = (x: number) => (Math.abs(x) >= 1000 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toPrecision(4) : x.toFixed(4));
    const head = `${this.caption}${this.caption ? ' · ' : ''}${t('{0} examples', r.examples)} · ${t('loss {0}', f(r.loss))}`;
    this.table.textContent = '';
    if (r.kind !== 'classification') {
      this.canvas.hidden = true;
      this.geometry = undefined;
      if (r.kind === 'regression') {
        const units = r.units === 'original' ? t(' (original units)') : '';
        this.summary.textContent = `${head} · ${r.targets.map((x) => t('{0}: MAE {1}, RMSE {2}', x.name, f(x.mae), f(x.rmse))).join(' · ')}${units}`;
      } else {
        const fr = r.freeRunning;
        this.summary.textContent = `${head} · ${t('perplexity {0}', f(r.perplexity))} · ${t('token accuracy {0}', pct(r.accuracy))}` +
          (fr ? ` · ${t('free-running: exact match {0}, token accuracy {1}', pct(fr.exactMatch), pct(fr.tokenAccuracy))}${fr.bleu !== undefined ? `, BLEU ${(fr.bleu * 100).toFixed(1)}` : ''}` : '');
      }
      return;
    }
    this.summary.textContent = `${head} · ${t('accuracy {0}', pct(r.accuracy))} · ${t('macro F1 {0}', r.macroF1.toFixed(3))}`;
    this.canvas.hidden = false;
    this.drawMatrix(r);
    this.fillTable(r);
  }

  private drawMatrix(r: Extract<EvaluationReportMsg, { kind: 'classification' }>): void {
    const k = r.labels.length;
    const ctx = this.canvas.getContext('2d')!;
    const cs = getComputedStyle(document.body);
    const fg = cs.getPropertyValue('--vscode-foreground').trim() || '#ccc';
    const font = cs.getPropertyValue('--vscode-font-family').trim() || 'sans-serif';
    ctx.font = `11px ${font}`;
    const labels = r.labels.map(shortLabel);
    const widths = labels.map((l) => ctx.measureText(l).width);
    const maxW = Math.max(0, ...widths);
    const cell = Math.max(12, Math.min(40, Math.floor(480 / Math.max(1, k))));
    // column labels: horizontal when each fits its column, else rotated a quarter turn (one line
    // high each: 13 px), and thinned when even that does not fit
    const rotated = maxW + 4 > cell;
    const lineH = 13;
    const every = rotated ? Math.max(1, Math.ceil(lineH / cell)) : 1;
    const colH = rotated ? maxW + 6 : lineH + 4;
    const titleH = 14;
    const left = Math.ceil(maxW) + 8 + titleH;
    const top = titleH + colH;
    const W = left + k * cell + 4, H = top + k * cell + 4;
    this.canvas.width = W;
    this.canvas.height = H;
    ctx.clearRect(0, 0, W, H);
    ctx.font = `11px ${font}`;
    for (let i = 0; i < k; i++) {
      const row = r.confusion[i] ?? [];
      const total = row.reduce((s, v) => s + v, 0);
      for (let j = 0; j < k; j++) {
        const v = row[j] ?? 0;
        const rgb = sequential(total ? v / total : 0);
        ctx.fillStyle = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
        ctx.fillRect(left + j * cell, top + i * cell, cell - 1, cell - 1);
        const s = String(v);
        if (cell >= 16 && ctx.measureText(s).width + 4 <= cell) {
          ctx.fillStyle = textOn(rgb);
          ctx.textAlign = 'center';
          ctx.textBaseline = 'middle';
          ctx.fillText(s, left + j * cell + (cell - 1) / 2, top + i * cell + (cell - 1) / 2);
        }
      }
    }
    ctx.fillStyle = fg;
    // row labels (true class), right-aligned against the grid, thinned to one per line height
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const rowEvery = Math.max(1, Math.ceil(lineH / cell));
    for (let i = 0; i < k; i += rowEvery) ctx.fillText(labels[i]!, left - 4, top + i * cell + cell / 2);
    // column labels (predicted class)
    const boxes: [number, number][] = [];
    for (let j = 0; j < k; j += every) {
      const x = left + j * cell + cell / 2;
      if (rotated) {
        ctx.save();
        ctx.translate(x, top - 4);
        ctx.rotate(-Math.PI / 2);
        ctx.textAlign = 'left';
        ctx.fillText(labels[j]!, 0, 0);
        ctx.restore();
        boxes.push([x - lineH / 2, x + lineH / 2]);
      } else {
        ctx.textAlign = 'center';
        ctx.fillText(labels[j]!, x, top - 4 - lineH / 2);
        boxes.push([x - widths[j]! / 2, x + widths[j]! / 2]);
      }
    }
    this.columnLabels = { boxes, rotated };
    // axis titles
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(t('predicted'), left + (k * cell) / 2, 0);
    ctx.save();
    ctx.translate(0, top + (k * cell) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(t('true'), 0, 0);
    ctx.restore();
    this.geometry = { left, top, cell, k };
    this.canvas.dataset.drawn = '1';
  }

  private fillTable(r: Extract<EvaluationReportMsg, { kind: 'classification' }>): void {
    const row = (cells: string[], th = false) => {
      const tr = document.createElement('tr');
      cells.forEach((c, i) => {
        const e = document.createElement(th || i === 0 ? 'th' : 'td');
        e.textContent = c;
        tr.append(e);
      });
      this.table.append(tr);
    };
    row([t('class'), t('precision'), t('recall'), 'F1', t('support')], true);
    for (const c of r.classes) row([c.label, c.precision.toFixed(3), c.recall.toFixed(3), c.f1.toFixed(3), String(c.support)]);
  }

  private hover(e: MouseEvent): void {
    const r = this.report;
    const b = this.canvas.getBoundingClientRect();
    const c = this.cellAt(((e.clientX - b.left) * this.canvas.width) / b.width, ((e.clientY - b.top) * this.canvas.height) / b.height);
    if (!c || r?.kind !== 'classification') {
      this.tooltip.hidden = true;
      return;
    }
    const row = r.confusion[c.i] ?? [];
    const total = row.reduce((s, v) => s + v, 0);
    const n = row[c.j] ?? 0;
    this.tooltip.textContent = t('true {0} → predicted {1}: {2} ({3} of the row)', r.labels[c.i]!, r.labels[c.j]!, n, formatPercent(total ? n / total : 0, displayLanguage()));
    this.tooltip.dataset.i = String(c.i);
    this.tooltip.dataset.j = String(c.j);
    this.tooltip.hidden = false;
    placeTooltip(this.tooltip, e);
  }
}

/** Which set and step an evaluation is of, in the display language. */
export function evaluationCaption(e: { step: number; final: boolean; report: EvaluationReportMsg }): string {
  const set = { test: () => t('test set'), validation: () => t('validation set'), training: () => t('training set') }[e.report.split]();
  return e.final ? t('{0}, end of the run (step {1})', set, e.step) : t('{0}, step {1}', set, e.step);
}

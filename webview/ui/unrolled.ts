/**
 * The unrolled network, drawn as the course notes draw it: one box per (layer, timestep) of the
 * probe sequence, x_t coming in at the bottom (token labels), h_t passed across time, y_t going out
 * at the top, laid out by the model's structure:
 *
 *   many-to-many     an output above every step
 *   many-to-one      one output, after the last step (a bidirectional top layer: the forward
 *                    state after x_T and the backward state after x_1)
 *   one-to-many      one input, at the first step (zeros after it), an output above every step
 *   encoder-decoder  the encoder's columns, then the decoder's: the encoder's final state of each
 *                    layer starts the decoder's layer (the context arrow); with attention, a fan
 *                    from every decoder step to the encoder steps, each line as opaque as its weight
 *
 * Stacked layers are rows; a bidirectional layer is two rows, the forward one passing h right, the
 * backward one passing h left, both merged (⊕) before the layer above. Each layer is labelled with
 * its cell, units and parameters. A long sequence shows t = 1..3 and T-2..T with "…" between.
 *
 * Clicking a box shows that cell's equations (src/core/cells/equations.ts, as the cells compute
 * them) with the values of that step in the current snapshot: each gate, c_t and h_t as their mean
 * over the units and a bar of the units, and ‖dL/dh_t‖. The view follows the snapshot slider
 * (`set` with the snapshot shown) and keeps the selected box.
 *
 * SVG, every element tagged with data- attributes (kind, layer, direction, t) that the tests read.
 * Colours: theme variables through panel.css classes, values through colormap.ts.
 */
import type { Grid, ModelInfo, ProbeResultMsg, TraceLayerMsg } from '../../src/protocol';
import { cellEquations, forDirection, type EquationLine } from '../../src/core/cells/equations';
import { formatInteger } from '../../src/core/format';
import { diverging, sequential } from './colormap';
import { displayLanguage, t } from './l10n';
import { onThemeChange, highContrast } from './theme';

const SVG = 'http://www.w3.org/2000/svg';
/** Steps shown at each end of a long sequence (the middle is elided). */
export const EDGE_STEPS = 3;
/** Sequences up to this long are drawn whole. */
export const MAX_WHOLE = 8;

/** The steps drawn for a sequence of T: all of them, or the first and last EDGE_STEPS with a gap ('gap') between. */
export function visibleSteps(T: number): (number | 'gap')[] {
  if (T <= MAX_WHOLE) return Array.from({ length: T }, (_, i) => i);
  const head = Array.from({ length: EDGE_STEPS }, (_, i) => i);
  const tail = Array.from({ length: EDGE_STEPS }, (_, i) => T - EDGE_STEPS + i);
  return [...head, 'gap', ...tail];
}

export type UnrolledModel = Pick<ModelInfo, 'structure' | 'recurrentLayers' | 'headParams' | 'attention'>;
type Direction = 'forward' | 'backward';
type Stack = 'rnn' | 'encoder' | 'decoder';
interface LayerRow {
  layer: number; stack: Stack; band: number; cell: TraceLayerMsg['cell']; activation?: 'tanh' | 'relu'; units: number;
  bidirectional: boolean; params?: number;
}
/** A selected box. */
export interface CellRef { layer: number; direction: Direction; t: number }

// geometry (px)
const LEFT = 176, COL = 72, BOX_W = 40, BOX_H = 24, ROW = 46, IO = 34, GAP_COL = 34, STACK_GAP = 40;

interface Column { stack: Stack; t: number | 'gap'; x: number }

export class UnrolledView {
  readonly root: HTMLDivElement;
  readonly svg: SVGSVGElement;
  readonly detail: HTMLDivElement;
  private model?: UnrolledModel;
  private probe?: ProbeResultMsg;
  private selected?: CellRef;
  /** ms of the last draw (benchmarks read it). */
  lastDrawMs = 0;

  constructor(host: HTMLElement) {
    this.root = document.createElement('div');
    this.root.className = 'unrolled';
    const wrap = document.createElement('div');
    wrap.className = 'unrolled-wrap';
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.id = 'unrolled-svg';
    this.svg.setAttribute('role', 'img');
    wrap.append(this.svg);
    this.detail = document.createElement('div');
    this.detail.className = 'unrolled-detail';
    this.detail.id = 'unrolled-detail';
    this.detail.setAttribute('aria-live', 'polite');
    this.root.append(wrap, this.detail);
    host.append(this.root);
    this.svg.addEventListener('click', (e) => {
      const box = (e.target as Element).closest('[data-kind="cell"]') as SVGElement | null;
      if (!box) return;
      this.select({ layer: Number(box.dataset.layer), direction: box.dataset.direction as Direction, t: Number(box.dataset.t) });
    });
    this.svg.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      const box = (e.target as Element).closest('[data-kind="cell"]') as SVGElement | null;
      if (!box) return;
      e.preventDefault();
      this.select({ layer: Number(box.dataset.layer), direction: box.dataset.direction as Direction, t: Number(box.dataset.t) });
    });
    onThemeChange(() => this.draw());
  }

  /** The model (structure, layers and their parameters) and the snapshot shown. */
  set(model: UnrolledModel | undefined, probe: ProbeResultMsg | undefined): void {
    this.model = model;
    this.probe = probe;
    this.draw();
  }

  /** Show the equations of the box at (layer, direction, t) with this snapshot's values. */
  select(ref: CellRef | undefined): void {
    this.selected = ref;
    this.draw();
  }

  private layerRows(p: ProbeResultMsg): LayerRow[] {
    const seen = new Map<number, LayerRow>();
    const info = this.model?.recurrentLayers;
    for (const l of p.layers) {
      if (seen.has(l.layer)) {
        if (l.direction === 'backward') seen.get(l.layer)!.bidirectional = true;
        continue;
      }
      const m = info?.find((x) => x.layer === l.layer);
      seen.set(l.layer, {
        layer: l.layer, stack: m?.stack ?? 'rnn', band: 0, cell: l.cell, units: l.units, bidirectional: l.direction === 'backward' || !!m?.bidirectional,
        ...(m?.activation ? { activation: m.activation } : {}), ...(m ? { params: m.params } : {}),
      });
    }
    const rows = [...seen.values()].sort((a, b) => a.layer - b.layer);
    // bands: stacked layers from the bottom; a decoder's layer k sits beside the encoder's layer k
    const firstDecoder = rows.find((r) => r.stack === 'decoder')?.layer ?? Infinity;
    for (const r of rows) r.band = r.stack === 'decoder' ? r.layer - firstDecoder : r.layer;
    return rows;
  }

  private draw(): void {
    const t0 = performance.now();
    this.drawSvg();
    this.lastDrawMs = performance.now() - t0;
  }

  private drawSvg(): void {
    const svg = this.svg;
    svg.textContent = '';
    const p = this.probe;
    if (!p || !p.layers.length) {
      svg.setAttribute('width', '320');
      svg.setAttribute('height', '30');
      text(svg, 8, 20, t('no hidden-state snapshot yet'), 'u-note');
      this.detail.textContent = '';
      delete svg.dataset.structure;
      return;
    }
    const structure = (this.model?.structure ?? 'many-to-many') as 'many-to-one' | 'many-to-many' | 'one-to-many' | 'encoder-decoder';
    const rows = this.layerRows(p);
    const enc = rows.filter((r) => r.stack !== 'decoder');
    const dec = rows.filter((r) => r.stack === 'decoder');
    const trace = (layer: number, d: Direction) => p.layers.find((l) => l.layer === layer && l.direction === d);
    const S = trace(enc[0]!.layer, 'forward')?.h.rows ?? 0;
    const Tdec = dec.length ? trace(dec[0]!.layer, 'forward')?.h.rows ?? 0 : 0;

    // columns: the encoder's (or the only stack's), then the decoder's
    const cols: Column[] = [];
    let x = LEFT;
    const addCols = (stack: Stack, T: number) => {
      for (const s of visibleSteps(T)) {
        const w = s === 'gap' ? GAP_COL : COL;
        cols.push({ stack, t: s, x: x + w / 2 });
        x += w;
      }
    };
    addCols(enc[0]!.stack, S);
    const decStart = x + STACK_GAP / 2;
    if (dec.length) {
      x += STACK_GAP;
      addCols('decoder', Tdec);
    }
    const width = x + 16;

    // rows: inputs at the bottom, bands of layers, outputs on top (y grows downwards)
    const bands = Math.max(...rows.map((r) => r.band)) + 1;
    const bandBi = Array.from({ length: bands }, (_, b) => rows.some((r) => r.band === b && r.bidirectional));
    const bandH = bandBi.map((bi) => (bi ? 2 * ROW + 16 : ROW));
    // room on top for the decoder's label, above its outputs
    const height = IO + bandH.reduce((a, b) => a + b, 0) + IO + 24 + (Tdec ? 18 + 13 * (dec.length - 1) : 0);
    const bandBottom: number[] = [];
    let y = height - IO - 6;
    for (let b = 0; b < bands; b++) {
      bandBottom.push(y);
      y -= bandH[b]!;
    }
    const outY = y - IO / 2 + 4;
    const inY = height - IO / 2 - 2;
    /** Centre of the box of a layer's direction (the backward row above the forward one). */
    const boxY = (r: LayerRow, d: Direction) => bandBottom[r.band]! - ROW / 2 - (d === 'backward' ? ROW : 0);
    const mergeY = (r: LayerRow) => bandBottom[r.band]! - 2 * ROW - 4;

    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(height));
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.dataset.structure = structure;
    svg.setAttribute('aria-label', t('The network unrolled over time: {0}', structureName(structure)));
    const defs = el(svg, 'defs');
    const marker = el(defs, 'marker', { id: 'u-arrow', viewBox: '0 0 8 8', refX: '7', refY: '4', markerWidth: '6', markerHeight: '6', orient: 'auto-start-reverse' });
    el(marker, 'path', { d: 'M0,0 L8,4 L0,8 z', class: 'u-arrowhead' });
    const edges = el(svg, 'g', { class: 'u-edges' });
    const nodes = el(svg, 'g', { class: 'u-nodes' });
    const hc = highContrast();

    const colsOf = (stack: Stack) => cols.filter((c) => c.stack === stack || (stack !== 'decoder' && c.stack !== 'decoder'));
    const lastOf = (stack: Stack) => colsOf(stack).filter((c) => c.t !== 'gap').slice(-1)[0]!;
    const firstOf = (stack: Stack) => colsOf(stack)[0]!;
    const line = (kind: string, x1: number, y1: number, x2: number, y2: number, data: Record<string, string | number> = {}, arrow = true) => {
      const e = el(edges, 'line', { x1, y1, x2, y2, class: `u-edge u-${kind}`, ...(arrow ? { 'marker-end': 'url(#u-arrow)' } : {}) });
      e.dataset.kind = kind;
      for (const [k, v] of Object.entries(data)) e.dataset[k] = String(v);
      return e;
    };

    // layer labels on the left: cell, units, parameters
    for (const r of enc) {
      const label = `${r.stack === 'encoder' ? t('encoder') + ' ' : ''}${t('layer {0}', r.layer)}`;
      const lt = text(nodes, 8, boxY(r, 'forward') - (r.bidirectional ? ROW / 2 : 4), label, 'u-layer-label');
      lt.dataset.layer = String(r.layer);
      const what = text(nodes, 8, boxY(r, 'forward') + (r.bidirectional ? -ROW / 2 + 14 : 10), layerSummary(r), 'u-layer-params');
      what.dataset.layer = String(r.layer);
      if (r.params !== undefined) what.dataset.params = String(r.params);
    }
    for (const r of dec) {
      // the decoder's labels sit above its outputs, one line per layer
      const tx = text(nodes, decStart + 6, outY - 20 - 13 * (dec.length - 1 - r.band), `${t('decoder')} ${t('layer {0}', r.layer)} · ${layerSummary(r)}`, 'u-layer-params');
      tx.dataset.layer = String(r.layer);
      if (r.params !== undefined) tx.dataset.params = String(r.params);
    }
    if (dec.length) {
      const sep = el(nodes, 'line', { x1: decStart, x2: decStart, y1: outY - 10, y2: height - 4, class: 'u-separator' });
      sep.dataset.kind = 'separator';
    }

    // the boxes, coloured by the mean of h_t over the units (diverging, scaled per layer)
    for (const r of rows) {
      for (const d of (r.bidirectional ? ['forward', 'backward'] : ['forward']) as Direction[]) {
        const tr = trace(r.layer, d);
        if (!tr) continue;
        const scale = maxAbsMean(tr.h);
        for (const c of colsOf(r.stack)) {
          if (c.t === 'gap') {
            const g = text(nodes, c.x, boxY(r, d) + 4, '…', 'u-gap');
            g.dataset.kind = 'gap';
            continue;
          }
          const m = rowMean(tr.h, c.t);
          const [cr, cg, cb] = diverging(scale ? m / scale : 0);
          const selected = this.selected && this.selected.layer === r.layer && this.selected.direction === d && this.selected.t === c.t;
          const box = el(nodes, 'rect', {
            x: c.x - BOX_W / 2, y: boxY(r, d) - BOX_H / 2, width: BOX_W, height: BOX_H, rx: 4,
            fill: `rgb(${cr},${cg},${cb})`, class: `u-cell${selected ? ' u-selected' : ''}${hc ? ' u-hc' : ''}`, tabindex: '0',
          });
          Object.assign(box.dataset, { kind: 'cell', layer: String(r.layer), direction: d, t: String(c.t), stack: r.stack, hMean: String(m) });
          const title = el(box, 'title');
          title.textContent = t('{0} at t={1}: mean h {2} (click for the equations)', layerName(r, d), c.t + 1, m.toFixed(3));
        }
        // h_t across time: right for forward, left for backward; dashed through the elided middle
        const cs = colsOf(r.stack);
        for (let i = 0; i + 1 < cs.length; i++) {
          const a = cs[i]!, b = cs[i + 1]!;
          const elided = a.t === 'gap' || b.t === 'gap';
          if (elided && a.t !== 'gap') continue; // one dashed line per gap, drawn from the gap's left neighbour below
          const from = elided ? cs[i - 1]! : a;
          const to = elided ? cs[i + 1]! : b;
          const yy = boxY(r, d);
          const [x1, x2] = d === 'forward' ? [from.x + BOX_W / 2, to.x - BOX_W / 2] : [to.x - BOX_W / 2, from.x + BOX_W / 2];
          const e = line('recurrent', x1, yy, x2, yy, {
            layer: r.layer, direction: d, from: d === 'forward' ? String(from.t) : String(to.t), to: d === 'forward' ? String(to.t) : String(from.t),
            ...(elided ? { elided: 'true' } : {}),
          });
          if (elided) e.classList.add('u-elided');
        }
      }
    }

    // what feeds each box from below, and the merge of two directions
    const layerOut = (r: LayerRow, c: Column): { x: number; y: number } => (r.bidirectional ? { x: c.x, y: mergeY(r) } : { x: c.x, y: boxY(r, 'forward') - BOX_H / 2 });
    const topEnc = enc[enc.length - 1]!;
    const noMergeTop = structure === 'many-to-one';
    for (const r of rows) {
      const below = rows.find((q) => q.stack === r.stack && q.band === r.band - 1);
      for (const c of colsOf(r.stack)) {
        if (c.t === 'gap') continue;
        const step = c.t;
        // the merge node ⊕ of a bidirectional layer
        if (r.bidirectional && !(noMergeTop && r === topEnc)) {
          const mg = el(nodes, 'circle', { cx: c.x, cy: mergeY(r), r: 7, class: 'u-merge' });
          Object.assign(mg.dataset, { kind: 'merge', layer: String(r.layer), t: String(step) });
          const mt = el(mg, 'title');
          mt.textContent = t('merge of both directions: {0}', this.model?.recurrentLayers?.find((m) => m.layer === r.layer)?.merge ?? 'concat');
          for (const d of ['forward', 'backward'] as Direction[]) {
            const from = d === 'forward' ? boxY(r, 'forward') - BOX_H / 2 : boxY(r, 'backward') - BOX_H / 2;
            const ex = d === 'forward' ? c.x - BOX_W / 2 + 6 : c.x;
            line('merge', ex, from, c.x, mergeY(r) + 7, { layer: r.layer, direction: d, t: step });
          }
        }
        for (const d of (r.bidirectional ? ['forward', 'backward'] : ['forward']) as Direction[]) {
          const yTop = boxY(r, d) + BOX_H / 2;
          const dx = r.bidirectional ? (d === 'forward' ? -8 : 8) : 0;
          if (below) {
            const src = layerOut(below, c);
            line('up', src.x + dx / 2, src.y, c.x + dx, yTop, { layer: r.layer, direction: d, t: step });
          } else {
            // the bottom layer reads x_t (one-to-many: x at the first step only, zeros after)
            if (structure === 'one-to-many' && step > 0) continue;
            const e = line('input', c.x + dx, inY - 10, c.x + dx, d === 'backward' ? boxY(r, 'forward') + BOX_H / 2 : yTop, { layer: r.layer, direction: d, t: step });
            if (d === 'backward') {
              // routed beside the forward box to the backward one
              e.setAttribute('x1', String(c.x + BOX_W / 2 + 4));
              e.setAttribute('x2', String(c.x + BOX_W / 2 + 4));
              e.setAttribute('y2', String(boxY(r, 'backward') + 2));
            }
          }
        }
      }
    }

    // inputs x_t (token labels) at the bottom
    const inputLabels = (stack: Stack): string[] => {
      if (stack !== 'decoder') return p.inputTokens;
      const pr = p.prediction;
      // teacher forcing: the decoder reads <start>, y_1, ..., y_{T-1}
      const ys = p.outputTokens ?? (pr.kind === 'classes' ? pr.targets ?? pr.tokens : []);
      return ['<s>', ...ys];
    };
    for (const stack of [enc[0]!.stack, ...(dec.length ? ['decoder' as Stack] : [])]) {
      const labels = inputLabels(stack);
      for (const c of colsOf(stack)) {
        if (c.t === 'gap' || (structure === 'one-to-many' && c.t > 0)) continue;
        // real-valued inputs have no token: x (their values are in the prediction chart)
        const label = labels[c.t] === undefined || labels[c.t] === `t${c.t}` ? 'x' : visibleToken(labels[c.t]!);
        const n = text(nodes, c.x, inY + 6, label, 'u-token');
        Object.assign(n.dataset, { kind: 'input', stack, t: String(c.t), token: labels[c.t] ?? '' });
        const tt = text(nodes, c.x, inY + 19, `t=${c.t + 1}`, 'u-step');
        tt.dataset.kind = 'step';
      }
    }

    // outputs y_t on top
    const outputs: { col: Column; step: number; sources: { x: number; y: number }[] }[] = [];
    const top = dec.length ? dec[dec.length - 1]! : topEnc;
    if (structure === 'many-to-one') {
      const last = lastOf(top.stack);
      const sources = [{ x: last.x, y: (top.bidirectional ? boxY(top, 'backward') : boxY(top, 'forward')) - BOX_H / 2 }];
      if (top.bidirectional) {
        // the forward state after x_T goes up beside the backward row; the backward state after x_1 comes from the first column
        sources[0] = { x: last.x - BOX_W / 2 + 4, y: boxY(top, 'forward') - BOX_H / 2 };
        const first = firstOf(top.stack);
        sources.push({ x: first.x, y: boxY(top, 'backward') - BOX_H / 2 });
      }
      outputs.push({ col: last, step: last.t as number, sources });
    } else {
      for (const c of colsOf(top.stack)) {
        if (c.t === 'gap') continue;
        outputs.push({ col: c, step: c.t, sources: [layerOut(top, c)] });
      }
    }
    for (const o of outputs) {
      const label = outputLabel(p, o.step, structure);
      const n = text(nodes, o.col.x, outY, label.text, 'u-token u-output');
      Object.assign(n.dataset, { kind: 'output', t: String(o.step), token: label.text });
      if (label.title) el(n, 'title').textContent = label.title;
      for (const s of o.sources) line('output', s.x, s.y, o.col.x, outY + 6, { t: o.step });
    }
    if (this.model?.headParams !== undefined) {
      const hp = text(nodes, 8, outY, t('output · {0} parameters', formatInteger(this.model.headParams, displayLanguage())), 'u-layer-params');
      hp.dataset.kind = 'head';
      hp.dataset.params = String(this.model.headParams);
    }

    // encoder-decoder: the context arrow (each encoder layer's final state starts the decoder's layer),
    // and the attention fan from each decoder step to the encoder steps
    if (dec.length) {
      const lastEnc = lastOf(enc[0]!.stack);
      const firstDec = firstOf('decoder');
      for (const r of dec) {
        const e = enc.find((q) => q.band === r.band);
        if (!e) continue;
        line('context', lastEnc.x + BOX_W / 2, boxY(e, 'forward'), firstDec.x - BOX_W / 2, boxY(r, 'forward'), { from: e.layer, to: r.layer });
        if (e.bidirectional) {
          // the backward direction's final state is the one after x_1, at the first column
          const first = firstOf(enc[0]!.stack);
          const c = line('context', first.x, boxY(e, 'backward') - BOX_H / 2, firstDec.x - BOX_W / 2, boxY(r, 'forward') - 6, { from: e.layer, to: r.layer, direction: 'backward' });
          c.classList.add('u-context-back');
        }
      }
      const a = p.attention;
      if (a && a.rows && a.cols) {
        const topDec = dec[dec.length - 1]!;
        // a selected decoder cell: its step's fan stands out, the others fade
        const focus = this.selected && dec.some((r) => r.layer === this.selected!.layer) ? this.selected.t : undefined;
        for (const dc of colsOf('decoder')) {
          if (dc.t === 'gap' || dc.t >= a.rows) continue;
          for (const ec of colsOf(enc[0]!.stack)) {
            if (ec.t === 'gap' || ec.t >= a.cols) continue;
            const w = a.data[dc.t * a.cols + ec.t]!;
            const src = layerOut(topEnc, ec);
            const f = line('attention', dc.x, boxY(topDec, 'forward') - BOX_H / 2, src.x, src.y - (topEnc.bidirectional ? 7 : 0), { from: dc.t, to: ec.t, weight: w }, false);
            const dim = focus !== undefined && focus !== dc.t;
            f.setAttribute('stroke-opacity', String(Math.max(0.03, Math.min(1, w)) * (dim ? 0.15 : 1)));
            if (dim) f.classList.add('u-dim');
            el(f, 'title').textContent = t('attention of decoder step {0} on encoder step {1}: {2}', dc.t + 1, ec.t + 1, w.toFixed(3));
          }
        }
      }
    }
    this.renderDetail(p, rows);
  }

  private renderDetail(p: ProbeResultMsg, rows: LayerRow[]): void {
    const d = this.detail;
    d.textContent = '';
    const s = this.selected;
    const r = s && rows.find((x) => x.layer === s.layer);
    const tr = s && p.layers.find((l) => l.layer === s.layer && l.direction === s.direction);
    if (!s || !r || !tr || s.t >= tr.h.rows) {
      d.append(para(t('Click a cell to see its equations with the values of that step.'), 'hint'));
      delete d.dataset.layer;
      return;
    }
    Object.assign(d.dataset, { layer: String(s.layer), direction: s.direction, t: String(s.t), step: String(p.step) });
    const tokens = r.stack === 'decoder' ? undefined : p.inputTokens;
    const tok = tokens?.[s.t];
    const h = document.createElement('h3');
    h.textContent = `${layerName(r, s.direction)} · ${r.cell.toUpperCase()}(${r.units}) · t = ${s.t + 1}${tok !== undefined ? ` (${visibleToken(tok)})` : ''} · ${t('training step {0}', p.step)}`;
    d.append(h);
    const table = document.createElement('table');
    table.className = 'u-equations';
    const lines = cellEquations(r.cell, r.activation);
    for (const line of lines) table.append(this.equationRow(line, tr, s));
    // ‖dL/dh_t‖: how much the loss changes with h_t, through every later step and the layers above
    const gr = document.createElement('tr');
    gr.dataset.term = 'grad';
    const g = tr.gradNorms?.[s.t];
    gr.append(cellOf('‖∂L/∂h_t‖', 'u-math'), cellOf(t('gradient of the loss'), 'u-what'), cellOf(g === undefined ? '—' : fmtValue(g), 'u-mean'));
    if (g !== undefined) gr.dataset.value = String(g);
    else gr.title = t('not measured for this layer');
    table.append(gr);
    d.append(table);
  }

  private equationRow(line: EquationLine, tr: TraceLayerMsg, s: CellRef): HTMLTableRowElement {
    const row = document.createElement('tr');
    row.dataset.term = line.term;
    const grid: Grid | undefined = line.term === 'h' ? tr.h : line.term === 'c' ? tr.c : tr.gates?.[line.term];
    row.append(cellOf(forDirection(line.math, s.direction), 'u-math'), cellOf(TERM_NAMES[line.name]?.() ?? line.name, 'u-what'));
    if (!grid || s.t >= grid.rows) {
      row.append(cellOf('—', 'u-mean'));
      row.title = t('not traced for this layer');
      return row;
    }
    const values = grid.data.subarray(s.t * grid.cols, (s.t + 1) * grid.cols);
    const mean = rowMean(grid, s.t);
    row.dataset.mean = String(mean);
    row.append(cellOf(fmtValue(mean), 'u-mean'));
    const bar = document.createElement('td');
    bar.append(miniBar(values, line.range));
    row.append(bar);
    return row;
  }
}

// ---- helpers ----------------------------------------------------------------------------------

/** The equations' names of things (equations.ts), in the display language. */
const TERM_NAMES: Record<string, () => string> = {
  'input gate': () => t('input gate'), 'forget gate': () => t('forget gate'), candidate: () => t('candidate'), 'output gate': () => t('output gate'),
  'cell state': () => t('cell state'), 'hidden state': () => t('hidden state'), 'reset gate': () => t('reset gate'), 'update gate': () => t('update gate'),
};

function el<K extends keyof SVGElementTagNameMap>(parent: Element, tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.append(e);
  return e;
}

function text(parent: Element, x: number, y: number, s: string, cls: string): SVGTextElement {
  const e = el(parent, 'text', { x, y, class: cls });
  e.textContent = s;
  return e;
}

function cellOf(s: string, cls: string): HTMLTableCellElement {
  const c = document.createElement('td');
  c.className = cls;
  c.textContent = s;
  return c;
}

function para(s: string, cls: string): HTMLParagraphElement {
  const e = document.createElement('p');
  e.className = cls;
  e.textContent = s;
  return e;
}

/** The mean over the units of row t. */
function rowMean(g: Grid, row: number): number {
  let s = 0;
  for (let u = 0; u < g.cols; u++) s += g.data[row * g.cols + u]!;
  return g.cols ? s / g.cols : 0;
}

function maxAbsMean(g: Grid): number {
  let m = 0;
  for (let r = 0; r < g.rows; r++) m = Math.max(m, Math.abs(rowMean(g, r)));
  return m;
}

/** One bar per unit (at most 64 drawn), coloured on the value's scale: [0, 1] for sigmoid gates, ±max for the rest. */
function miniBar(values: Float32Array, range: EquationLine['range']): SVGSVGElement {
  const n = Math.min(values.length, 64);
  const w = 3;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'u-bar');
  svg.setAttribute('width', String(n * w));
  svg.setAttribute('height', '12');
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(values[i]!));
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const [r, g, b] = range === 'unit' ? sequential(v) : diverging(m ? v / m : 0);
    el(svg, 'rect', { x: i * w, y: 0, width: w, height: 12, fill: `rgb(${r},${g},${b})` });
  }
  return svg;
}

function fmtValue(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toFixed(3);
}

function visibleToken(s: string): string {
  return s === ' ' ? '␣' : s === '\n' ? '⏎' : s.length > 6 ? s.slice(0, 5) + '…' : s;
}

function layerName(r: LayerRow, d: Direction): string {
  const stack = r.stack === 'encoder' ? `${t('encoder')} ` : r.stack === 'decoder' ? `${t('decoder')} ` : '';
  return `${stack}${t('layer {0}', r.layer)}${r.bidirectional ? ` ${d === 'forward' ? t('forward') : t('backward')}` : ''}`;
}

function layerSummary(r: LayerRow): string {
  const cell = `${r.bidirectional ? 'bi-' : ''}${r.cell.toUpperCase()}${r.activation === 'relu' ? '/relu' : ''}(${r.units})`;
  return r.params === undefined ? cell : `${cell} · ${t('{0} parameters', formatInteger(r.params, displayLanguage()))}`;
}

function structureName(s: string): string {
  return ({
    'many-to-one': () => t('many-to-one'), 'many-to-many': () => t('many-to-many'), 'one-to-many': () => t('one-to-many'), 'encoder-decoder': () => t('encoder-decoder'),
  } as Record<string, () => string>)[s]?.() ?? s;
}

/** The label of output y_t: the predicted token, probability or value (the target in its tooltip). */
function outputLabel(p: ProbeResultMsg, step: number, structure: string): { text: string; title?: string } {
  const pr = p.prediction;
  const i = structure === 'many-to-one' ? 0 : step;
  if (pr.kind === 'classes') {
    const tok = pr.tokens[i];
    return { text: tok === undefined ? 'y' : visibleToken(tok), ...(pr.targets?.[i] !== undefined ? { title: t('target: {0}', pr.targets[i]!) } : {}) };
  }
  if (pr.kind === 'binary') {
    const q = pr.probs[i];
    return { text: q === undefined ? 'y' : `p=${q.toFixed(2)}`, ...(pr.targets?.[i] !== undefined ? { title: t('target: {0}', String(pr.targets[i])) } : {}) };
  }
  const v = pr.predicted[i]?.[0];
  return { text: v === undefined ? 'y' : fmtValue(v), ...(pr.target[i]?.[0] !== undefined ? { title: t('target: {0}', fmtValue(pr.target[i]![0]!)) } : {}) };
}

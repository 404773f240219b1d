/**
 * The prediction on the probe's input, as the core's Predictor wrote it (src/core/predict.ts
 * TypedPrediction): classes with probabilities, a tag per token, an encoder-decoder's free-running
 * output with the beam's alternatives and their scores, a language model's next tokens and
 * continuation, a forecast in the original units. Rebuilt per snapshot (it is small).
 */
import type { TypedPredictionMsg } from '../../src/protocol';
import { t } from './l10n';

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
const p3 = (x: number) => x.toFixed(3);

function table(rows: string[][], id?: string, header = false): HTMLTableElement {
  const tb = el('table', 'pred-table');
  if (id) tb.id = id;
  rows.forEach((r, i) => {
    const tr = el('tr');
    r.forEach((c, j) => tr.append(el(header ? (i ? 'td' : 'th') : j ? 'td' : 'th', undefined, c)));
    tb.append(tr);
  });
  return tb;
}

/** Draw `p` into `host` (emptied first). */
export function renderTyped(host: HTMLElement, p: TypedPredictionMsg): void {
  host.textContent = '';
  host.dataset.input = p.input;
  if (p.unknown?.length) host.append(el('p', 'typed-unknown', t('not in the vocabulary, read as <unk>: {0}', p.unknown.join(', '))));
  if (p.output !== undefined) {
    const out = el('p', 'typed-output');
    out.append(el('span', 'typed-key', t('free-running output: ')));
    const text = el('strong', undefined, p.output);
    text.id = 'decoded-output';
    out.append(text);
    if (p.truncated) out.append(el('span', 'typed-note', t(' (stopped at the maximum length)')));
    host.append(out);
    if (p.target !== undefined) host.append(el('p', 'typed-target', t('target: {0}', p.target)));
    if (p.alternatives?.length) {
      host.append(table([[t('rank'), t('output'), t('score'), t('log p')], ...p.alternatives.map((a, i) => [String(i + 1), a.output, a.score === undefined ? '' : p3(a.score), p3(a.logProb)])], 'beam-alternatives', true));
    }
  } else if (p.label !== undefined && p.top) {
    host.append(el('p', 'typed-output', t('predicted: {0} (p={1})', p.label, p3(p.probability ?? NaN))));
    host.append(table([[t('class'), t('probability')], ...p.top.map((c) => [c.label, p3(c.probability)])], 'typed-classes', true));
  } else if (p.flags) {
    const yes = Object.entries(p.flags).filter(([, v]) => v).map(([k]) => k);
    host.append(el('p', 'typed-output', t('predicted: {0} (p={1})', yes.length ? yes.join(', ') : t('negative'), p3(p.probability ?? NaN))));
  } else if (p.tags && p.tokens) {
    host.append(table([[t('input'), ...p.tokens], [t('tag'), ...p.tags], ['p', ...(p.probabilities ?? []).map((x) => x.toFixed(2))]], 'typed-tags'));
  } else if (p.next) {
    host.append(table([[t('next token'), ...p.next.map((n) => JSON.stringify(n.token))], ['p', ...p.next.map((n) => p3(n.probability))]], 'typed-next'));
    if (p.continuation !== undefined) host.append(el('p', 'typed-output', t('greedy continuation: {0}', p.continuation)));
  } else if (p.prediction) {
    host.append(el('p', 'typed-output', t('forecast: {0}', Object.entries(p.prediction).map(([k, v]) => `${k} = ${v}`).join(', '))));
  } else if (p.predictions) {
    host.append(table([[t('step'), ...p.predictions.map((_, i) => String(i + 1))], ...Object.keys(p.predictions[0] ?? {}).map((k) => [k, ...p.predictions!.map((r) => String(r[k]))])], 'typed-steps'));
  } else if (p.tags) {
    host.append(table([[t('output'), ...p.tags]], 'typed-tags'));
  } else if (p.probabilities) {
    host.append(table([['p', ...p.probabilities.map((x) => x.toFixed(2))]], 'typed-tags'));
  }
}

/**
 * Read-only markdown documents (scheme `seqlab-report`): one run's report, and a comparison of
 * several runs (final/valid loss, steps, backend, and where their definitions differ).
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricRow } from '../core/train';
import { parseDefinition } from '../core/dsl';
import { formatDuration, formatPercent } from '../core/format';
import type { RunRef } from './runs';
import { earlierWeightsLabel, relativeTime, runLoss, statusLabel } from './tree';
import { formatLoss } from './trainingStatus';
import { curvesMarkdown, type CurveSeries } from '../core/curveSvg';
import { describeOverrides, sweepReport, type SweepReportWords, type SweepResult } from '../core/sweep';

export const REPORT_SCHEME = 'seqlab-report';

export class ReportProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private n = 0;
  private readonly reg = vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.path) ?? '';
  }

  /** Shows markdown as a document (and its preview when the markdown extension is there). */
  async show(title: string, markdown: string): Promise<vscode.Uri> {
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${++this.n}/${title.replace(/[\\/:*?"<>|#]/g, '_')}.md` });
    this.docs.set(uri.path, markdown);
    this.changed.fire(uri);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
      await vscode.window.showTextDocument(doc, { preview: true });
    }
    return uri;
  }

  dispose(): void {
    this.reg.dispose();
    this.changed.dispose();
  }
}

const cell = (v: unknown) => (v === undefined || v === null || v === '' ? '–' : String(v).replace(/\|/g, '\\|').replace(/\n/g, ' '));

/** The definition a run was trained with (the run store keeps a copy in the run folder). */
export function runDefinitionText(r: RunRef): string | undefined {
  try {
    return r.store.definitionText(r.entry.id);
  } catch {
    return undefined;
  }
}

function flatten(v: unknown, prefix: string, out: Map<string, string>): void {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(v) && v.some((x) => x && typeof x === 'object')) {
    v.forEach((x, i) => flatten(x, `${prefix}[${i}]`, out));
    out.set(`${prefix}.length`, String(v.length));
  } else {
    out.set(prefix, JSON.stringify(v));
  }
}

/** The normalised spec of each run flattened to dotted paths ("training.learningRate" -> "0.01"). */
function specOf(r: RunRef): Map<string, string> | undefined {
  const text = runDefinitionText(r);
  if (text === undefined) return undefined;
  const p = parseDefinition(text);
  const out = new Map<string, string>();
  // the sweep section is not part of what a run trained (a trial's recorded definition has none)
  if (p.spec) { const { name: _n, description: _d, sweep: _s, ...rest } = p.spec; void _n; void _d; void _s; flatten(rest, '', out); }
  return p.spec ? out : undefined;
}

function duration(s: { startedAt: string; endedAt?: string }): string {
  if (!s.endedAt) return '';
  const ms = Date.parse(s.endedAt) - Date.parse(s.startedAt);
  if (!Number.isFinite(ms) || ms < 0) return '';
  return formatDuration(ms, vscode.env.language);
}

/** 'experiment / run' when the runs come from several experiments (a run's name alone is ambiguous then). */
export function runLabel(r: RunRef, many: boolean): string {
  const s = r.entry.summary;
  const name = s?.name || r.entry.id;
  return many && s ? `${s.experiment.replace(/\.seqlab\.json$/, '')} / ${r.entry.id}` : name;
}

/** Each run's loss curve (validation loss where the run has one, else training loss), for the overlay chart. */
function curveOf(r: RunRef, label: string, valid: boolean): CurveSeries {
  let rows: MetricRow[] = [];
  try { rows = r.store.readMetrics(r.entry.id); } catch { /* a damaged run draws nothing */ }
  return {
    label,
    points: rows.flatMap((m): [number, number][] => {
      const v = valid ? m.validLoss : m.loss;
      return v === undefined || v === null ? [] : [[m.step, v]];
    }),
  };
}

/** Overlaid curves of the runs as a markdown image: validation loss when every run has it, else training loss. */
function overlayChart(runs: RunRef[], labels: string[]): string[] {
  const t = vscode.l10n.t;
  const valid = runs.every((r) => { try { return r.store.readMetrics(r.entry.id).some((m) => m.validLoss !== undefined); } catch { return false; } });
  const img = curvesMarkdown(runs.map((r, i) => curveOf(r, labels[i], valid)), {
    xLabel: t('step'), yLabel: valid ? t('validation loss') : t('training loss'), alt: t('Loss curves'),
  });
  return img ? [`## ${t('Loss curves')}`, '', img, ''] : [];
}

export function compareMarkdown(runs: RunRef[]): string {
  const t = vscode.l10n.t;
  const many = new Set(runs.map((r) => r.entry.summary?.experiment)).size > 1;
  const labels = runs.map((r) => runLabel(r, many));
  const lines: string[] = [`# ${t('Run comparison')}`, ''];
  const head = [t('Run'), t('Experiment'), t('Status'), t('Steps'), t('Final loss'), t('Validation loss'), t('Accuracy'), t('Backend'), t('Started'), t('Duration')];
  lines.push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i >= 3 && i <= 6 ? '---:' : '---')).join('|')}|`);
  for (const r of runs) {
    const s = r.entry.summary;
    if (!s || r.entry.broken) {
      lines.push(`| ${cell(r.entry.id)} | – | ${statusLabel('broken')}: ${cell(r.entry.broken)} | – | – | – | – | – | – | – |`);
      continue;
    }
    lines.push(`| ${cell(runLabel(r, many))} | ${cell(s.experiment)} | ${cell(statusLabel(s.status))} | ${s.step}/${s.steps} | ${cell(formatLoss(runLoss(s)))} | ${cell(s.validLoss !== undefined ? formatLoss(s.validLoss) : undefined)} | ${cell(s.accuracy !== undefined ? formatPercent(s.accuracy, vscode.env.language) : undefined)} | ${cell(s.backend)} | ${cell(relativeTime(s.startedAt))} | ${cell(duration(s))} |`);
  }
  const best = runs.filter((r) => r.entry.summary && runLoss(r.entry.summary) !== undefined)
    .sort((a, b) => (a.entry.summary!.validLoss ?? runLoss(a.entry.summary!)!) - (b.entry.summary!.validLoss ?? runLoss(b.entry.summary!)!))[0];
  if (best) lines.push('', t('Lowest loss: **{0}**.', runLabel(best, many)));
  lines.push('', ...overlayChart(runs, labels));

  lines.push('', `## ${t('Definition differences')}`, '');
  const specs = runs.map(specOf);
  const missing = runs.filter((_, i) => !specs[i]).map((r) => r.entry.id);
  const keys = new Set<string>();
  for (const s of specs) if (s) for (const k of s.keys()) keys.add(k);
  const diff = [...keys].sort().filter((k) => new Set(specs.filter(Boolean).map((s) => s!.get(k) ?? '–')).size > 1);
  if (specs.filter(Boolean).length < 2) lines.push(t('Fewer than two of these runs have a readable definition, so there is nothing to compare.'));
  else if (!diff.length) lines.push(t('The runs were trained from the same model and training settings.'));
  else {
    const names = labels.map(cell);
    lines.push(`| ${t('Setting')} | ${names.join(' | ')} |`, `|---|${names.map(() => '---').join('|')}|`);
    for (const k of diff) lines.push(`| \`${k}\` | ${specs.map((s) => (s ? cell(s.get(k) ?? '–') : '?')).join(' | ')} |`);
  }
  if (missing.length) lines.push('', t('No readable definition in: {0}', missing.join(', ')));
  return lines.join('\n') + '\n';
}

function sparkline(values: number[]): string {
  if (values.length < 2) return '';
  const bars = '▁▂▃▄▅▆▇█';
  const lo = Math.min(...values), hi = Math.max(...values);
  const k = Math.max(1, Math.ceil(values.length / 60));
  const picked = values.filter((_, i) => i % k === 0);
  return picked.map((v) => bars[hi > lo ? Math.min(7, Math.floor(((v - lo) / (hi - lo)) * 8)) : 0]).join('');
}

export function runMarkdown(r: RunRef, metrics: MetricRow[]): string {
  const t = vscode.l10n.t;
  const s = r.entry.summary;
  const lines: string[] = [];
  if (!s || r.entry.broken) {
    lines.push(`# ${r.entry.id}`, '', `**${statusLabel('broken')}**: ${cell(r.entry.broken)}`, '', `\`${r.entry.dir}\``);
    return lines.join('\n') + '\n';
  }
  lines.push(`# ${s.name || r.entry.id}`, '', `| | |`, `|---|---|`);
  const row = (k: string, v: unknown) => { if (v !== undefined && v !== '') lines.push(`| ${k} | ${cell(v)} |`); };
  row(t('Experiment'), s.experiment);
  row(t('Run'), r.entry.id);
  row(t('Status'), statusLabel(s.status));
  row(t('Steps'), `${s.step}/${s.steps}`);
  row(t('Final loss'), s.finalLoss !== undefined ? formatLoss(s.finalLoss) : undefined);
  row(t('Latest loss'), s.lastLoss !== undefined ? formatLoss(s.lastLoss) : undefined);
  row(t('Validation loss'), s.validLoss !== undefined ? formatLoss(s.validLoss) : undefined);
  row(t('Accuracy'), s.accuracy !== undefined ? formatPercent(s.accuracy, vscode.env.language) : undefined);
  row(t('Backend'), s.backend);
  row(t('Started'), new Date(s.startedAt).toLocaleString(vscode.env.language));
  row(t('Ended'), s.endedAt ? new Date(s.endedAt).toLocaleString(vscode.env.language) : undefined);
  row(t('Duration'), duration(s));
  row(t('Message'), s.message);
  row(t('Folder'), r.entry.dir);
  row(t('Weights'), existsSync(join(r.entry.dir, 'weights.json')) ? earlierWeightsLabel(s) ?? 'weights.json' : undefined);
  if (metrics.length) {
    lines.push('', `## ${t('Loss')}`, '', '```', sparkline(metrics.map((m) => m.loss)), '```', '');
    const hasValid = metrics.some((m) => m.validLoss !== undefined);
    const hasAcc = metrics.some((m) => m.accuracy !== undefined);
    const head = [t('Step'), t('Loss'), ...(hasValid ? [t('Validation loss')] : []), ...(hasAcc ? [t('Accuracy')] : [])];
    lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`);
    const k = Math.max(1, Math.ceil(metrics.length / 25));
    const shown = metrics.filter((_, i) => i % k === 0 || i === metrics.length - 1);
    for (const m of shown) {
      lines.push(`| ${m.step} | ${formatLoss(m.loss)} |${hasValid ? ` ${m.validLoss !== undefined ? formatLoss(m.validLoss) : '–'} |` : ''}${hasAcc ? ` ${m.accuracy !== undefined ? formatPercent(m.accuracy, vscode.env.language) : '–'} |` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** The sweep report's words in the display language. */
function sweepWords(): SweepReportWords {
  const t = vscode.l10n.t;
  return {
    rank: '#', trial: t('trial'), validLoss: t('validation loss'), validAccuracy: t('validation accuracy'), finalLoss: t('Final loss'), parameters: t('parameters'),
    steps: t('Steps'), status: t('Status'), run: t('Run'), seconds: t('seconds'),
    title: (e) => t('Sweep of {0}', e),
    sweep: (id, n) => t('Sweep {0}: {1} trial(s), sorted by validation loss (the best of each run).', `\`${id}\``, n),
    best: (k, settings, loss) => t('Best: trial {0} ({1}), validation loss {2}.', k, settings, loss),
    ratio: (k, settings, x) => t('Trial {0} ({1}): {2}x the best validation loss.', k, settings, x),
    none: t('No trial has a validation loss yet.'),
  };
}

/**
 * A sweep's results (its trials' runs): the table sorted by validation loss, one column per swept
 * setting (TensorBoard HParams style), and the trials' curves overlaid.
 */
export function sweepMarkdown(sweepId: string, experiment: string, trials: RunRef[], results: SweepResult[]): string {
  const t = vscode.l10n.t;
  const labels = trials.map((r) => {
    const w = r.entry.summary?.sweep;
    return w ? `#${w.trial} ${describeOverrides(w.overrides)}` : r.entry.id;
  });
  return sweepReport(experiment, sweepId, results, sweepWords()) + '\n' + overlayChart(trials, labels).join('\n') + (trials.length ? '' : t('No trial has started yet.') + '\n');
}

/**
 * "Predict with Run": one prediction of a run (src/core/predict.ts's record) as markdown, for every
 * kind of task: an encoder-decoder's output and its beam alternatives, a class and its top
 * probabilities, a tag per token, next tokens and a continuation, values in the original units.
 */
export function predictionMarkdown(r: RunRef, p: Record<string, unknown>): string {
  const t = vscode.l10n.t;
  const lang = vscode.env.language;
  const s = r.entry.summary;
  const lines: string[] = [`# ${t('Prediction of {0}', s?.name || r.entry.id)}`, '', `| | |`, `|---|---|`];
  const row = (k: string, v: unknown) => { if (v !== undefined && v !== '') lines.push(`| ${k} | ${cell(v)} |`); };
  const pct = (v: unknown) => (typeof v === 'number' ? formatPercent(v, lang) : undefined);
  row(t('Run'), r.entry.id);
  row(t('Input'), p.input);
  if (Array.isArray(p.unknown) && p.unknown.length) row(t('Unknown tokens (read as <unk>)'), p.unknown.join(' '));
  row(t('Output'), p.output);
  if (p.finished === false) row(t('Note'), t('The decoder reached its length limit without writing the end symbol.'));
  row(t('Label'), p.label);
  row(t('Probability'), pct(p.probability));
  row(t('Continuation'), p.continuation);
  if (p.prediction && typeof p.prediction === 'object') for (const [k, v] of Object.entries(p.prediction as Record<string, unknown>)) row(k, v);
  const table = (head: string[], rows: unknown[][]) => {
    lines.push('', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
    for (const x of rows) lines.push(`| ${x.map(cell).join(' | ')} |`);
  };
  if (Array.isArray(p.alternatives)) {
    lines.push('', `## ${t('Beam search alternatives')}`);
    table(['#', t('Output'), t('Score'), t('Log probability')], (p.alternatives as Record<string, unknown>[]).map((a, i) => [i + 1, a.output, a.score, a.logProb]));
  }
  if (Array.isArray(p.top)) {
    lines.push('', `## ${t('Most likely classes')}`);
    table([t('Label'), t('Probability')], (p.top as Record<string, unknown>[]).map((x) => [x.label, pct(x.probability)]));
  }
  if (Array.isArray(p.next)) {
    lines.push('', `## ${t('Most likely next tokens')}`);
    table([t('Token'), t('Probability')], (p.next as Record<string, unknown>[]).map((x) => [JSON.stringify(x.token), pct(x.probability)]));
  }
  if (Array.isArray(p.tags)) {
    const tokens = Array.isArray(p.tokens) ? (p.tokens as unknown[]) : [];
    lines.push('', `## ${t('Tag per token')}`);
    table([t('Step'), t('Token'), t('Tag'), t('Probability')], (p.tags as unknown[]).map((g, i) => [i + 1, tokens[i], g, pct((p.probabilities as unknown[] | undefined)?.[i])]));
  } else if (Array.isArray(p.predictions)) {
    lines.push('', `## ${t('Values per step')}`);
    table([t('Step'), t('Values')], (p.predictions as unknown[]).map((v, i) => [i + 1, JSON.stringify(v)]));
  } else if (Array.isArray(p.probabilities)) {
    lines.push('', `## ${t('Probability per step')}`);
    table([t('Step'), t('Probability')], (p.probabilities as unknown[]).map((v, i) => [i + 1, pct(v)]));
  }
  lines.push('', `## ${t('As JSON')}`, '', '```json', JSON.stringify(p), '```');
  return lines.join('\n') + '\n';
}

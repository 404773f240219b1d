/**
 * Read-only views of what the panel draws, for the browser tests (test/webview) and the panel
 * benchmark (bench/panel.bench.mjs): `window.seqlabPanel`. Kept apart from the page's logic: the
 * page hands over its objects once and never reads anything back from here.
 */
import type { FromWorker, Grid, ProbeResultMsg, ToWorker } from '../src/protocol';
import type { Outgoing } from '../src/protocol';
import type { LossChart } from './ui/chart';
import type { Heatmap } from './ui/heatmap';
import type { ForecastChart } from './ui/forecast';
import type { UnrolledView } from './ui/unrolled';
import type { ConfusionView } from './ui/confusion';
import type { AlignmentView } from './ui/alignment';
import type { PanelState } from './state';

export interface HookSources {
  state: PanelState;
  chart: LossChart;
  heatmap: Heatmap;
  forecast: ForecastChart;
  unrolled: UnrolledView;
  confusion: ConfusionView;
  alignment: AlignmentView;
  snapshots: ProbeResultMsg[];
  uiStats: { messages: number; messageMs: number; probeDraws: number; probeDrawMs: number };
  droppedFromHost(): number;
  send(m: Outgoing<ToWorker>): void;
}

export interface Hooks {
  /** The worker's last 'gradients' answer (the gradient test asks for it through `send`). */
  gradients?: Extract<FromWorker, { type: 'gradients' }>;
}

export function installTestHooks(src: HookSources): Hooks {
  const hooks: Hooks = {};
  const { state, chart, heatmap, forecast, unrolled, confusion, alignment, snapshots, uiStats } = src;
  (globalThis as unknown as { seqlabPanel: unknown }).seqlabPanel = {
    chart, heatmap, forecast, unrolled, confusion, alignment,
    get evaluation() { return state.evaluation; },
    get snapshots() { return snapshots; },
    get uiStats() { return { ...uiStats, chartDraws: chart.draws, chartMs: chart.drawMs }; },
    /** Snapshot i with its grids as nested arrays (what tests compare). */
    snapshotRows(i: number) {
      const p = snapshots[i < 0 ? snapshots.length + i : i];
      if (!p) return undefined;
      const rows = (g: Grid) => Array.from({ length: g.rows }, (_, t) => Array.from(g.data.subarray(t * g.cols, (t + 1) * g.cols)));
      return { ...p, layers: p.layers.map((l) => ({ ...l, h: rows(l.h), ...(l.c ? { c: rows(l.c) } : {}), gates: Object.fromEntries(Object.entries(l.gates ?? {}).map(([k, g]) => [k, rows(g!)])) })) };
    },
    get phase() { return state.phase; },
    get model() { return state.model; },
    get backend() { return state.backend; },
    get best() { return state.best; },
    get earlyStop() { return state.earlyStop; },
    get droppedFromHost() { return src.droppedFromHost(); },
    get gradients() { return hooks.gradients; },
    send: src.send,
  };
  return hooks;
}

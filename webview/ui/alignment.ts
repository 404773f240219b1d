/**
 * The alignment view of an encoder-decoder with attention: which source tokens the decoder looked
 * at while writing each target token. The weights a_ts (a_t = softmax_s(score(s_t, h_s)), each
 * target row sums to 1 over the source; src/core/attention.ts) are drawn with the heatmap's
 * machinery (./heatmap.ts): the source tokens along the x axis, the target tokens (the decoded
 * output) down the y axis, viridis over exactly [0, 1]. The hover tooltip names the token pair and
 * the weight. It is drawn per snapshot, so it follows the snapshot slider.
 */
import type { Grid } from '../../src/protocol';
import { Heatmap, fmt } from './heatmap';
import { t } from './l10n';

export interface AlignmentData {
  /** a_ts, [target step][source step] (the probe's attention grid). */
  attention: Grid;
  source: string[];
  target: string[];
}

export class AlignmentView {
  readonly heatmap: Heatmap;
  /** The grid drawn, transposed to [source][target] for the heatmap (x: source, y: target). */
  private shown?: AlignmentData;

  constructor(host: HTMLElement) {
    this.heatmap = new Heatmap(host);
  }

  /** a_ts of target step `target` and source step `source`, as drawn (tests read it). */
  weight(target: number, source: number): number | undefined {
    const a = this.shown?.attention;
    if (!a || target < 0 || source < 0 || target >= a.rows || source >= a.cols) return undefined;
    return a.data[target * a.cols + source];
  }

  set(d: AlignmentData | undefined): void {
    this.shown = d;
    if (!d || !d.attention.rows || !d.attention.cols) {
      this.heatmap.set(undefined);
      return;
    }
    const { rows: T, cols: S, data } = d.attention;
    // the heatmap draws rows as the x axis: transpose a_ts to [s][t]
    const values = new Float32Array(S * T);
    for (let tt = 0; tt < T; tt++) for (let s = 0; s < S; s++) values[s * T + tt] = data[tt * S + s]!;
    const target = Array.from({ length: T }, (_, i) => d.target[i] ?? String(i));
    this.heatmap.set({
      values: { rows: S, cols: T, data: values },
      tokens: d.source,
      rowTokens: target,
      label: 'a',
      scale: 'sequential',
      describe: (s, tt, v) => t('target {0} {1} ← source {2} {3}: attention {4}', tt, JSON.stringify(target[tt] ?? ''), s, JSON.stringify(d.source[s] ?? ''), fmt(v)),
    });
  }
}

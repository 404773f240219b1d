/** Typed access to the `seqlab.*` settings. */
import * as vscode from 'vscode';
import { DEFAULT_MEMORY_BUDGET_MB } from '../core/cost';

export type PreferredBackend = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type TrainIn = 'panel' | 'background';

export interface SeqlabConfig {
  trainIn: TrainIn;
  preferredBackend: PreferredBackend;
  /** Default metrics interval for definitions without `training.logEvery` (the definition wins). */
  metricsInterval: number;
  /** Panel: percentage of training time hidden-state snapshots may take. */
  probeTimeShare: number;
  /** Panel: checkpoint at most every N seconds while training (0: only at the end). */
  checkpointSeconds: number;
  runsFolder: string;
  runsKeptPerExperiment: number;
  /** Training memory budget in MB: definitions estimated to need more are refused (src/core/cost.ts). */
  memoryBudgetMB: number;
}

export function readConfig(scope?: vscode.ConfigurationScope): SeqlabConfig {
  const c = vscode.workspace.getConfiguration('seqlab', scope);
  const backend = c.get<string>('preferredBackend', 'auto');
  const trainIn = c.get<string>('trainIn', 'panel');
  // In a restricted workspace the runs folder is a restricted setting: only the default applies.
  const runsFolder = vscode.workspace.isTrusted ? c.get<string>('runsFolder', '.seqlab/runs') : '.seqlab/runs';
  return {
    trainIn: trainIn === 'background' ? 'background' : 'panel',
    preferredBackend: (['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const).find((b) => b === backend) ?? 'auto',
    metricsInterval: Math.max(1, Math.floor(c.get<number>('metricsInterval', 10)) || 10),
    probeTimeShare: Math.min(90, Math.max(0, Math.floor(c.get<number>('probeTimeShare', 10)) || 0)),
    checkpointSeconds: Math.max(0, Math.floor(c.get<number>('checkpointSeconds', 30)) || 0),
    runsFolder: runsFolder.trim() || '.seqlab/runs',
    runsKeptPerExperiment: Math.max(0, Math.floor(c.get<number>('runsKeptPerExperiment', 20)) || 0),
    memoryBudgetMB: memoryBudget(c.get<number>('memoryBudgetMB', DEFAULT_MEMORY_BUDGET_MB)),
  };
}

/** A usable budget from the setting (a bad value falls back to the default). */
function memoryBudget(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : DEFAULT_MEMORY_BUDGET_MB;
}

/**
 * Background training runs in Node: only wasm and cpu exist there. 'auto' (and a GPU preference,
 * which Node cannot honour) measures which of the two is faster for the model (cached per machine
 * and model size, src/node/backendProbe.ts).
 */
export function nodeBackend(pref: PreferredBackend): 'wasm' | 'cpu' | 'auto' {
  return pref === 'cpu' || pref === 'wasm' ? pref : 'auto';
}

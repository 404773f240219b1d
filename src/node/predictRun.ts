/**
 * Predictions of a recorded run, as `seqlab predict` and VS Code's "Predict with Run" make them:
 * the run's own definition (parsed, its data not read), its weights, and its one data record
 * (data.json through RunStore.readDataRecord: vocabularies, tokenizer, scaling).
 */
import { join } from 'node:path';
import { parseDefinition } from '../core/dsl';
import type { DataInfo } from '../core/data';
import type { ModelSpec } from '../core/spec';
import { Predictor } from '../core/predict';
import { useBackend, type NodeBackend } from './backend';
import type { RunStore } from './runStore';
import { runDataInfo } from './trainRun';

/** The spec of a run's recorded definition (parsed without reading its data). */
export function runSpec(store: RunStore, id: string): ModelSpec {
  const defText = store.definitionText(id);
  if (!defText) throw new Error(`run ${id} is damaged: ${join(store.runDir(id), 'definition.seqlab.json')} is missing`);
  const parsed = parseDefinition(defText, {});
  if (!parsed.spec) throw new Error(`run ${id}: its definition no longer parses (${parsed.diagnostics.find((d) => d.severity === 'error')?.message})`);
  return parsed.spec;
}

/**
 * A Predictor for run `id` (dispose it after use), on `backend` (wasm by default). Throws an Error
 * saying why when the run has no weights or they do not fit its definition (PredictError).
 */
export async function openRunPredictor(store: RunStore, id: string, backend: NodeBackend = 'wasm'): Promise<{ predictor: Predictor; spec: ModelSpec; info: DataInfo }> {
  const summary = store.read(id).summary;
  if (!summary) throw new Error(`run ${id} cannot be read: ${store.read(id).broken}`);
  const sd = store.readWeights(id);
  if (!sd) throw new Error(`run ${id} has no weights (it ${summary.status}${summary.message ? `: ${summary.message}` : ''})`);
  const spec = runSpec(store, id);
  const info = runDataInfo(store, id);
  await useBackend(backend);
  return { predictor: new Predictor(spec, info, sd), spec, info };
}

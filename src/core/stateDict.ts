/**
 * PyTorch state_dict JSON: parameter names -> {shape, data (row-major)}. No TensorFlow.js here,
 * so that readers (the run store, the extension host's tree) do not load it.
 */
import { stripBom } from './bom';

export interface TensorJson {
  shape: number[];
  data: number[];
}
export type StateDict = Record<string, TensorJson>;

export const STATE_DICT_FORMAT = 'seqlab-state-dict/1';

/** Serialisable container for exported weights: PyTorch names, shapes and row-major data. */
export interface StateDictFile {
  format: typeof STATE_DICT_FORMAT;
  /** The model it belongs to (experiment name), for the reader. */
  model?: string;
  state_dict: StateDict;
}

/** Parse and check a state_dict JSON: either a bare {name: {shape, data}} map or a StateDictFile. */
export function parseStateDictJson(text: string): StateDict {
  let raw: unknown;
  try {
    raw = JSON.parse(stripBom(text));
  } catch (e) {
    throw new Error(`not valid JSON: ${(e as Error).message}`);
  }
  const obj = isRecord(raw) && isRecord(raw.state_dict) ? raw.state_dict : raw;
  if (!isRecord(obj)) throw new Error('expected an object mapping parameter names to {shape, data}');
  const sd: StateDict = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!isRecord(v) || !Array.isArray(v.shape) || !Array.isArray(v.data)) {
      throw new Error(`'${k}' must be {"shape": [...], "data": [...]}`);
    }
    const shape = v.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0) || size !== v.data.length) {
      throw new Error(`'${k}': shape [${shape}] does not match ${v.data.length} values`);
    }
    if (!(v.data as unknown[]).every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new Error(`'${k}': data must be finite numbers`);
    }
    sd[k] = { shape, data: v.data as number[] };
  }
  return sd;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

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
  /** The token vocabulary and output classes the weights were trained with (checked when they are loaded into another run). */
  vocabulary?: Vocabulary;
  state_dict: StateDict;
}

export interface Vocabulary {
  input?: string[];
  output?: string[];
}

/** A weights file's vocabulary, when it records one (our run records do; PyTorch exports do not). */
export function stateDictVocabulary(text: string): Vocabulary | undefined {
  try {
    const raw = JSON.parse(text) as { vocabulary?: unknown };
    const v = raw && typeof raw === 'object' ? raw.vocabulary : undefined;
    if (!isRecord(v)) return undefined;
    const strs = (x: unknown) => (Array.isArray(x) && x.every((s) => typeof s === 'string') ? (x as string[]) : undefined);
    const input = strs(v.input), output = strs(v.output);
    return input || output ? { ...(input ? { input } : {}), ...(output ? { output } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why weights trained with vocabulary `was` cannot serve data with vocabulary `now` (same sizes
 * but another order would silently mean other tokens), or undefined when they agree.
 */
export function vocabularyMismatch(was: Vocabulary | undefined, now: Vocabulary): string | undefined {
  for (const k of ['input', 'output'] as const) {
    const a = was?.[k], b = now[k];
    if (!a || !b) continue;
    const i = a.findIndex((t, j) => t !== b[j]);
    if (a.length !== b.length || i >= 0) {
      const at = i >= 0 ? i : Math.min(a.length, b.length);
      return `the ${k === 'input' ? 'input vocabulary' : 'output classes'} differ: the weights have ${a.length} (${JSON.stringify(a[at] ?? null)} at ${at}), the data ${b.length} (${JSON.stringify(b[at] ?? null)} at ${at})`;
    }
  }
  return undefined;
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

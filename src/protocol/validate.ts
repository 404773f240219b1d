/**
 * A tiny runtime validator whose checks and TypeScript types come from one description, so the
 * protocol's types can never drift from what is checked on receipt. No code generation and no
 * `Function()` (the webview's CSP forbids eval), no dependency.
 */

export interface Check<T> {
  /** Returns undefined when `v` is a T, else a message naming the offending path. */
  (v: unknown, path: string): string | undefined;
  /** Phantom field carrying the checked type. */
  readonly _t?: T;
}
export type Infer<C> = C extends Check<infer T> ? T : never;

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : typeof v;

export const str: Check<string> = (v, p) => (typeof v === 'string' ? undefined : `${p}: expected a string, got ${describe(v)}`);
export const bool: Check<boolean> = (v, p) => (typeof v === 'boolean' ? undefined : `${p}: expected a boolean, got ${describe(v)}`);
/** Any number including NaN/Infinity (a diverged loss is data, not a malformed message). */
export const num: Check<number> = (v, p) => (typeof v === 'number' ? undefined : `${p}: expected a number, got ${describe(v)}`);
export const finite: Check<number> = (v, p) =>
  typeof v === 'number' && Number.isFinite(v) ? undefined : `${p}: expected a finite number, got ${describe(v)}`;
/** Non-negative safe integer (steps, counts, sequence numbers). */
/** null, or what `c` accepts (JSON writes a missing number, e.g. an Infinity, as null). */
export function nullable<T>(c: Check<T>): Check<T | null> {
  return (v, p) => (v === null ? undefined : c(v, p));
}
export const count: Check<number> = (v, p) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? undefined : `${p}: expected a non-negative integer, got ${describe(v)}`;

export function lit<const L extends string | number | boolean>(l: L): Check<L> {
  return (v, p) => (v === l ? undefined : `${p}: expected ${JSON.stringify(l)}, got ${JSON.stringify(v)?.slice(0, 40)}`);
}
export function oneOf<const L extends string>(...ls: L[]): Check<L> {
  const set = new Set<unknown>(ls);
  return (v, p) => (set.has(v) ? undefined : `${p}: expected one of ${ls.join('|')}, got ${JSON.stringify(v)?.slice(0, 40)}`);
}
export function arr<T>(item: Check<T>, max = Infinity): Check<T[]> {
  return (v, p) => {
    if (!Array.isArray(v)) return `${p}: expected an array, got ${describe(v)}`;
    if (v.length > max) return `${p}: more than ${max} items`;
    for (let i = 0; i < v.length; i++) {
      const e = item(v[i], `${p}[${i}]`);
      if (e) return e;
    }
    return undefined;
  };
}
/** number[] checked without per-item closures (probe traces carry tens of thousands). */
export const nums: Check<number[]> = (v, p) => {
  if (!Array.isArray(v)) return `${p}: expected an array of numbers, got ${describe(v)}`;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number') return `${p}[${i}]: expected a number, got ${describe(v[i])}`;
  return undefined;
};
export const matrix: Check<number[][]> = arr(nums);

/**
 * A row-major [rows][cols] matrix in one Float32Array. Probe traces travel as these and their
 * buffers are transferred, not cloned (a structured clone of nested number arrays costs the
 * receiving UI thread milliseconds per snapshot).
 */
export interface Grid { rows: number; cols: number; data: Float32Array }
export const grid: Check<Grid> = (v, p) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${p}: expected a grid object, got ${describe(v)}`;
  const g = v as Record<string, unknown>;
  for (const k of Object.keys(g)) if (k !== 'rows' && k !== 'cols' && k !== 'data') return `${p}: unexpected field '${k}'`;
  const e = count(g.rows, `${p}.rows`) ?? count(g.cols, `${p}.cols`);
  if (e) return e;
  if (!(g.data instanceof Float32Array)) return `${p}.data: expected a Float32Array, got ${describe(g.data)}`;
  if (g.data.length !== (g.rows as number) * (g.cols as number)) return `${p}.data: ${g.data.length} values for ${g.rows as number}x${g.cols as number}`;
  return undefined;
};

/** An ArrayBuffer (file bytes, wasm binaries): sent in a transfer list, not copied as JSON. */
export const arrayBuffer: Check<ArrayBuffer> = (v, p) => (v instanceof ArrayBuffer ? undefined : `${p}: expected an ArrayBuffer, got ${describe(v)}`);

const OPTIONAL = Symbol('optional');
export interface Opt<T> extends Check<T | undefined> { [OPTIONAL]: true }
export function opt<T>(c: Check<T>): Opt<T> {
  const f = ((v: unknown, p: string) => (v === undefined ? undefined : c(v, p))) as Opt<T>;
  f[OPTIONAL] = true;
  return f;
}

type Shape = Record<string, Check<unknown>>;
type OptKeys<S extends Shape> = { [K in keyof S]: S[K] extends Opt<unknown> ? K : never }[keyof S];
type ReqKeys<S extends Shape> = Exclude<keyof S, OptKeys<S>>;
export type ObjOf<S extends Shape> = { [K in ReqKeys<S>]: Infer<S[K]> } & { [K in OptKeys<S>]?: Infer<S[K]> };
type Flat<T> = { [K in keyof T]: T[K] } & {};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object with exactly these keys (unknown keys are an error: they mean a version mismatch). */
export function obj<S extends Shape>(shape: S): Check<Flat<ObjOf<S>>> & { shape: S } {
  const keys = Object.keys(shape);
  const f = ((v: unknown, p: string) => {
    if (!isPlainObject(v)) return `${p}: expected an object, got ${describe(v)}`;
    for (const k of keys) {
      const e = shape[k]!(v[k], `${p}.${k}`);
      if (e) return e;
    }
    for (const k of Object.keys(v)) if (!(k in shape)) return `${p}: unexpected field '${k}'`;
    return undefined;
  }) as Check<Flat<ObjOf<S>>> & { shape: S };
  f.shape = shape;
  return f;
}

export function record<T>(value: Check<T>): Check<Record<string, T>> {
  return (v, p) => {
    if (!isPlainObject(v)) return `${p}: expected an object, got ${describe(v)}`;
    for (const [k, x] of Object.entries(v)) {
      const e = value(x, `${p}[${JSON.stringify(k)}]`);
      if (e) return e;
    }
    return undefined;
  };
}

export function union<T extends unknown[]>(...cs: { [K in keyof T]: Check<T[K]> }): Check<T[number]> {
  return (v, p) => {
    const errs: string[] = [];
    for (const c of cs as Check<unknown>[]) {
      const e = c(v, p);
      if (!e) return undefined;
      errs.push(e);
    }
    return errs.join(' / ');
  };
}

/** Tagged union on `type`: picks the variant by tag, so errors name the right variant. */
export function tagged<M extends Record<string, Check<unknown>>>(variants: M): Check<{ [K in keyof M]: Infer<M[K]> }[keyof M]> {
  return (v, p) => {
    if (!isPlainObject(v)) return `${p}: expected a message object, got ${describe(v)}`;
    const t = v.type;
    if (typeof t !== 'string' || !Object.prototype.hasOwnProperty.call(variants, t)) {
      return `${p}.type: unknown message type ${JSON.stringify(t)?.slice(0, 40)}`;
    }
    return variants[t]!(v, p);
  };
}

/**
 * PyTorch interchange: state_dict JSON (names, shapes, row-major data) and the reference
 * fixtures: ../shared/fixtures/torch (format `torch-recurrent-fixture/1`, checked here) and
 * ../shared/fixtures/torch-train (`seqlab-torch-trajectory/1`, checked by ./trajectory.ts).
 */
import * as tf from './tf';
import { RecurrentStack, type LayerConfig } from './recurrent';
import { Rng } from './rng';
import type { StateDict, TensorJson } from './stateDict';

export { STATE_DICT_FORMAT, parseStateDictJson, type StateDict, type StateDictFile, type TensorJson } from './stateDict';
import type { CellState } from './cells';
import type { CellType, Structure } from './spec';
import type { Example, InputKind, OutputKind } from './data';

export async function variablesToStateDict(params: Map<string, tf.Variable>): Promise<StateDict> {
  const out: StateDict = {};
  for (const [name, v] of params) out[name] = { shape: v.shape.slice(), data: Array.from(await v.data()) };
  return out;
}

/**
 * Assign a state_dict to variables. Every variable must be present with the same shape; extra
 * entries are an error too (they usually mean the definition and the weights disagree).
 */
export function assignStateDict(params: Map<string, tf.Variable>, sd: StateDict): void {
  const problems: string[] = [];
  for (const [name, v] of params) {
    const t = sd[name];
    if (!t) problems.push(`missing '${name}' (expected shape [${v.shape}])`);
    else if (!sameShape(t.shape, v.shape)) problems.push(`'${name}' has shape [${t.shape}], the model expects [${v.shape}]`);
    else if (t.data.length !== v.size) problems.push(`'${name}' has ${t.data.length} values for shape [${t.shape}]`);
  }
  for (const name of Object.keys(sd)) if (!params.has(name)) problems.push(`unexpected '${name}' (not a parameter of this model)`);
  if (problems.length) throw new Error(`The weights do not fit this model: ${problems.join('; ')}`);
  tf.tidy(() => {
    for (const [name, v] of params) v.assign(tf.tensor(Float32Array.from(sd[name].data), v.shape));
  });
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---------------------------------------------------------------------------------------------
// Fixtures

export interface TorchFixture {
  format: string;
  name: string;
  module: {
    type: 'RNN' | 'LSTM' | 'GRU';
    input_size: number;
    hidden_size: number;
    num_layers: number;
    bidirectional: boolean;
    bias: boolean;
    batch_first: boolean;
    nonlinearity?: 'tanh' | 'relu';
  };
  state_dict: StateDict;
  input: TensorJson;
  h0?: TensorJson;
  c0?: TensorJson;
  /** Variable-length batches (../shared/fixtures/torch-packed): each sequence's own length, 1..T. */
  lengths?: number[];
  output: TensorJson;
  h_n: TensorJson;
  c_n?: TensorJson;
  g_output: TensorJson;
  g_h_n: TensorJson;
  g_c_n?: TensorJson;
  loss_value: number;
  grads: Record<string, TensorJson>;
}

export const TRAJECTORY_FORMAT = 'seqlab-torch-trajectory/1';

/** K full-batch training steps by PyTorch (see ../shared/fixtures/torch-train/README.md). */
export interface TrajectoryFixture {
  format: typeof TRAJECTORY_FORMAT;
  name: string;
  /** A Sequence Lab definition; data.task only chooses the task family. */
  definition: Record<string, unknown>;
  data: { structure: Structure; input: InputKind; output: OutputKind; train: Example[] };
  initial_state_dict: StateDict;
  K: number;
  /** losses[k]: the loss at step k + 1, before its update. */
  losses: number[];
  /** grad_norms[k]: the global gradient norm at step k + 1, before clipping. */
  grad_norms: number[];
  final_state_dict: StateDict;
}

export type AnyFixture = { kind: 'recurrent'; fx: TorchFixture } | { kind: 'trajectory'; fx: TrajectoryFixture };

/**
 * Read a fixture file's text: a trajectory (by its `format`) or a single forward/backward
 * fixture. Throws one clear line saying what is missing.
 */
export function parseFixture(text: string): AnyFixture {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`not valid JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('expected a JSON object');
  const o = raw as Record<string, unknown>;
  const isObj = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
  if (o.format === TRAJECTORY_FORMAT) {
    const K = o.K;
    if (!Number.isInteger(K) || (K as number) < 1) throw new Error(`${TRAJECTORY_FORMAT}: K must be a whole number >= 1`);
    for (const k of ['definition', 'data', 'initial_state_dict', 'final_state_dict']) if (!isObj(o[k])) throw new Error(`${TRAJECTORY_FORMAT}: missing '${k}' (an object)`);
    for (const k of ['losses', 'grad_norms']) {
      const v = o[k];
      if (!Array.isArray(v) || v.length !== K || !v.every((x) => typeof x === 'number')) throw new Error(`${TRAJECTORY_FORMAT}: '${k}' must be ${K} numbers (one per step)`);
    }
    const d = o.data as Record<string, unknown>;
    if (!Array.isArray(d.train) || !d.train.length) throw new Error(`${TRAJECTORY_FORMAT}: data.train must list the examples`);
    if (!isObj(d.input) || !isObj(d.output) || typeof d.structure !== 'string') throw new Error(`${TRAJECTORY_FORMAT}: data needs structure, input and output`);
    if (typeof o.name !== 'string') o.name = String((o.definition as Record<string, unknown>).name ?? 'trajectory');
    return { kind: 'trajectory', fx: o as unknown as TrajectoryFixture };
  }
  if (!isObj(o.module) || !isObj(o.state_dict)) {
    throw new Error(`neither a ${TRAJECTORY_FORMAT} fixture nor a torch-recurrent-fixture (no module/state_dict)`);
  }
  return { kind: 'recurrent', fx: o as unknown as TorchFixture };
}

export interface FixtureCheck {
  tensor: string;
  maxAbsError: number;
}

export function fixtureLayers(m: TorchFixture['module']): LayerConfig[] {
  const cell = m.type.toLowerCase() as CellType;
  return Array.from({ length: m.num_layers }, () => ({
    cell,
    units: m.hidden_size,
    activation: m.nonlinearity ?? 'tanh',
    bias: m.bias,
    bidirectional: m.bidirectional,
    merge: 'concat' as const,
    dropout: 0,
  }));
}

const tensorOf = (t: TensorJson) => tf.tensor(Float32Array.from(t.data), t.shape);

/**
 * Run a fixture's module forward and backward with our cells, returning the max abs error of
 * every tensor it holds: output, h_n, c_n, loss, and the gradient of every input and parameter.
 */
export function checkFixture(fx: TorchFixture): FixtureCheck[] {
  if (!fx.module.batch_first) throw new Error(`${fx.name}: only batch_first fixtures are supported`);
  const [B, T] = fx.input.shape;
  if (fx.lengths && (!Array.isArray(fx.lengths) || fx.lengths.length !== B || fx.lengths.some((n) => !Number.isInteger(n) || n < 1 || n > T))) {
    throw new Error(`${fx.name}: 'lengths' must hold ${B} integers between 1 and ${T}`);
  }
  const layers = fixtureLayers(fx.module);
  const stack = new RecurrentStack('', fx.module.input_size, layers, new Rng(0));
  try {
    assignStateDict(stack.params, fx.state_dict);
    return tf.scoped(() => {
      const x = tensorOf(fx.input) as tf.Tensor3D;
      const h0 = fx.h0 ? (tensorOf(fx.h0) as tf.Tensor3D) : undefined;
      const c0 = fx.c0 ? (tensorOf(fx.c0) as tf.Tensor3D) : undefined;
      const lstm = fx.module.type === 'LSTM';
      const forward = (xIn: tf.Tensor3D, h0In?: tf.Tensor3D, c0In?: tf.Tensor3D) => {
        const init: (CellState | undefined)[] | undefined = h0In
          ? (tf.unstack0(h0In) as tf.Tensor2D[]).map((h, i) => ({ h, c: c0In ? (tf.unstack0(c0In)[i] as tf.Tensor2D) : undefined }))
          : undefined;
        if (init && lstm && !c0In) throw new Error('LSTM fixture with h0 but no c0');
        const r = stack.run(tf.transpose(xIn, [1, 0, 2]), { init, lengths: fx.lengths });
        const output = tf.transpose(r.output, [1, 0, 2]);
        const hN = tf.stack(r.final.map((s) => s.h));
        const cN = lstm ? tf.stack(r.final.map((s) => s.c!)) : undefined;
        return { output, hN, cN };
      };
      const lossOf = (o: { output: tf.Tensor; hN: tf.Tensor; cN?: tf.Tensor }) => {
        let l = tf.add(tf.sum(tf.mul(o.output, tensorOf(fx.g_output))), tf.sum(tf.mul(o.hN, tensorOf(fx.g_h_n))));
        if (o.cN && fx.g_c_n) l = tf.add(l, tf.sum(tf.mul(o.cN, tensorOf(fx.g_c_n))));
        return l as tf.Scalar;
      };
      const out = forward(x, h0, c0);
      const checks: FixtureCheck[] = [
        { tensor: 'output', maxAbsError: maxAbs(out.output, fx.output) },
        { tensor: 'h_n', maxAbsError: maxAbs(out.hN, fx.h_n) },
      ];
      if (out.cN && fx.c_n) checks.push({ tensor: 'c_n', maxAbsError: maxAbs(out.cN, fx.c_n) });
      checks.push({ tensor: 'loss', maxAbsError: Math.abs(lossOf(out).dataSync()[0] - fx.loss_value) });

      // Gradients of the inputs (x, h0, c0) and of every parameter, in one backward pass.
      const names = [...stack.params.keys()];
      const vars = names.map((n) => stack.params.get(n)!);
      const inputs: tf.Tensor[] = [x, ...(h0 ? [h0] : []), ...(c0 ? [c0] : [])];
      const f = (...args: tf.Tensor[]) => {
        const [xi, hi, ci] = args as tf.Tensor3D[];
        return lossOf(forward(xi, h0 ? hi : undefined, c0 ? ci : undefined));
      };
      const { grads: varGrads } = tf.variableGrads(() => f(...inputs), vars);
      const inGrads = tf.grads(f)(inputs);
      const named: Record<string, tf.Tensor> = { input: inGrads[0] };
      if (h0) named.h0 = inGrads[1];
      if (c0) named.c0 = inGrads[2];
      for (const n of names) named[n] = varGrads[n];
      for (const [k, ref] of Object.entries(fx.grads)) {
        const g = named[k];
        if (!g) throw new Error(`${fx.name}: no gradient computed for '${k}'`);
        checks.push({ tensor: `grad ${k}`, maxAbsError: maxAbs(g, ref) });
      }
      return checks;
    });
  } finally {
    stack.params.forEach((v) => v.dispose());
  }
}

function maxAbs(t: tf.Tensor, ref: TensorJson): number {
  if (!sameShape(t.shape, ref.shape)) throw new Error(`shape [${t.shape}] != reference [${ref.shape}]`);
  const a = t.dataSync();
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - ref.data[i]);
    if (!(e <= m)) m = Number.isNaN(e) ? Infinity : e;
  }
  return m;
}

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
import type { AttentionType, BridgeType, CellType, ModelSpec, Structure } from './spec';
import type { Example, InputKind, OutputKind, SeqData } from './data';
import { SeqModel } from './model';
import { parseDefinition } from './dsl';

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

export type AnyFixture = { kind: 'recurrent'; fx: TorchFixture } | { kind: 'trajectory'; fx: TrajectoryFixture } | { kind: 'attention'; fx: TorchAttentionFixture };

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
  if (o.format === ATTENTION_FIXTURE_FORMAT) {
    if (!isObj(o.model) || !isObj(o.state_dict) || !isObj(o.grads)) throw new Error(`${ATTENTION_FIXTURE_FORMAT}: needs 'model', 'state_dict' and 'grads' (objects)`);
    for (const k of ['source', 'target_in', 'target']) {
      const v = o[k];
      if (!Array.isArray(v) || !v.length || !v.every((r) => Array.isArray(r) && r.every((x) => Number.isInteger(x)))) throw new Error(`${ATTENTION_FIXTURE_FORMAT}: '${k}' must be a [B][steps] array of token ids`);
    }
    if (!Array.isArray(o.source_lengths)) throw new Error(`${ATTENTION_FIXTURE_FORMAT}: 'source_lengths' must be an array`);
    for (const k of ['logits', 'attention_weights']) if (!isObj(o[k])) throw new Error(`${ATTENTION_FIXTURE_FORMAT}: missing '${k}' (a tensor)`);
    if (typeof o.name !== 'string') o.name = 'attention';
    return { kind: 'attention', fx: o as unknown as TorchAttentionFixture };
  }
  if (!isObj(o.module) || !isObj(o.state_dict)) {
    throw new Error(`neither a ${TRAJECTORY_FORMAT} fixture, a ${ATTENTION_FIXTURE_FORMAT} nor a torch-recurrent-fixture (no module/state_dict)`);
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
      const inputs: tf.Tensor[] = [x, ...(h0 ? [h0] : []), ...(c0 ? [c0] : [])];
      const f = (...args: tf.Tensor[]) => {
        const [xi, hi, ci] = args as tf.Tensor3D[];
        return lossOf(forward(xi, h0 ? hi : undefined, c0 ? ci : undefined));
      };
      const { grads: varGrads } = tf.paramGrads(() => f(...inputs), stack.params);
      const inGrads = tf.grads(f)(inputs);
      const named: Record<string, tf.Tensor> = { input: inGrads[0] };
      if (h0) named.h0 = inGrads[1];
      if (c0) named.c0 = inGrads[2];
      Object.assign(named, varGrads);
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

// ---------------------------------------------------------------------------------------------
// Attention fixtures (../shared/fixtures/torch-attention, format `torch-attention-fixture/1`)

export interface TorchAttentionFixture {
  format: string;
  name: string;
  model: {
    cell: 'RNN' | 'LSTM' | 'GRU';
    attention: AttentionType;
    source_vocab: number;
    target_vocab: number;
    embedding_size: number;
    hidden_size: number;
    num_layers: number;
    start_token: number;
    /** seqlab's extension: a bidirectional encoder (keys 2H wide), its final states bridged to the decoder. */
    encoder_bidirectional?: boolean;
    bridge?: BridgeType;
  };
  state_dict: StateDict;
  /** [B][S] token ids, padded past source_lengths[b]. */
  source: number[][];
  source_lengths: number[];
  /** [B][T]: the start token, then the target shifted by one (teacher forcing). */
  target_in: number[][];
  target: number[][];
  logits: TensorJson;
  attention_weights: TensorJson;
  loss_value: number;
  grads: Record<string, TensorJson>;
}

export const ATTENTION_FIXTURE_FORMAT = 'torch-attention-fixture/1';

/**
 * Run an attention fixture through SeqModel (the same code that trains): an encoder-decoder with
 * embeddings, the fixture's cell, layers and attention, its state_dict loaded by name. Returns the
 * max abs error of the logits, the attention weights, the loss and the gradient of every parameter.
 */
export function checkAttentionFixture(fx: TorchAttentionFixture): FixtureCheck[] {
  const run = runAttentionFixture(fx);
  try {
    return Object.entries(run.refs).map(([tensor, ref]) => ({
      tensor,
      maxAbsError: typeof ref === 'number' ? Math.abs(run.tensors[tensor].dataSync()[0] - ref) : maxAbs(run.tensors[tensor], ref),
    }));
  } finally {
    run.dispose();
  }
}

/**
 * The tensors an attention fixture checks, computed on the current backend, next to their
 * references (`logits`, `attention_weights`, `loss`, `grad <name>`), for callers that read them
 * asynchronously (WebGPU). dispose() frees them and the model.
 */
export function runAttentionFixture(fx: TorchAttentionFixture): { tensors: Record<string, tf.Tensor>; refs: Record<string, TensorJson | number>; dispose(): void } {
  const m = fx.model;
  const B = fx.source.length;
  const S = fx.source[0]?.length ?? 0;
  const T = fx.target[0]?.length ?? 0;
  if (!B || !S || !T) throw new Error(`${fx.name}: empty source or target`);
  if (!['bahdanau', 'luong-general', 'luong-dot'].includes(m.attention)) throw new Error(`${fx.name}: unknown attention '${m.attention}'`);
  if (fx.source_lengths.length !== B || fx.source_lengths.some((n) => !Number.isInteger(n) || n < 1 || n > S)) {
    throw new Error(`${fx.name}: 'source_lengths' must hold ${B} integers between 1 and ${S}`);
  }
  for (let b = 0; b < B; b++) {
    const expected = [m.start_token, ...fx.target[b].slice(0, -1)];
    if (fx.target_in[b].some((v, t) => v !== expected[t])) throw new Error(`${fx.name}: target_in[${b}] is not [start] + target[:-1]`);
  }
  const cell = m.cell.toLowerCase() as CellType;
  const layer = { cell, units: m.hidden_size, activation: 'tanh' as const, bias: true, bidirectional: false, merge: 'concat' as const, dropout: 0 };
  const spec: ModelSpec = {
    ...attentionFixtureBase(),
    input: { encoding: 'embedding', embeddingSize: m.embedding_size, positionFeature: false },
    layers: Array.from({ length: m.num_layers }, () => ({ ...layer, bidirectional: !!m.encoder_bidirectional })),
    decoderLayers: Array.from({ length: m.num_layers }, () => ({ ...layer })),
    attention: m.attention,
    ...(m.encoder_bidirectional ? { bridge: m.bridge ?? 'linear' } : {}),
  };
  const ids = (n: number) => Array.from({ length: n }, (_, i) => String(i));
  const examples = fx.source.map((src, b) => ({ x: src.slice(0, fx.source_lengths[b]).map((v) => [v]), y: fx.target[b].map((v) => [v]) }));
  const data: SeqData = {
    task: 'fixture', structure: 'encoder-decoder', input: { kind: 'tokens', vocab: ids(m.source_vocab) },
    output: { kind: 'classes', classes: ids(m.target_vocab) }, startToken: m.start_token, generative: false,
    train: examples, valid: [], about: fx.name,
  };
  const model = new SeqModel(spec, data);
  const tensors: Record<string, tf.Tensor> = {};
  const dispose = () => {
    tf.dispose(Object.values(tensors));
    model.dispose();
  };
  try {
    assignStateDict(model.params, fx.state_dict);
    const batch = model.makeBatch(examples);
    try {
      tf.tidy(() => {
        let logits!: tf.Tensor2D;
        let weights!: tf.Tensor3D;
        const { value, grads } = tf.paramGrads(() => {
          const out = model.forward(batch);
          logits = tf.keep(out.logits);
          weights = tf.keep(out.attention!);
          return model.loss(out.logits, batch.y, batch.mask);
        }, model.params);
        tensors.logits = tf.keep(tf.transpose(tf.reshape(logits, [T, B, m.target_vocab]), [1, 0, 2]));
        // the batch is as long as its longest source; the fixture's padding columns must be 0
        const Smax = weights.shape[2];
        tensors.attention_weights = tf.keep(Smax < S ? tf.pad(weights, [[0, 0], [0, 0], [0, S - Smax]]) : tf.clone(weights));
        tensors.loss = tf.keep(value);
        tf.dispose([logits, weights]); // kept out of variableGrads' scope
        for (const k of Object.keys(fx.grads)) {
          if (!grads[k]) throw new Error(`${fx.name}: no gradient computed for '${k}'`);
          tensors[`grad ${k}`] = tf.keep(grads[k]);
        }
      });
    } finally {
      batch.dispose();
    }
  } catch (e) {
    dispose();
    throw e;
  }
  const refs: Record<string, TensorJson | number> = { logits: fx.logits, attention_weights: fx.attention_weights, loss: fx.loss_value };
  for (const [k, v] of Object.entries(fx.grads)) refs[`grad ${k}`] = v;
  return { tensors, refs, dispose };
}

/** Everything of a ModelSpec an attention fixture does not set (no training happens): the DSL's defaults. */
function attentionFixtureBase(): ModelSpec {
  const r = parseDefinition(JSON.stringify({ name: 'attention-fixture', data: { task: 'reverse' }, structure: 'encoder-decoder', layers: [{ cell: 'gru', units: 1 }] }));
  if (!r.spec) throw new Error('internal: the attention fixture base definition does not parse');
  return r.spec;
}

/**
 * Export a model as a runnable PyTorch training project (`seqlab export ... --format pytorch`,
 * the "Export as PyTorch Project" command): a folder with
 *
 *   model.py               the network as an nn.Module with Sequence Lab's parameter names
 *   train.py               Sequence Lab's training loop in PyTorch (same batches, loss, optimizer,
 *                          clipping, logging, evaluation), data parallel under torchrun
 *   data.json              the examples exactly as Sequence Lab prepared them, and the vocabulary
 *   initial_weights.json   the weights to start from (the run's, or those drawn for the seed)
 *   definition.seqlab.json the definition it came from
 *   README.md              the commands, and what to change for many GPUs or machines
 *
 * What PyTorch cannot reproduce step for step is refused with one line naming the feature, never
 * exported as a script that runs and silently differs.
 */
import { lstatSync, type Stats } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { SeqData } from '../../core/data';
import { dataVocabulary, inputWidth, outputWidth } from '../../core/data';
import type { LayerSpec, ModelSpec } from '../../core/spec';
import type { StateDict, StateDictFile } from '../../core/stateDict';
import type { Checkpoint } from '../../core/checkpoint';
import { STATE_DICT_FORMAT, vocabularyMismatch } from '../../core/stateDict';
import { DEFAULT_EVAL_EVERY, DEFAULT_LOG_EVERY } from '../../core/session';
import { Trainer } from '../../core/train';
import { writeFileAtomic } from '../atomic';
import { useBackend } from '../backend';
import { RunStoreError, type RunStore } from '../runStore';
import type { Loaded } from '../trainRun';
import { MODEL_PY } from './python/model';
import { TRAIN_PY } from './python/train';

/** The model and data to export, and the weights to start from. */
export interface PytorchProject {
  spec: ModelSpec;
  data: SeqData;
  weights: StateDict;
  /** Optimizer steps train.py runs by default (the definition's, or its epochs in steps). */
  totalSteps: number;
  /** Whether training walks each batch in truncated-BPTT windows (Trainer.usesTbptt). */
  truncatedBptt: boolean;
  /** The definition's path as the user names it (for the README's commands). */
  definitionFile: string;
  definitionText: string;
  /** Where the weights come from, one line for the README ("the initial weights for seed 42"). */
  weightsFrom: string;
  /**
   * A stopped or interrupted run's checkpoint beyond its weights (optimizer state, step, data
   * order, RNG, schedule, early-stopping bookkeeping): train.py continues it as `seqlab train
   * --resume` would. Written as resume.json.
   */
  resume?: Omit<Checkpoint, 'weights'>;
}

export class ExportRefused extends Error {}

/**
 * The settings model.py and train.py reproduce. A setting outside these lists that is switched on
 * (a feature added to Sequence Lab after the exporter) is refused by name rather than dropped.
 */
const EXPRESSED = {
  '': ['name', 'description', 'data', 'input', 'layers', 'decoderLayers', 'attention', 'bridge', 'initialState', 'structure', 'head', 'training'],
  'input.': ['encoding', 'embeddingSize', 'positionFeature'],
  'layers[].': ['cell', 'units', 'activation', 'bias', 'bidirectional', 'merge', 'dropout'],
  'head.': ['activation', 'loss', 'dropout'],
  'training.': [
    'optimizer', 'learningRate', 'momentum', 'nesterov', 'beta1', 'beta2', 'epsilon', 'rho', 'centered', 'weightDecay',
    'batchSize', 'steps', 'epochs', 'sequenceLength', 'tbptt', 'clip', 'schedule', 'seed', 'logEvery', 'evalEvery', 'earlyStopping',
  ],
} as const;

/** Whether a setting does anything: not absent, off, zero, 'none' or empty. */
function switchedOn(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '' || v === 'none') return false;
  if (Array.isArray(v)) return v.some(switchedOn);
  if (typeof v === 'object') return Object.values(v as object).some(switchedOn);
  return true;
}

/** The first setting that is switched on but not expressed, as its DSL path; undefined when none. */
function unexpressed(spec: ModelSpec): string | undefined {
  const parts: [object, keyof typeof EXPRESSED][] = [
    [spec, ''], [spec.input, 'input.'], [spec.head, 'head.'], [spec.training, 'training.'],
    ...[...spec.layers, ...spec.decoderLayers].map((l) => [l, 'layers[].'] as [object, keyof typeof EXPRESSED]),
  ];
  for (const [obj, at] of parts) {
    const known: readonly string[] = EXPRESSED[at];
    const k = Object.entries(obj).find(([key, v]) => !known.includes(key) && switchedOn(v))?.[0];
    if (k) return `${at}${k}`;
  }
  return undefined;
}

/**
 * What this export cannot express yet, as one line naming the feature; undefined when the whole
 * model and its training can be reproduced in PyTorch.
 */
export function pytorchUnsupported(spec: ModelSpec, data: SeqData): string | undefined {
  const feature = unexpressed(spec);
  if (feature) return `${feature} cannot be exported to PyTorch yet: the exported project would train differently.`;
  const t = spec.training;
  const varies = data.train.some((e) => e.x.length !== data.train[0].x.length || e.y.length !== data.train[0].y.length);
  if (varies && spec.structure === 'many-to-many' && t.tbptt > 0 && t.tbptt < Math.max(...data.train.map((e) => e.x.length))) {
    return 'truncated BPTT over sequences of different lengths cannot be exported to PyTorch yet.';
  }
  return undefined;
}

/** Write the project into `outDir` (created when missing). Returns the files written. */
export function writePytorchProject(outDir: string, p: PytorchProject): string[] {
  const why = pytorchUnsupported(p.spec, p.data);
  if (why) throw new ExportRefused(why);
  const dir = resolve(outDir);
  const st = lstatIfAny(dir);
  if (st && (st.isSymbolicLink() || !st.isDirectory())) {
    throw new ExportRefused(`--out ${outDir} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}: give a folder to write the project into (it is created when missing).`);
  }
  const weights: StateDictFile = { format: STATE_DICT_FORMAT, model: p.spec.name, state_dict: p.weights };
  const files: [string, string][] = [
    ['model.py', modelPy(p)],
    ['train.py', trainPy(p)],
    ['data.json', JSON.stringify(dataJson(p.data)) + '\n'],
    ['initial_weights.json', JSON.stringify(weights) + '\n'],
    ['definition.seqlab.json', p.definitionText],
    ...(p.resume ? [['resume.json', JSON.stringify(p.resume) + '\n'] as [string, string]] : []),
    ['README.md', readme(p)],
  ];
  for (const [name, text] of files) writeFileAtomic(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}

function lstatIfAny(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/**
 * The data as train.py reads it: the SeqData exactly as Sequence Lab built it (examples x[t], y[t]
 * as in src/core/data.ts, vocabularies, and whatever else the data carries: a test split,
 * tokenizer, scaling).
 */
function dataJson(d: SeqData) {
  return { format: 'seqlab-pytorch-data/1', ...d };
}

/** A JSON-like value as a Python literal. */
export function pyLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as a Python number`);
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${pyLiteral(x)}`).join(', ')}}`;
}

const CELL_NAME = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' } as const;

function layerLine(l: LayerSpec, inSize: number, below: boolean): string {
  const act = l.cell === 'rnn' ? `, ${l.activation}` : '';
  const drop = l.dropout > 0 && below ? `; dropout ${l.dropout} on its output while training` : '';
  const bi = l.bidirectional ? `, bidirectional (merge ${l.merge})` : '';
  return `${CELL_NAME[l.cell]}(${inSize} -> ${l.units}${act}${l.bias ? '' : ', no bias'}${bi})${drop}`;
}

function layerWidth(l: LayerSpec): number {
  return l.bidirectional && l.merge === 'concat' ? 2 * l.units : l.units;
}

function decoderLayers(spec: ModelSpec): LayerSpec[] {
  // as SeqModel: the decoder defaults to the encoder's shape, unidirectional
  return spec.decoderLayers.length ? spec.decoderLayers : spec.layers.map((l) => ({ ...l, bidirectional: false }));
}

/** The structure, one line per part, for the comment at the top of model.py. */
function describe(spec: ModelSpec, data: SeqData): string[] {
  const I = inputWidth(data);
  const O = outputWidth(data);
  const pos = spec.input.positionFeature ? 1 : 0;
  const embed = spec.input.encoding === 'embedding';
  const inp = data.input.kind === 'tokens'
    ? `${I} tokens, ${embed ? `nn.Embedding(${I}, ${spec.input.embeddingSize})` : 'one-hot'}`
    : `${I} real features`;
  const lines = [`input    ${inp}${pos ? ', plus the position t / (T - 1)' : ''}`];
  const stack = (name: string, layers: LayerSpec[], width: number) => {
    layers.forEach((l, k) => {
      lines.push(`${k === 0 ? name.padEnd(8) : ' '.repeat(8)} layer ${k}: ${layerLine(l, width, k < layers.length - 1)}`);
      width = layerWidth(l);
    });
    return width;
  };
  const ed = spec.structure === 'encoder-decoder';
  let top = stack(ed ? 'encoder' : 'rnn', spec.layers, (embed ? spec.input.embeddingSize : I) + pos);
  if (ed) {
    const K = top;
    const bridge = spec.bridge ? ` (bidirectional layers through the ${spec.bridge} bridge)` : '';
    lines.push(`decoder  starts from the encoder's final state${bridge}; fed <start>, y_1, ..., y_{T-1}`);
    const context = spec.attention === 'bahdanau' ? K : 0;
    top = stack('', decoderLayers(spec), (embed ? spec.input.embeddingSize : O) + pos + context);
    if (spec.attention) {
      lines.push(spec.attention === 'bahdanau'
        ? `attention bahdanau over the encoder's outputs [S, ${K}]: the context c_t is fed to the decoder beside y_{t-1}`
        : `attention ${spec.attention} over the encoder's outputs [S, ${K}]: the head reads tanh(combine([c_t; o_t]))`);
    }
  }
  if (spec.initialState === 'learned') lines.push('state    h_0 (and c_0) learned per layer and direction');
  if (spec.initialState === 'random') lines.push('state    h_0 (and c_0) ~ N(0, 0.1^2), drawn afresh for every forward pass as Sequence Lab draws them');
  const reads = spec.structure === 'many-to-one' ? "the top layer's final state" : 'every step of the top layer';
  const hd = spec.head.dropout > 0 ? `, after dropout ${spec.head.dropout} while training` : '';
  lines.push(`head     Linear(${top} -> ${O}) on ${reads}${hd}, ${spec.head.activation}; loss ${spec.head.loss}`);
  return lines;
}

function layerDicts(layers: LayerSpec[]): string {
  return layers
    .map((l) => `            dict(cell=${pyLiteral(l.cell)}, units=${l.units}, activation=${pyLiteral(l.activation)}, bias=${pyLiteral(l.bias)}, bidirectional=${pyLiteral(l.bidirectional)}, merge=${pyLiteral(l.merge)}, dropout=${l.dropout}),`)
    .join('\n');
}

function modelPy(p: PytorchProject): string {
  const { spec, data } = p;
  const ed = spec.structure === 'encoder-decoder';
  const head = [
    `"""${spec.name}: ${spec.structure}, exported from Sequence Lab (${p.definitionFile}).`,
    '',
    ...describe(spec, data).map((l) => `    ${l}`),
    '',
    'Batch-first here ([B, T, F]); Sequence Lab runs time-major, the numbers are the same. The parameter',
    'names are Sequence Lab\'s, which are PyTorch\'s ("rnn.weight_ih_l0", "rnn.bias_hh_l1_reverse",',
    '"embedding.weight", "head.weight" [O, D]; encoder-decoder: "encoder.*", "decoder.*",',
    '"decoder_embedding.weight"), so Sequence Lab\'s weights load with strict=True:',
    '',
    '    model = build_model()',
    '    model.load_state_dict(read_state_dict("initial_weights.json"), strict=True)',
    '"""',
  ].join('\n');
  const build = [
    '',
    '',
    'def build_model():',
    `    """${spec.name} as Sequence Lab builds it (definition.seqlab.json)."""`,
    '    return SeqModel(',
    `        structure=${pyLiteral(spec.structure)},`,
    `        input_tokens=${pyLiteral(data.input.kind === 'tokens')}, input_size=${inputWidth(data)},`,
    `        output_kind=${pyLiteral(data.output.kind)}, output_size=${outputWidth(data)},`,
    '        layers=[',
    layerDicts(spec.layers),
    '        ],',
    ...(ed ? ['        decoder_layers=[', layerDicts(decoderLayers(spec)), '        ],'] : []),
    `        embedding_size=${spec.input.encoding === 'embedding' ? spec.input.embeddingSize : 'None'},`,
    `        position_feature=${pyLiteral(spec.input.positionFeature)},`,
    `        initial_state=${pyLiteral(spec.initialState)},`,
    `        head_activation=${pyLiteral(spec.head.activation)},`,
    `        head_dropout=${spec.head.dropout},`,
    `        loss=${pyLiteral(spec.head.loss)},`,
    ...(ed ? [`        attention=${pyLiteral(spec.attention ?? null)},`, `        bridge=${pyLiteral(spec.bridge ?? null)},`] : []),
    '    )',
    '',
  ].join('\n');
  return `${head}\n${MODEL_PY}${build}`;
}

function trainPy(p: PytorchProject): string {
  const { spec, data } = p;
  const t = spec.training;
  const settings = {
    name: spec.name,
    about: data.about,
    perplexity: data.output.kind === 'classes' && data.generative,
    // an encoder-decoder's free-running validation: its length limit when the definition sets one
    decoderMaxLength: spec.decoderMaxLength ?? null,
    training: {
      optimizer: t.optimizer, learningRate: t.learningRate, momentum: t.momentum, nesterov: t.nesterov, beta1: t.beta1, beta2: t.beta2,
      epsilon: t.epsilon, rho: t.rho, centered: t.centered, weightDecay: t.weightDecay, batchSize: t.batchSize, steps: p.totalSteps,
      tbptt: p.truncatedBptt ? t.tbptt : null, clip: t.clip, schedule: t.schedule, seed: t.seed,
      // the intervals the CLI uses (a definition without them gets the session's defaults)
      logEvery: Math.max(1, t.logEvery ?? DEFAULT_LOG_EVERY), evalEvery: Math.max(1, t.evalEvery ?? DEFAULT_EVAL_EVERY),
      earlyStopping: t.earlyStopping ?? null,
    },
  };
  const entries = (o: Record<string, unknown>, indent: string) =>
    Object.entries(o).map(([k, v]) => `${indent}${JSON.stringify(k)}: ${pyLiteral(v)},`).join('\n');
  return [
    '#!/usr/bin/env python3',
    `"""Train ${spec.name} in PyTorch as Sequence Lab does, step for step.`,
    '',
    '    python3 train.py --steps 30 --json      # the losses of: seqlab train definition.seqlab.json --steps 30 --json --backend cpu',
    '    torchrun --nproc_per_node 2 train.py    # data parallel (gloo on CPU; nccl with --device cuda), same global batch',
    '    python3 train.py --out checkpoints      # checkpoints/weights.json, which seqlab import reads back',
    '',
    'See README.md.',
    '"""',
    '',
    '# The definition\'s training settings (steps: what train.py runs without --steps).',
    'SETTINGS = {',
    entries({ name: settings.name, about: settings.about, perplexity: settings.perplexity, decoderMaxLength: settings.decoderMaxLength }, '    '),
    '    "training": {',
    entries(settings.training, '        '),
    '    },',
    '}',
  ].join('\n') + '\n' + TRAIN_PY;
}

function readme(p: PytorchProject): string {
  const { spec, data } = p;
  const def = p.definitionFile;
  return `# ${spec.name} in PyTorch

Exported by Sequence Lab from \`${def}\`. ${data.about}

| File | What it is |
| --- | --- |
| \`model.py\` | the network as an \`nn.Module\` (\`build_model()\`), with Sequence Lab's parameter names |
| \`train.py\` | Sequence Lab's training loop: same batches in the same order, loss, optimizer (\`torch.optim\`), clipping, logging, evaluation and early stopping |
| \`data.json\` | the examples exactly as Sequence Lab prepared them (${data.train.length} training, ${data.valid.length} validation) and the vocabulary |
| \`initial_weights.json\` | ${p.weightsFrom} |
| \`definition.seqlab.json\` | the definition it came from |
${p.resume ? `| \`resume.json\` | the run's checkpoint at step ${p.resume.step}: optimizer state, data order, RNG, schedule (\`--fresh\` ignores it) |\n` : ''}
Needs Python 3 and PyTorch (1.13 or newer).

## Train

\`\`\`sh
python3 train.py --steps 30 --json          # one JSON object a line: step, loss, gradNorm, validLoss ...
python3 train.py --out checkpoints          # all ${p.totalSteps} steps; checkpoints/weights.json at every validation and at the end
python3 train.py --device cuda              # on a GPU (float32, TF32 off)
\`\`\`

\`python3 train.py --steps 30 --json\` prints the losses of \`seqlab train ${def} --steps 30 --json --backend cpu\`
(to float32 rounding). Bring the weights back into Sequence Lab, which evaluates them on the same data:

\`\`\`sh
seqlab import ${def} --weights checkpoints/weights.json
\`\`\`

## Scale out

\`\`\`sh
torchrun --nproc_per_node 2 train.py                      # 2 processes on this machine (gloo on CPU)
torchrun --nproc_per_node 8 train.py --device cuda        # 8 GPUs (nccl), one process each
\`\`\`

Under torchrun every process takes its share of each global batch (training.batchSize = ${spec.training.batchSize}
examples, whatever the number of processes), and DistributedDataParallel averages the gradients; each
process's loss is weighted by its share, so the step is the same as on one process and the printed
loss is the whole batch's mean. Only rank 0 prints and writes checkpoints.

- **Many GPUs**: give each process a GPU with \`--device cuda\` (process k uses \`cuda:LOCAL_RANK\`). To go
  faster rather than only wider, raise \`batchSize\` (and usually the learning rate) in \`SETTINGS\` at
  the top of \`train.py\`; the batch order then changes, so the run no longer matches Sequence Lab's.
- **Many machines**: start the same command on each machine with
  \`--nnodes N --node_rank K --master_addr HOST --master_port 29500\` (or \`--rdzv_backend c10d
  --rdzv_endpoint HOST:29500\`), with this folder at the same path on every machine.
- **Bigger data**: \`data.json\` holds every example in memory; for much more data, replace
  \`as_tensors\` and \`Batches\` in \`train.py\` with a \`DataLoader\` and a \`DistributedSampler\`.
`;
}

/**
 * The project for a definition (initial weights drawn for its seed, as training would) or for a
 * run (`weights`, checked against the model). Needs a TensorFlow.js backend (src/node/backend.ts).
 */
export async function preparePytorchProject(o: {
  spec: ModelSpec; data: SeqData; definitionFile: string; definitionText: string; weights?: StateDict; weightsFrom?: string;
  resume?: Omit<Checkpoint, 'weights'>;
}): Promise<PytorchProject> {
  const why = pytorchUnsupported(o.spec, o.data);
  if (why) throw new ExportRefused(why);
  const trainer = new Trainer(o.spec, o.data);
  try {
    if (o.weights) trainer.loadStateDict(o.weights); // a clear error when they do not fit
    return {
      spec: o.spec, data: o.data, definitionFile: o.definitionFile, definitionText: o.definitionText,
      weights: o.weights ?? (await trainer.stateDict()),
      totalSteps: trainer.totalSteps,
      truncatedBptt: trainer.usesTbptt(),
      weightsFrom: o.weightsFrom ?? `the initial weights Sequence Lab draws for training.seed ${o.spec.training.seed}`,
      ...(o.resume ? { resume: o.resume } : {}),
    };
  } finally {
    trainer.dispose();
  }
}

/**
 * Export a loaded definition, or a run of it (its weights as the starting point), into `outDir`:
 * what the CLI and the "Export as PyTorch Project" command both do. Returns the files written.
 */
export async function exportPytorchProject(o: { loaded: Loaded; outDir: string; run?: { store: RunStore; id: string } }): Promise<string[]> {
  const { loaded, run } = o;
  let spec = loaded.spec;
  let weights: StateDict | undefined;
  let weightsFrom: string | undefined;
  let resume: Omit<Checkpoint, 'weights'> | undefined;
  if (run) {
    const s = run.store.read(run.id).summary;
    const cp = resumableCheckpoint(run.store, run.id);
    if (cp) {
      // a stopped or interrupted run: continue it exactly, to the steps it was started for
      const { weights: w, ...rest } = cp.checkpoint;
      weights = w;
      resume = rest;
      spec = { ...spec, training: { ...spec.training, steps: cp.summary.steps, epochs: undefined } };
      weightsFrom = `the checkpoint of run ${run.id} at step ${cp.checkpoint.step} of ${cp.summary.steps}; with resume.json (its optimizer state, data order, RNG and schedule) train.py continues the run as \`seqlab train --resume ${run.id}\` would`;
    } else {
      weights = run.store.readWeights(run.id);
      if (!weights) throw new Error(`run ${run.id} has no weights (it ${s?.status ?? 'is broken'})`);
      weightsFrom = `the weights of run ${run.id} (step ${s?.weightsStep ?? s?.step}); train.py starts a fresh optimizer and the batch order from its first batch`;
    }
  }
  if (run) {
    // the run's weights mean the tokens of its recorded vocabulary: the data exported must have the same
    const record = run.store.readDataRecord(run.id);
    const why = record && vocabularyMismatch(record.vocabulary, dataVocabulary(loaded.data));
    if (why) throw new Error(`the weights of run ${run.id} do not fit its data as it reads now (${record!.from}): ${why}`);
  }
  await useBackend('cpu'); // to draw the initial weights as training would
  const project = await preparePytorchProject({
    spec, data: loaded.data, definitionText: loaded.text, weights, weightsFrom, resume,
    definitionFile: relative(loaded.workspaceRoot, loaded.file).split(sep).join('/'),
  });
  return writePytorchProject(o.outDir, project);
}

/** The checkpoint of a run that `seqlab train --resume` would continue (stopped or interrupted), else undefined. */
function resumableCheckpoint(store: RunStore, id: string): ReturnType<RunStore['resumable']> | undefined {
  try {
    return store.resumable(id);
  } catch (e) {
    if (e instanceof RunStoreError) return undefined; // completed, failed, or no checkpoint: start from its weights
    throw e;
  }
}

/**
 * Train one definition file in this Node process (CLI, extension host), recording the run in
 * the run store: a thin adapter over the core TrainingSession (src/core/session.ts), which owns
 * the loop policy. Also: resuming a run from its checkpoint, starting from other weights
 * (`--init-from`), and importing weights as a run (CLI `import`, VS Code "Import PyTorch Weights").
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDefinition, formatDiagnostic, locateDataProblem, type Diagnostic } from '../core/dsl';
import { buildDataset, DataError, DataFileError, type TaskContext } from '../core/tasks';
import { workspaceTaskContext } from './dataFiles';
import { Trainer, type MetricRow } from '../core/train';
import { TrainingSession, type SessionEvent, type SessionOptions } from '../core/session';
import { parseStateDictJson, stateDictVocabulary, vocabularyMismatch, type StateDict, type Vocabulary } from '../core/stateDict';
import type { ModelSpec } from '../core/spec';
import { dataInfo, dataVocabulary, type DataInfo, type SeqData } from '../core/data';
import type { EvaluationReport } from '../core/evaluate';
import { useBackend, type NodeBackend } from './backend';
import { chooseNodeBackend, reviewNodeProbe } from './backendProbe';
import type { BackendChoice } from '../core/backendProbe';
import { RunStore, RunStoreError, type RunSummary, type RunSweep, type RunWriter } from './runStore';
import { workspaceFileAccess } from './workspaceFile';
import { stripBom } from '../core/bom';
import { formatBytes, isInside } from '../core/paths';

export class DefinitionError extends Error {
  constructor(readonly file: string, readonly diagnostics: Diagnostic[], readonly dataFile?: DataFileError) {
    super(diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(file, d)).join('\n'));
    this.name = 'DefinitionError';
  }
}

/** The workspace a definition belongs to: the nearest folder up with .seqlab, .git or .vscode. */
export function findWorkspaceRoot(file: string): string {
  let dir = dirname(resolve(file));
  for (;;) {
    if (['.seqlab', '.git', '.vscode'].some((m) => existsSync(join(dir, m)))) return dir;
    const up = dirname(dir);
    if (up === dir) return dirname(resolve(file));
    dir = up;
  }
}

export interface Loaded {
  file: string;
  workspaceRoot: string;
  text: string;
  spec: ModelSpec;
  data: SeqData;
  warnings: Diagnostic[];
}

/** Largest definition file read (bytes): checked from its size before it is read. */
export const MAX_DEFINITION_BYTES = 8 * 1024 * 1024;

/** A definition's text, or a DefinitionError at 1:1 saying why it cannot be read. */
export function readDefinitionText(file: string): string {
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new Error('is a directory');
    if (!st.isFile()) throw new Error('not a regular file (a pipe or a device)');
    if (st.size > MAX_DEFINITION_BYTES) throw new Error(`${formatBytes(st.size)}, over the ${formatBytes(MAX_DEFINITION_BYTES)} limit for definitions (put long texts in a data.file)`);
    return stripBom(readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new DefinitionError(file, [{ severity: 'error', message: `cannot read the file: ${why}`, offset: 0, length: 0, line: 1, column: 1, path: [], code: 'io' }]);
  }
}

export interface LoadOptions {
  /** Memory budget for training in MB (default: DEFAULT_MEMORY_BUDGET_MB, src/core/cost.ts). */
  memoryBudgetMB?: number;
  /** Called while long data files are split into lines. */
  onProgress?: TaskContext['onProgress'];
}

/**
 * Read, validate and build the data of a definition: every check `train` makes before it starts
 * (`validate` runs exactly this). Throws DefinitionError with messages located at the field at fault
 * (a problem in a data file also carries the DataFileError with its own file, line and column).
 */
export function loadDefinition(fileIn: string, workspaceRoot?: string, opts: LoadOptions & { text?: string } = {}): Loaded {
  try {
    return loadResolved(resolve(fileIn), workspaceRoot, opts);
  } catch (e) {
    // messages name the file as the caller gave it (a relative path stays relative, as in `validate`)
    if (e instanceof DefinitionError) throw new DefinitionError(fileIn, e.diagnostics, e.dataFile);
    throw e;
  }
}

function loadResolved(file: string, workspaceRoot: string | undefined, opts: LoadOptions & { text?: string }): Loaded {
  // `text` replaces the file's content (a run's recorded definition), still resolved from the file
  const text = opts.text ?? readDefinitionText(file);
  const root = workspaceRoot ?? findWorkspaceRoot(file);
  const files = workspaceFileAccess(root);
  const r = parseDefinition(text, { file, workspaceRoot: root, inspectFile: files.inspectFile, memoryBudgetMB: opts.memoryBudgetMB });
  if (!r.spec) throw new DefinitionError(file, r.diagnostics);
  let data: SeqData;
  try {
    data = buildDataset(r.spec, workspaceTaskContext(file, root, { onProgress: opts.onProgress, memoryBudgetMB: opts.memoryBudgetMB }));
  } catch (e) {
    if (e instanceof DataError) {
      const code = e instanceof DataFileError ? 'data-file' : 'data';
      throw new DefinitionError(file, [...r.diagnostics, locateDataProblem(text, e.path, e.message, code)], e instanceof DataFileError ? e : undefined);
    }
    throw e;
  }
  return { file, workspaceRoot: root, text, spec: r.spec, data, warnings: r.diagnostics };
}

/** Bad input to resume, init-from or import (one clear line; nothing was written). */
export class TrainInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainInputError';
  }
}

/**
 * Weights to start from: a run of the store (its weights.json) or a state_dict JSON file, as
 * given on the command line or picked in VS Code. Throws TrainInputError naming the file.
 */
export function readWeightsRef(ref: string, store: RunStore): { weights: StateDict; vocabulary?: Vocabulary; label: string } {
  const asFile = resolve(ref);
  const isFile = existsSync(asFile) && statSync(asFile).isFile();
  const file = isFile ? asFile : join(store.dir, ref, 'weights.json');
  if (!isFile) {
    if (!store.has(ref)) { // matched against the store's listing: '', '.', '..', '../x', links are not runs
      throw new TrainInputError(`'${ref}' is neither a weights file nor a run in ${store.dir} (seqlab runs lists them)`);
    }
    if (!existsSync(file)) throw new TrainInputError(`run ${ref} has no weights (${file} is missing)`);
  }
  let vocabulary: Vocabulary | undefined;
  try {
    // a run's vocabulary is its data.json (older runs: the copy in weights.json); a file carries its own
    vocabulary = isFile ? undefined : store.readDataRecord(ref)?.vocabulary;
  } catch (e) {
    throw new TrainInputError((e as Error).message);
  }
  const shown = isFile ? ref : file; // a file as the user named it
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TrainInputError(`cannot read ${shown}: ${(e as Error).message}`);
  }
  try {
    if (isFile) vocabulary = stateDictVocabulary(text);
    return { weights: parseStateDictJson(text), ...(vocabulary ? { vocabulary } : {}), label: isFile ? ref : `run ${ref}` };
  } catch (e) {
    throw new TrainInputError(`${shown} is not a PyTorch state_dict JSON: ${(e as Error).message}`);
  }
}

/** Load weights into a trainer, checking vocabulary, names and shapes; TrainInputError when they do not fit. */
export function loadWeightsInto(trainer: Trainer, w: { weights: StateDict; vocabulary?: Vocabulary; label: string }): void {
  const why = vocabularyMismatch(w.vocabulary, dataVocabulary(trainer.data));
  if (why) throw new TrainInputError(`the weights of ${w.label} do not fit ${trainer.spec.name}: ${why}`);
  try {
    trainer.loadStateDict(w.weights);
  } catch (e) {
    throw new TrainInputError(`${w.label}: ${(e as Error).message}`);
  }
}

/**
 * A run's own copy of its definition, with data paths resolved against the original file's folder
 * (against the run's copy when the recorded path is not inside the workspace).
 */
export function loadRunDefinition(store: RunStore, id: string): Loaded {
  const e = store.read(id);
  if (!e.summary) throw new Error(`run ${id} is damaged: ${e.broken}`);
  const text = store.definitionText(id);
  const copy = join(store.runDir(id), 'definition.seqlab.json');
  if (!text) throw new Error(`run ${id} is damaged: ${copy} is missing`);
  const original = resolve(store.workspaceRoot, e.summary.experiment);
  return loadDefinition(isInside(store.workspaceRoot, original) ? original : copy, store.workspaceRoot, { text });
}

/**
 * What a run's weights need to read input and name outputs (vocabularies, tokenizer, scaling): its
 * data.json, read through the store's one record. A run recorded before data.json existed has its
 * data rebuilt from its definition, checked against the vocabulary its weights.json carried.
 */
export function runDataInfo(store: RunStore, id: string): DataInfo {
  const record = store.readDataRecord(id);
  if (record?.info) return record.info;
  const info = dataInfo(loadRunDefinition(store, id).data);
  const why = record && vocabularyMismatch(record.vocabulary, dataVocabulary(info));
  if (why) throw new TrainInputError(`run ${id} has no data.json and its data changed since it trained: ${why}`);
  return info;
}

export interface TrainOptions extends LoadOptions {
  workspaceRoot?: string;
  steps?: number;
  /** 'auto': the faster of wasm and cpu for this model, measured (and cached per machine and model size). */
  backend?: NodeBackend | 'auto';
  signal?: AbortSignal;
  source?: string;
  runsDir?: string;
  /** Interval defaults of this front end (VS Code settings); the definition's own values win. */
  defaults?: SessionOptions['defaults'];
  /** Checkpoint every N seconds (default 30; 0: at every metric row) or every N steps. */
  checkpointSeconds?: number;
  checkpointEvery?: number;
  /** Continue this run (id in the store) from its checkpoint. */
  resume?: string;
  /** Start a new run from these weights: a run id or a state_dict JSON file. */
  initFrom?: string;
  /** Train this text instead of the file's (a sweep trial's definition), still resolved from the file and recorded as its experiment. */
  definitionText?: string;
  /** The run is this trial of a sweep (recorded in its summary; trials of one sweep may train side by side). */
  sweep?: RunSweep;
  /** With backend 'auto': what was measured and chosen, before training starts. */
  onBackend?(choice: BackendChoice): void;
  /** With backend 'auto': the run's speed showed the cached probe figure stale; it was dropped (why). */
  onProbeStale?(why: string): void;
  onStart?(w: RunWriter, t: Trainer, loaded: Loaded, info: { resumedFrom?: number }): void;
  onMetrics?(row: MetricRow, t: Trainer): void;
  onEvent?(e: SessionEvent): void;
  /** The end-of-run evaluation (test split, else validation), also saved as evaluation.json. */
  onReport?(report: EvaluationReport): void;
}

/** Train a definition (or resume one of its runs) and record the run; resolves with its summary. */
export async function trainFile(file: string, opts: TrainOptions = {}): Promise<RunSummary> {
  if (opts.resume && opts.initFrom) throw new TrainInputError('--resume and --init-from cannot be combined: a resumed run continues from its own weights');
  if (opts.resume && opts.definitionText !== undefined) throw new TrainInputError('a resumed run trains its own recorded definition');
  const root = opts.workspaceRoot ?? findWorkspaceRoot(resolve(file));
  const store = new RunStore(root, opts.runsDir);
  // Everything that can refuse comes before anything is written.
  let resume: ReturnType<RunStore['resumable']> | undefined;
  let text: string | undefined = opts.definitionText;
  if (opts.resume) {
    resume = resumableRun(store, opts.resume, file);
    text = store.definitionText(opts.resume);
  }
  const loaded = loadDefinition(file, root, { memoryBudgetMB: opts.memoryBudgetMB, onProgress: opts.onProgress, text });
  let spec = loaded.spec;
  const steps = opts.steps ?? resume?.summary.steps;
  if (steps !== undefined) spec = { ...spec, training: { ...spec.training, steps, epochs: undefined } };
  let backend: NodeBackend;
  let choice: BackendChoice | undefined;
  if (opts.backend === 'auto') {
    choice = await chooseNodeBackend(spec, loaded.data);
    backend = choice.backend as NodeBackend;
    opts.onBackend?.(choice);
  } else backend = await useBackend(opts.backend ?? 'wasm');
  const trainer = new Trainer(spec, loaded.data);
  let writer: RunWriter | undefined;
  try {
    const init = opts.initFrom ? readWeightsRef(opts.initFrom, store) : undefined;
    if (init) loadWeightsInto(trainer, init);
    const session = new TrainingSession(trainer, {
      metrics: (row) => {
        writer!.appendMetrics([row]);
        opts.onMetrics?.(row, trainer);
      },
      checkpoint: (cp) => writer!.saveCheckpoint(cp),
      best: (b, weights) => writer!.saveBest(b, weights),
      event: (e) => opts.onEvent?.(e),
    }, { defaults: opts.defaults, checkpointSeconds: opts.checkpointSeconds, checkpointEvery: opts.checkpointEvery, yieldToEventLoop: () => new Promise((r) => setImmediate(r)) });
    if (resume) {
      try {
        await session.restore(resume.checkpoint);
      } catch (e) {
        throw new TrainInputError(`run ${opts.resume}'s checkpoint does not fit ${loaded.file}: ${(e as Error).message}`);
      }
      writer = store.reopen(opts.resume!, resume.checkpoint);
      if (trainer.totalSteps !== resume.summary.steps) writer.update({ steps: trainer.totalSteps }); // --steps extends (or cuts) the run
    } else {
      writer = store.create({
        definitionFile: loaded.file, definitionText: loaded.text, spec, backend,
        steps: trainer.totalSteps, source: opts.source ?? 'cli', parameters: trainer.model.parameterCount,
        ...(opts.sweep ? { sweep: opts.sweep } : {}),
      });
      if (init) writer.update({ initFrom: init.label });
      writer.saveDataInfo(dataInfo(loaded.data));
    }
    opts.onStart?.(writer, trainer, loaded, resume ? { resumedFrom: resume.checkpoint.step } : {});
    const stop = () => session.stop();
    if (opts.signal?.aborted) stop();
    opts.signal?.addEventListener('abort', stop);
    try {
      const t0 = performance.now();
      const step0 = trainer.step;
      const end = (await session.run())!;
      const secs = (performance.now() - t0) / 1000;
      // a run of at least a second checks the cached probe figure it was chosen by
      if (choice && secs >= 1 && end.step > step0) {
        const why = reviewNodeProbe(choice, (end.step - step0) / secs);
        if (why) opts.onProbeStale?.(why);
      }
      if (end.status !== 'failed') {
        // the weights the run keeps (the best ones after early stopping); none after a divergence (NaN)
        writer.saveWeights(await trainer.stateDict(), spec.name);
        writer.update({ weightsStep: end.earlyStopped?.bestStep ?? end.step, ...(end.earlyStopped ? { earlyStoppedAt: end.earlyStopped.step } : {}) });
      }
      if (end.status === 'completed') {
        // the held-out test split is looked at once, here
        const report = await trainer.report();
        writer.saveEvaluation(report);
        opts.onReport?.(report);
      }
      if (end.status === 'failed') writer.update({ step: end.step }); // the step that diverged, as the message says
      return writer.finish(end.status, end.message);
    } finally {
      opts.signal?.removeEventListener('abort', stop);
    }
  } catch (e) {
    if (writer && !(e instanceof TrainInputError)) writer.finish('failed', `Training failed: ${(e as Error).message}`);
    throw e;
  } finally {
    trainer.dispose();
  }
}

/** The checkpoint of run `id` if it can be resumed with `file`, else TrainInputError. */
function resumableRun(store: RunStore, id: string, file: string): ReturnType<RunStore['resumable']> {
  const entry = store.list().find((e) => e.id === id);
  if (!entry) throw new TrainInputError(`no run '${id}' in ${store.dir} (seqlab runs lists them)`);
  const exp = store.experimentId(file);
  if (entry.summary && entry.summary.experiment !== exp) throw new TrainInputError(`run ${id} trained ${entry.summary.experiment}, not ${exp}`);
  let r: ReturnType<RunStore['resumable']>;
  try {
    r = store.resumable(id);
  } catch (e) {
    if (e instanceof RunStoreError) throw new TrainInputError(e.message);
    throw e;
  }
  if (!store.definitionText(id)) throw new TrainInputError(`run ${id} has no recorded definition (definition.seqlab.json is missing)`);
  return r;
}

/**
 * Import weights as a run of a definition (no training): checks them against the model and its
 * data, evaluates them, and records a completed run with source 'import'. The CLI's `import` and
 * VS Code's "Import PyTorch Weights" both come here.
 */
export async function importWeights(file: string, weightsRef: string, opts: { workspaceRoot?: string; runsDir?: string; backend?: NodeBackend } = {}): Promise<{ summary: RunSummary; tensors: number; loss: number; accuracy?: number }> {
  const loaded = loadDefinition(file, opts.workspaceRoot);
  const store = new RunStore(loaded.workspaceRoot, opts.runsDir);
  const w = readWeightsRef(weightsRef, store);
  const backend = await useBackend(opts.backend ?? 'wasm');
  const trainer = new Trainer(loaded.spec, loaded.data);
  try {
    loadWeightsInto(trainer, w);
    const v = await trainer.evaluate();
    const writer = store.create({
      definitionFile: loaded.file, definitionText: loaded.text, spec: loaded.spec, backend, steps: 0, source: 'import',
      parameters: trainer.model.parameterCount,
    });
    writer.saveDataInfo(dataInfo(loaded.data));
    writer.saveWeights(await trainer.stateDict(), loaded.spec.name);
    writer.update({ lastLoss: v.loss, validLoss: v.loss, weightsStep: 0, initFrom: w.label, ...(v.accuracy !== undefined ? { validAccuracy: v.accuracy } : {}) });
    const summary = writer.finish('completed', `Imported from ${w.label}.`);
    return { summary, tensors: Object.keys(w.weights).length, loss: v.loss, ...(v.accuracy !== undefined ? { accuracy: v.accuracy } : {}) };
  } finally {
    trainer.dispose();
  }
}

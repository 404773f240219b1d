/**
 * Train one definition file in this Node process (CLI, extension host), recording the run in
 * the run store. Metrics are read back every `logEvery` steps; validation every `evalEvery`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { locateDataProblem, parseDefinition, formatDiagnostic, type Diagnostic } from '../core/dsl';
import { buildDataset, DataError, DataFileError, type TaskContext } from '../core/tasks';
import { workspaceTaskContext } from './dataFiles';
import { DivergenceError, Trainer, type MetricRow } from '../core/train';
import type { ModelSpec } from '../core/spec';
import { dataInfo, type SeqData } from '../core/data';
import type { EvaluationReport } from '../core/evaluate';
import { useBackend, type NodeBackend } from './backend';
import { RunStore, type RunSummary, type RunWriter } from './runStore';
import { workspaceFileAccess } from './workspaceFile';
import { stripBom } from '../core/bom';

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

/** A definition's text, or a DefinitionError at 1:1 saying why it cannot be read. */
export function readDefinitionText(file: string): string {
  try {
    if (statSync(file).isDirectory()) throw new Error('is a directory');
    return stripBom(readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new DefinitionError(file, [{ severity: 'error', message: `cannot read the file: ${why}`, offset: 0, length: 0, line: 1, column: 1, path: [], code: 'io' }]);
  }
}

/**
 * Read, validate and build the data of a definition. Throws DefinitionError with located messages
 * (a problem in a data file also carries the DataFileError with its own file, line and column).
 */
export function loadDefinition(fileIn: string, workspaceRoot?: string, onProgress?: TaskContext['onProgress']): Loaded {
  const file = resolve(fileIn);
  const text = readDefinitionText(file);
  const root = workspaceRoot ?? findWorkspaceRoot(file);
  const files = workspaceFileAccess(root);
  const r = parseDefinition(text, { file, workspaceRoot: root, inspectFile: files.inspectFile });
  if (!r.spec) throw new DefinitionError(file, r.diagnostics);
  let data: SeqData;
  try {
    data = buildDataset(r.spec, workspaceTaskContext(file, root, onProgress));
  } catch (e) {
    if (e instanceof DataError) {
      const code = e instanceof DataFileError ? 'data-file' : 'data';
      throw new DefinitionError(file, [locateDataProblem(text, e.path, e.message, code)], e instanceof DataFileError ? e : undefined);
    }
    throw e;
  }
  return { file, workspaceRoot: root, text, spec: r.spec, data, warnings: r.diagnostics };
}

export interface TrainOptions {
  workspaceRoot?: string;
  steps?: number;
  backend?: NodeBackend;
  signal?: AbortSignal;
  source?: string;
  runsDir?: string;
  /** Read metrics back every N steps (default: the definition's training.logEvery). */
  logEvery?: number;
  onStart?(w: RunWriter, t: Trainer, loaded: Loaded): void;
  onMetrics?(row: MetricRow, t: Trainer): void;
  /** The end-of-run evaluation (test split, else validation), also saved as evaluation.json. */
  onReport?(report: EvaluationReport): void;
  /** Progress while long data files are split into lines. */
  onProgress?: TaskContext['onProgress'];
}

export async function trainFile(file: string, opts: TrainOptions = {}): Promise<RunSummary> {
  const loaded = loadDefinition(file, opts.workspaceRoot, opts.onProgress);
  let spec = loaded.spec;
  if (opts.steps !== undefined) spec = { ...spec, training: { ...spec.training, steps: opts.steps, epochs: undefined } };
  const backend = await useBackend(opts.backend ?? 'wasm');
  const trainer = new Trainer(spec, loaded.data);
  const store = new RunStore(loaded.workspaceRoot, opts.runsDir);
  const writer = store.create({
    definitionFile: loaded.file, definitionText: loaded.text, spec, backend,
    steps: trainer.totalSteps, source: opts.source ?? 'cli', parameters: trainer.model.parameterCount,
  });
  writer.saveDataInfo(dataInfo(loaded.data));
  opts.onStart?.(writer, trainer, loaded);
  const t = spec.training;
  try {
    while (!trainer.done) {
      if (opts.signal?.aborted) {
        await saveWeights(writer, trainer);
        return writer.finish('stopped', `Stopped at step ${trainer.step}.`);
      }
      const every = Math.max(1, opts.logEvery ?? t.logEvery);
      const row = await trainer.runSteps(every);
      if (trainer.step % t.evalEvery < every || trainer.done) {
        const v = await trainer.evaluate();
        row.validLoss = v.loss;
        row.validAccuracy = v.accuracy;
        row.validPerplexity = v.perplexity;
      }
      writer.appendMetrics([row]);
      opts.onMetrics?.(row, trainer);
      await new Promise((r) => setImmediate(r)); // let signals and UI events through
    }
    await saveWeights(writer, trainer);
    // the held-out test split is looked at once, here
    const report = await trainer.report();
    writer.saveEvaluation(report);
    opts.onReport?.(report);
    return writer.finish('completed');
  } catch (e) {
    // no weights after a divergence: they are NaN
    const msg = e instanceof DivergenceError ? e.message : `Training failed: ${(e as Error).message}`;
    const s = writer.finish('failed', msg);
    if (e instanceof DivergenceError) return s;
    throw e;
  } finally {
    trainer.dispose();
  }
}

async function saveWeights(w: RunWriter, t: Trainer): Promise<void> {
  w.saveWeights(await t.stateDict(), t.spec.name);
}

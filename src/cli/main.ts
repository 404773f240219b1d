/**
 * `seqlab`: train, validate, verify against PyTorch fixtures, export and import weights.
 * Exit codes: 0 ok, 1 failure (invalid definition, failed check, diverged run), 2 usage error.
 */
import { existsSync, lstatSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { csvParseRows } from 'd3-dsv';
import type { DataInfo, SeqData } from '../core/data';
import { formatReport } from '../core/evaluate';
import { PredictError } from '../core/predict';
import type { DecodeMethod } from '../core/decode';
import { parseArgs as nodeParseArgs } from 'node:util';
import { version } from '../../package.json';
import { didYouMean } from '../core/dsl/suggest';
import { formatDiagnostic, type Diagnostic } from '../core/dsl';
import { DEFAULT_MEMORY_BUDGET_MB } from '../core/cost';
import { checkAttentionFixture, checkFixture, parseFixture } from '../core/torch';
import { checkTrajectory } from '../core/trajectory';
import type { MetricRow } from '../core/train';
import { takeFallbacks } from '../core/fused';
import { NODE_BACKENDS, useBackend, type NodeBackend } from '../node/backend';
import { DefinitionError, TrainInputError, findWorkspaceRoot, importWeights, loadDefinition, loadRunDefinition, trainFile } from '../node/trainRun';
import { RunStore, RunStoreError, type RunSummary } from '../node/runStore';
import { openRunPredictor } from '../node/predictRun';
import { writeFileAtomic } from '../node/atomic';
import { exportPytorchProject } from '../node/export/pytorch';
import { runSweep, type ChildTrial } from '../node/sweepRun';
import { describeOverrides, rankResults, sweepReport, sweepTable, type SweepTrial } from '../core/sweep';
import { spawn } from 'node:child_process';

/** One line per command: the usage and what it does. `seqlab CMD --help` prints the command's entry. */
interface FlagSpec {
  type: 'string' | 'boolean';
  /** Shown in the usage: `--steps N`. */
  value?: string;
  help: string;
}
interface CommandSpec {
  args: string;
  about: string;
  flags: Record<string, FlagSpec>;
}

const WORKSPACE: FlagSpec = { type: 'string', value: 'DIR', help: 'workspace root (default: the nearest folder up with .seqlab, .git or .vscode)' };
const BUDGET: FlagSpec = { type: 'string', value: 'MB', help: `memory budget for training in MB (default ${DEFAULT_MEMORY_BUDGET_MB}); definitions estimated to need more are refused` };
const BACKEND = (dflt: string): FlagSpec => ({ type: 'string', value: 'wasm|cpu', help: `tfjs backend (default ${dflt})` });
const TRAIN_BACKEND: FlagSpec = {
  type: 'string', value: 'auto|wasm|cpu',
  help: 'tfjs backend (default auto: the faster of wasm and cpu for this model, measured once per machine and model size)',
};

const COMMANDS: Record<string, CommandSpec> = {
  train: {
    args: 'FILE', about: 'Train a *.seqlab.json definition and record the run.',
    flags: {
      steps: { type: 'string', value: 'N', help: "train N steps (overrides the definition's training.steps/epochs)" },
      backend: TRAIN_BACKEND,
      json: { type: 'boolean', help: 'print JSON lines (start, one per metrics row, best and earlyStop events, end)' },
      'memory-budget': BUDGET,
      workspace: WORKSPACE,
      resume: { type: 'string', value: 'RUN', help: 'continue a stopped or interrupted run of FILE from its last checkpoint, appending to its metrics' },
      'init-from': { type: 'string', value: 'RUN|STATE_DICT.json', help: "start a new run from a run's weights or a state_dict file (names, shapes and vocabulary are checked)" },
      'checkpoint-every': { type: 'string', value: 'N', help: 'checkpoint every N steps (default: every 30 seconds)' },
      'checkpoint-seconds': { type: 'string', value: 'S', help: 'checkpoint every S seconds while training (default 30; 0: only when stopped)' },
    },
  },
  sweep: {
    args: 'FILE', about: "Train every trial of a definition's sweep section (each an ordinary run of FILE with the trial's settings), then print the results sorted by validation loss.",
    flags: {
      parallel: { type: 'string', value: 'N', help: 'train N trials at a time, each in its own process (default 1: one after another)' },
      trial: { type: 'string', value: 'K[,K...]', help: 'train only these trials (numbered from 1 as the plan lists them)' },
      'sweep-id': { type: 'string', value: 'ID', help: 'record the trials under this existing sweep (e.g. to train one of its trials again)' },
      steps: { type: 'string', value: 'N', help: "train each trial N steps (overrides the definition's training.steps/epochs)" },
      backend: TRAIN_BACKEND,
      out: { type: 'string', value: 'FILE', help: 'also write the results as a markdown report to FILE' },
      json: { type: 'boolean', help: 'print JSON lines (plan, trialStart, trialEnd, results)' },
      'memory-budget': BUDGET,
      workspace: WORKSPACE,
    },
  },
  validate: {
    args: 'FILE...', about: 'Check definitions; print file:line:column diagnostics.',
    flags: { 'memory-budget': BUDGET, workspace: WORKSPACE },
  },
  'verify-torch': {
    args: 'FIXTURE|DIR...', about: 'Check against PyTorch fixtures: forward/backward (torch-recurrent-fixture/1, packed sequences included), attention encoder-decoders (torch-attention-fixture/1) and training trajectories (seqlab-torch-trajectory/1).',
    flags: {
      tolerance: { type: 'string', value: 'T', help: 'largest absolute error allowed (default 1e-4)' },
      backend: BACKEND('cpu'),
    },
  },
  export: {
    args: 'FILE|RUN', about: "Write a run's weights as a PyTorch-named state_dict (torch-json), or a definition or run as a runnable PyTorch training project (pytorch).",
    flags: {
      format: { type: 'string', value: 'torch-json|pytorch', help: 'torch-json: a run\'s state_dict (default); pytorch: a project folder (model.py, train.py, data, weights)' },
      out: { type: 'string', value: 'FILE|DIR', help: 'torch-json: write to FILE (default: standard output); pytorch: the folder to write (required)' },
      workspace: WORKSPACE,
    },
  },
  import: {
    args: 'FILE --weights STATE_DICT.json', about: 'Record a run from PyTorch-named weights and evaluate it.',
    flags: {
      weights: { type: 'string', value: 'STATE_DICT.json', help: 'the weights to import (required)' },
      backend: BACKEND('wasm'),
      workspace: WORKSPACE,
    },
  },
  sample: {
    args: 'RUN', about: "Generate text from a character model's run.",
    flags: {
      prefix: { type: 'string', value: 'TEXT', help: 'text to start from' },
      length: { type: 'string', value: 'N', help: 'characters to generate, at most 1000000 (default 200)' },
      temperature: { type: 'string', value: 'T', help: 'sampling temperature (default 0.8)' },
      seed: { type: 'string', value: 'N', help: 'random seed (integer)' },
      workspace: WORKSPACE,
    },
  },
  predict: {
    args: 'RUN', about: "Predict with a run's model: --text is one input; --file has one input a line (text tasks) or is a CSV of the feature columns (real-valued tasks: one prediction a window). Prints one JSON object a line.",
    flags: {
      text: { type: 'string', value: 'TEXT', help: 'one input: text, or rows of numbers (rows separated by ; or newlines, values by commas)' },
      file: { type: 'string', value: 'FILE', help: 'many inputs: one a line, or a CSV with a header naming the feature columns' },
      length: { type: 'string', value: 'N', help: 'most tokens to write (generators; encoder-decoders: overrides decoder.maxLength)' },
      beam: { type: 'string', value: 'K', help: 'encoder-decoder: beam search of width K (prints the K alternatives with their scores)' },
      sample: { type: 'boolean', help: 'encoder-decoder: sample each token instead of the most likely one' },
      temperature: { type: 'string', value: 'T', help: 'with --sample: softmax temperature (default 1)' },
      seed: { type: 'string', value: 'N', help: 'with --sample: random seed (default 1)' },
      workspace: WORKSPACE,
    },
  },
  runs: {
    args: '', about: 'List the recorded runs.',
    flags: { workspace: WORKSPACE },
  },
  unlock: {
    args: 'RUN', about: "Mark a run left 'running' by a process that is gone as interrupted, so its experiment can train again.",
    flags: {
      force: { type: 'boolean', help: 'also when a process with the recorded PID and start time still runs on this machine' },
      workspace: WORKSPACE,
    },
  },
};

function usageLine(name: string, c: CommandSpec): string {
  const flags = Object.entries(c.flags).map(([k, f]) => (f.type === 'boolean' ? `[--${k}]` : `[--${k} ${f.value}]`)).join(' ');
  return ['seqlab', name, c.args, flags].filter(Boolean).join(' ').replace(/\[--weights STATE_DICT\.json\] ?/, '');
}

const USAGE = `Sequence Lab: recurrent sequence models you can look inside.

Usage:
${Object.entries(COMMANDS).map(([n, c]) => `  ${usageLine(n, c)}`).join('\n')}
  seqlab COMMAND --help
  seqlab --version

FILE is a *.seqlab.json definition. Runs are recorded under <workspace>/.seqlab/runs/<run-id>/.`;

function commandUsage(name: string): string {
  const c = COMMANDS[name];
  const width = Math.max(...Object.entries(c.flags).map(([k, f]) => k.length + (f.value ? f.value.length + 1 : 0))) + 4;
  const rows = Object.entries(c.flags).map(([k, f]) => `  ${`--${k}${f.value ? ` ${f.value}` : ''}`.padEnd(width)}${f.help}`);
  return `Usage: ${usageLine(name, c)}\n\n${c.about}\n\nOptions:\n${rows.join('\n')}\n  ${'--help'.padEnd(width)}print this help`;
}

class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

interface Args {
  positional: string[];
  flags: Map<string, string | true>;
  help: boolean;
}

/**
 * A command's arguments through `node:util` parseArgs in strict mode: an unknown flag, a missing
 * value or a value given to a switch is a usage error naming the flag (with the likely intended one).
 */
function parseCommand(name: string, argv: string[]): Args {
  const c = COMMANDS[name];
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [k, f] of Object.entries(c.flags)) options[k] = { type: f.type };
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const flagName = /'(-[^' ]+)/.exec((e as Error).message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const guess = didYouMean(flagName.replace(/^-+/, ''), Object.keys(options));
      throw new UsageError(`unknown option '${flagName}' for '${name}'${guess ? ` (did you mean --${guess}?)` : ''}`, name);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const k = flagName.replace(/^-+/, '');
      const f = c.flags[k];
      if (f?.type === 'boolean' || k === 'help') throw new UsageError(`${flagName} takes no value`, name);
      throw new UsageError(`${flagName} needs a value (${flagName} ${f?.value ?? 'VALUE'}; a value starting with '-' is written ${flagName}=-...)`, name);
    }
    throw new UsageError((e as Error).message, name);
  }
  const flags = new Map<string, string | true>();
  for (const [k, v] of Object.entries(parsed.values)) if (k !== 'help' && v !== undefined && v !== false) flags.set(k, v as string | true);
  return { positional: parsed.positionals, flags, help: parsed.values.help === true };
}

function flag(a: Args, k: string): string | undefined {
  const v = a.flags.get(k);
  return typeof v === 'string' ? v : undefined;
}

function num(a: Args, k: string, check: (n: number) => boolean, what: string): number | undefined {
  const v = flag(a, k);
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${k} must be ${what} (got '${v}')`);
  return n;
}

function oneOf<T extends string>(a: Args, k: string, allowed: readonly T[], dflt: T): T {
  const v = flag(a, k) ?? dflt;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${k} must be ${allowed.join(' or ')} (got '${v}')`);
  return v as T;
}

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

function fmt(n: number | undefined, digits = 4): string {
  return n === undefined || Number.isNaN(n) ? '-' : Math.abs(n) >= 1e-3 || n === 0 ? n.toFixed(digits) : n.toExponential(2);
}

/** One metrics line; `lr` shows the learning rate (when a schedule changes it). */
function describeRow(r: MetricRow, lr = false): string {
  const parts = [`step ${r.step}`, `loss ${fmt(r.loss)}`];
  if (r.accuracy !== undefined) parts.push(`acc ${(r.accuracy * 100).toFixed(1)}%`);
  if (r.perplexity !== undefined) parts.push(`ppl ${fmt(r.perplexity, 3)}`);
  // encoder-decoder: loss and accuracy are teacher-forced (the decoder fed the true previous token)
  const tf = r.validExactMatch !== undefined ? '(teacher-forced)' : '';
  if (r.validLoss !== undefined) parts.push(`val_loss${tf} ${fmt(r.validLoss)}`);
  if (r.validAccuracy !== undefined) parts.push(`val_acc${tf} ${(r.validAccuracy * 100).toFixed(1)}%`);
  // encoder-decoder: the decoder fed its own outputs (greedy)
  if (r.validExactMatch !== undefined) parts.push(`val_exact ${(r.validExactMatch * 100).toFixed(1)}%`);
  if (r.validTokenAccuracy !== undefined) parts.push(`val_tok ${(r.validTokenAccuracy * 100).toFixed(1)}%`);
  if (r.validBleu !== undefined) parts.push(`val_bleu ${(r.validBleu * 100).toFixed(1)}`);
  if (r.gradNorm !== undefined) parts.push(`|g| ${fmt(r.gradNorm, 3)}`);
  if (lr && r.learningRate !== undefined) parts.push(`lr ${r.learningRate.toPrecision(3)}`);
  return parts.join('  ');
}

async function cmdTrain(a: Args): Promise<number> {
  if (a.positional.length !== 1) throw new UsageError('train takes exactly one FILE');
  const steps = num(a, 'steps', (n) => Number.isSafeInteger(n) && n >= 1, 'a positive integer');
  const wanted = oneOf<NodeBackend | 'auto'>(a, 'backend', ['auto', ...NODE_BACKENDS], 'auto');
  let backend: string = wanted;
  let backendReason: string | undefined;
  const checkpointEvery = num(a, 'checkpoint-every', (n) => Number.isSafeInteger(n) && n >= 1, 'a positive integer');
  const checkpointSeconds = num(a, 'checkpoint-seconds', (n) => n >= 0, 'a number of seconds >= 0');
  const resume = flag(a, 'resume');
  const initFrom = flag(a, 'init-from');
  if (resume !== undefined && initFrom !== undefined) throw new UsageError('--resume and --init-from cannot be combined');
  const json = a.flags.has('json');
  const tty = !json && process.stdout.isTTY;
  const ctrl = new AbortController();
  const onSignal = () => ctrl.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let total = 0;
  let scheduled = false;
  const started = Date.now();
  let trainStart = started;
  let firstStep = 0;
  const summary = await trainFile(a.positional[0], {
    steps, backend: wanted, signal: ctrl.signal, workspaceRoot: workspaceFlag(a), memoryBudgetMB: budgetFlag(a), source: 'cli',
    resume, initFrom, checkpointEvery, checkpointSeconds,
    onBackend(c) {
      backend = c.backend;
      backendReason = c.reason;
    },
    onProbeStale(why) {
      if (json) out(JSON.stringify({ event: 'probeStale', reason: why }));
      else err(`note: backend probe: ${why}`);
    },
    onStart(w, t, loaded, info) {
      total = t.totalSteps;
      scheduled = t.spec.training.schedule.type !== 'none';
      trainStart = Date.now();
      firstStep = t.step;
      for (const d of loaded.warnings) err(formatDiagnostic(a.positional[0], d));
      const start = {
        event: 'start', run: w.id, dir: w.dir, backend, ...(backendReason ? { backendReason } : {}), steps: total, parameters: t.model.parameterCount, task: loaded.data.about,
        ...(info.resumedFrom !== undefined ? { resumedFrom: info.resumedFrom } : {}), ...(initFrom ? { initFrom } : {}),
      };
      if (json) out(JSON.stringify(start));
      else {
        const how = info.resumedFrom !== undefined ? `Resuming ${t.spec.name} at step ${info.resumedFrom}` : `Training ${t.spec.name}`;
        out(`${how} (${t.model.parameterCount} parameters) on ${backend}${backendReason ? ` (auto: ${backendReason})` : ''}, ${total} steps${initFrom ? `, from the weights of ${initFrom}` : ''}. Task: ${loaded.data.about}\nRun ${w.id} -> ${w.dir}`);
      }
    },
    onEvent(e) {
      if (json) out(JSON.stringify({ event: e.type, ...e, type: undefined }));
      else if (e.type === 'earlyStop') {
        if (tty) process.stdout.write('\n');
        out(`early stopping at step ${e.step}: no improvement for ${e.patience} validations; best step ${e.bestStep} (val_loss ${fmt(e.bestLoss)})`);
      }
    },
    onProgress: dataProgress(json),
    onReport(rep) {
      if (json) out(JSON.stringify({ event: 'evaluation', ...rep }));
      else for (const l of formatReport(rep)) out(l);
    },
    onMetrics(r) {
      if (json) out(JSON.stringify(r));
      else if (tty) {
        const w = 24;
        const done = Math.round((r.step / Math.max(1, total)) * w);
        process.stdout.write(`\r[${'#'.repeat(done)}${'.'.repeat(w - done)}] ${describeRow(r, scheduled)}\x1b[K`);
      } else out(describeRow(r, scheduled));
    },
  });
  if (tty) process.stdout.write('\n');
  // a registered fused kernel that declined some batches says why (once per reason)
  for (const why of takeFallbacks()) {
    if (json) out(JSON.stringify({ event: 'fallback', reason: why }));
    else err(`note: fused kernel fell back to the op-by-op path: ${why}`);
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  // training speed: steps over the time from the first step to the end (startup, probe excluded)
  const trainSecs = (Date.now() - trainStart) / 1000;
  const stepsPerSecond = trainSecs > 0 && summary.step > firstStep ? (summary.step - firstStep) / trainSecs : undefined;
  if (json) out(JSON.stringify({ event: 'end', ...summary, ...(stepsPerSecond !== undefined ? { stepsPerSecond } : {}) }));
  else {
    out(`${summary.status}: step ${summary.step}/${summary.steps}, loss ${fmt(summary.lastLoss)}` +
      (summary.validLoss !== undefined ? `, val_loss ${fmt(summary.validLoss)}` : '') +
      (summary.accuracy !== undefined ? `, acc ${(summary.accuracy * 100).toFixed(1)}%` : '') +
      (summary.bestStep !== undefined ? `, best step ${summary.bestStep} (val_loss ${fmt(summary.bestValidLoss)})` : '') + ` in ${secs}s` +
      (stepsPerSecond !== undefined ? ` (${stepsPerSecond.toFixed(0)} steps/s on ${backend})` : ''));
    if (summary.message) out(summary.message);
  }
  return summary.status === 'completed' ? 0 : summary.status === 'stopped' ? 130 : 1;
}

async function cmdSweep(a: Args): Promise<number> {
  if (a.positional.length !== 1) throw new UsageError('sweep takes exactly one FILE');
  const file = a.positional[0];
  const parallel = num(a, 'parallel', (n) => Number.isSafeInteger(n) && n >= 1 && n <= 64, 'an integer from 1 to 64') ?? 1;
  const steps = num(a, 'steps', (n) => Number.isSafeInteger(n) && n >= 1, 'a positive integer');
  const backend = oneOf<NodeBackend | 'auto'>(a, 'backend', ['auto', ...NODE_BACKENDS], 'auto');
  const outFile = flag(a, 'out') !== undefined ? outputFile(flag(a, 'out')!) : undefined;
  const json = a.flags.has('json');
  const trialFlag = flag(a, 'trial');
  const only = trialFlag === undefined ? undefined : trialFlag.split(',').map((k) => {
    const n = k.trim() === '' ? NaN : Number(k);
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--trial must be trial numbers from 1, separated by commas (got '${trialFlag}')`);
    return n;
  });
  const ctrl = new AbortController();
  const onSignal = () => ctrl.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now();
  // parallel trials: this same command in child processes, one trial each, reporting in JSON lines
  const passOn = ['steps', 'backend', 'workspace', 'memory-budget'].flatMap((k) => (flag(a, k) !== undefined ? [`--${k}`, flag(a, k)!] : []));
  const launch = (t: SweepTrial, id: string): ChildTrial => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], 'sweep', file, '--trial', String(t.index), '--sweep-id', id, '--json', ...passOn], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-4000); });
    let buf = '';
    let onStart: (r: { id: string; dir: string; steps: number } | undefined) => void = () => {};
    const startedP = new Promise<{ id: string; dir: string; steps: number } | undefined>((r) => { onStart = r; });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const e = JSON.parse(line) as { event?: string; run?: string; dir?: string; steps?: number };
          if (e.event === 'trialStart' && typeof e.run === 'string') onStart({ id: e.run, dir: e.dir ?? '', steps: e.steps ?? 0 });
        } catch { /* not an event */ }
      }
    });
    const ended = new Promise<{ code: number; stderr: string }>((r) => child.on('close', (code) => { onStart(undefined); r({ code: code ?? 1, stderr }); }));
    return { started: startedP, ended, kill: () => { child.kill('SIGTERM'); } };
  };
  const outcome = await runSweep(file, {
    parallel, steps, backend, signal: ctrl.signal, workspaceRoot: workspaceFlag(a), memoryBudgetMB: budgetFlag(a), source: 'cli',
    launch, ...(only ? { only } : {}), ...(flag(a, 'sweep-id') !== undefined ? { id: flag(a, 'sweep-id') } : {}),
    onProgress: dataProgress(json),
    onPlan({ id, trials, loaded }) {
      for (const d of loaded.warnings) err(formatDiagnostic(file, d));
      if (json) out(JSON.stringify({ event: 'plan', sweep: id, trials: trials.map((t) => ({ trial: t.index, overrides: t.overrides })) }));
      else out(`Sweep ${id}: ${trials.length} trial${trials.length === 1 ? '' : 's'} of ${loaded.spec.name}, ${Math.min(parallel, trials.length)} at a time`);
    },
    onTrialStart(t, run) {
      if (json) out(JSON.stringify({ event: 'trialStart', trial: t.index, run: run.id, dir: run.dir, steps: run.steps, overrides: t.overrides }));
      else out(`trial ${t.index}: ${describeOverrides(t.overrides)} -> run ${run.id} (${run.steps} steps)`);
    },
    onTrialEnd(t, r) {
      if (json) out(JSON.stringify({ event: 'trialEnd', ...r }));
      else out(`trial ${t.index} ${r.status}` + (r.validLoss !== undefined ? `: val_loss ${fmt(r.validLoss)}` : '') + (r.seconds !== undefined ? ` in ${r.seconds.toFixed(1)}s` : '') + (r.message ? `: ${r.message}` : ''));
    },
  });
  const ranked = rankResults(outcome.results);
  const table = sweepTable(outcome.results);
  if (json) out(JSON.stringify({ event: 'results', sweep: outcome.id, experiment: outcome.experiment, ranked }));
  else out(`\nResults of sweep ${outcome.id} (${((Date.now() - started) / 1000).toFixed(1)}s), best validation loss first:\n\n${table}`);
  if (outFile) writeFileAtomic(outFile, sweepReport(outcome.experiment, outcome.id, outcome.results));
  const ok = outcome.results.every((r) => r.status === 'completed');
  return ok ? 0 : ctrl.signal.aborted ? 130 : 1;
}

/** `validate` makes exactly the checks `train` makes before it starts (loadDefinition), data and memory included. */
function cmdValidate(a: Args): number {
  if (!a.positional.length) throw new UsageError('validate takes one or more FILEs');
  const root = workspaceFlag(a);
  const memoryBudgetMB = budgetFlag(a);
  let errors = 0;
  for (const f of a.positional) {
    let diagnostics: Diagnostic[];
    let data: SeqData | undefined;
    try {
      // everything `train` checks before it starts, the data files included
      const loaded = loadDefinition(f, root, { memoryBudgetMB, onProgress: dataProgress(false) });
      diagnostics = loaded.warnings;
      data = loaded.data;
    } catch (e) {
      if (!(e instanceof DefinitionError)) throw e;
      diagnostics = e.diagnostics;
      const df = e.dataFile;
      if (df) {
        // a malformed line of a data file: located in that file, and the definition's warnings
        err(`${df.abs ? relative(process.cwd(), df.abs) || df.file : df.file}:${df.line}:${df.column}: error: ${df.what}`);
        errors++;
        diagnostics = diagnostics.filter((d) => d.severity !== 'error');
      }
    }
    for (const d of diagnostics) (d.severity === 'error' ? err : out)(formatDiagnostic(f, d));
    errors += diagnostics.filter((d) => d.severity === 'error').length;
    if (!diagnostics.length && data) out(`${f}: ok (${data.train.length} training, ${data.valid.length} validation${data.test?.length ? `, ${data.test.length} test` : ''} examples)`);
  }
  return errors ? 1 : 0;
}

/** --memory-budget MB: the training memory budget (default DEFAULT_MEMORY_BUDGET_MB). */
function budgetFlag(a: Args): number | undefined {
  return num(a, 'memory-budget', (n) => n > 0, 'a positive number of megabytes');
}

/** Progress while a long data file is split into lines: a live line on a terminal, one line when done otherwise. */
function dataProgress(json: boolean): (file: string, done: number, total: number) => void {
  const tty = !json && process.stderr.isTTY;
  return (file, done, total) => {
    if (json) return;
    if (tty) process.stderr.write(`\rreading ${file}: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} lines${done === total ? '\n' : ''}`);
    else if (done === total) err(`read ${file}: ${total.toLocaleString('en-US')} lines`);
  };
}

function fixtureFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    if (existsSync(p) && statSync(p).isDirectory()) {
      for (const f of readdirSync(p).filter((f) => f.endsWith('.json')).sort()) files.push(join(p, f));
    } else files.push(p);
  }
  return files;
}

/**
 * Check PyTorch fixtures: single forward/backward passes (max abs error of every tensor) and
 * training trajectories (losses, gradient norms and final weights, scaled as their README says).
 */
async function cmdVerifyTorch(a: Args): Promise<number> {
  if (!a.positional.length) throw new UsageError('verify-torch takes one or more fixture files or folders');
  const tol = num(a, 'tolerance', (n) => n > 0, 'a positive number') ?? 1e-4;
  await useBackend(oneOf<NodeBackend>(a, 'backend', NODE_BACKENDS, 'cpu'));
  let failed = 0;
  for (const f of fixtureFiles(a.positional)) {
    try {
      const parsed = parseFixture(readFileSync(f, 'utf8'));
      let title: string;
      let checks: { what: string; error: number }[];
      if (parsed.kind === 'recurrent') {
        const fx = parsed.fx;
        title = `${fx.name ?? f}  (${fx.module.type}, layers ${fx.module.num_layers}, ${fx.module.bidirectional ? 'bidirectional' : 'unidirectional'}, H ${fx.module.hidden_size}${fx.lengths ? `, lengths ${fx.lengths.join(' ')}` : ''})`;
        checks = checkFixture(fx).map((c) => ({ what: c.tensor, error: c.maxAbsError }));
      } else if (parsed.kind === 'attention') {
        const fx = parsed.fx;
        const m = fx.model;
        title = `${fx.name ?? f}  (${m.cell} encoder-decoder, ${m.attention} attention, layers ${m.num_layers}, H ${m.hidden_size}${m.encoder_bidirectional ? `, bidirectional encoder, ${m.bridge ?? 'linear'} bridge` : ''}, source lengths ${fx.source_lengths.join(' ')})`;
        checks = checkAttentionFixture(fx).map((c) => ({ what: c.tensor, error: c.maxAbsError }));
      } else {
        const fx = parsed.fx;
        const t = (fx.definition.training ?? {}) as Record<string, unknown>;
        title = `${fx.name}  (trajectory, ${fx.K} steps, ${t.optimizer ?? 'adam'}, clip ${(t.clip as { type?: string } | undefined)?.type ?? 'none'})`;
        checks = await checkTrajectory(fx);
      }
      const worst = Math.max(...checks.map((c) => c.error));
      const ok = worst <= tol;
      out(`${ok ? 'PASS' : 'FAIL'} ${title}  worst ${worst.toExponential(2)}`);
      for (const c of checks) out(`  ${c.error <= tol ? ' ' : '!'} ${c.what.padEnd(28)} ${c.error.toExponential(2)}`);
      if (!ok) failed++;
    } catch (e) {
      err(`${f}: error: ${(e as Error).message}`);
      failed++;
    }
  }
  out(failed ? `${failed} fixture(s) failed (tolerance ${tol})` : `all fixtures within ${tol}`);
  return failed ? 1 : 0;
}

/** --workspace DIR, checked: a usage error when it does not exist or is not a folder. */
function workspaceFlag(a: Args): string | undefined {
  const given = flag(a, 'workspace');
  if (given === undefined) return undefined;
  const dir = resolve(given);
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UsageError(`--workspace ${given}: no such folder`);
  }
  if (!st.isDirectory()) throw new UsageError(`--workspace ${given} is not a folder (give the workspace's root folder)`);
  return dir;
}

function storeFor(a: Args): RunStore {
  return new RunStore(workspaceFlag(a) ?? findWorkspaceRoot(join(process.cwd(), 'x')));
}

/**
 * RUN: a run id of the store (matched against its listing: '', '.', '..', '../x' never are), or a
 * path to a run folder (one holding summary.json).
 */
function resolveRun(a: Args, run: string): { store: RunStore; id: string } {
  if (/[\\/]/.test(run) && existsSync(join(run, 'summary.json')) && statSync(run).isDirectory()) {
    const dir = resolve(run);
    const store = new RunStore(resolve(dir, '..', '..', '..'), dirname(dir));
    const id = basename(dir);
    if (store.has(id)) return { store, id };
  }
  const store = storeFor(a);
  if (!store.has(run)) {
    throw new UsageError(`no run ${JSON.stringify(run)} in ${store.dir}: give a run id as \`seqlab runs\` lists it, or the path of a run folder`);
  }
  return { store, id: run };
}

/** A run that can be read: its summary, or an error naming the damaged file. */
function readableRun(store: RunStore, id: string): RunSummary {
  const e = store.read(id);
  if (!e.summary) throw new Error(`run ${id} is damaged: ${e.broken}`);
  return e.summary;
}

/** --out FILE: a regular file or a new name in an existing folder; never a symlink, FIFO, device or folder. */
function outputFile(given: string): string {
  const dest = resolve(given);
  let st;
  try {
    st = lstatSync(dest);
  } catch {
    st = undefined;
  }
  if (st && !st.isFile()) {
    const what = st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a named pipe (FIFO)' : 'not a regular file';
    throw new UsageError(`--out ${given} is ${what}: give the path of a regular file to write (it is replaced atomically)`);
  }
  let parent;
  try {
    parent = statSync(dirname(dest));
  } catch {
    throw new UsageError(`--out ${given}: the folder ${dirname(dest)} does not exist`);
  }
  if (!parent.isDirectory()) throw new UsageError(`--out ${given}: ${dirname(dest)} is not a folder`);
  return dest;
}

async function cmdExport(a: Args): Promise<number> {
  if (a.positional.length !== 1) throw new UsageError('export takes exactly one FILE or RUN');
  if (oneOf(a, 'format', ['torch-json', 'pytorch'], 'torch-json') === 'pytorch') return cmdExportPytorch(a);
  const dest = flag(a, 'out') !== undefined ? outputFile(flag(a, 'out')!) : undefined;
  const { store, id } = resolveRun(a, a.positional[0]);
  const summary = readableRun(store, id);
  const sd = store.readWeights(id);
  if (!sd) throw new Error(`run ${id} has no weights (it ${summary.status}${summary.message ? `: ${summary.message}` : ''})`);
  const text = JSON.stringify(sd);
  if (dest) {
    writeFileAtomic(dest, text + '\n');
    err(`wrote ${Object.keys(sd).length} tensors to ${dest}`);
  } else out(text);
  return 0;
}

/** export FILE|RUN --format pytorch --out DIR: a runnable PyTorch training project. */
async function cmdExportPytorch(a: Args): Promise<number> {
  const dest = flag(a, 'out');
  if (!dest) throw new UsageError('export --format pytorch needs --out DIR');
  const target = a.positional[0];
  const isFile = existsSync(target) && statSync(target).isFile();
  const run = isFile ? undefined : resolveRun(a, target);
  const loaded = run ? loadRunDefinition(run.store, run.id) : loadDefinition(target, flag(a, 'workspace') && resolve(flag(a, 'workspace')!));
  const files = await exportPytorchProject({ loaded, outDir: dest, run });
  err(`wrote ${files.length} files to ${dest}: python3 ${join(dest, 'train.py')} --steps 30 --json`);
  return 0;
}

async function cmdImport(a: Args): Promise<number> {
  const weights = flag(a, 'weights');
  if (a.positional.length !== 1 || !weights) throw new UsageError('import takes FILE --weights STATE_DICT.json');
  const backend = oneOf<NodeBackend>(a, 'backend', NODE_BACKENDS, 'wasm');
  const r = await importWeights(a.positional[0], weights, { workspaceRoot: workspaceFlag(a), backend });
  out(`imported ${r.tensors} tensors as run ${r.summary.id}; validation loss ${fmt(r.loss)}${r.accuracy !== undefined ? `, accuracy ${(r.accuracy * 100).toFixed(1)}%` : ''}`);
  return 0;
}

async function cmdSample(a: Args): Promise<number> {
  if (a.positional.length !== 1) throw new UsageError('sample takes exactly one RUN');
  const opts = {
    prefix: flag(a, 'prefix'),
    length: num(a, 'length', (n) => Number.isSafeInteger(n) && n > 0 && n <= 1_000_000, 'a whole number from 1 to 1000000') ?? 200,
    temperature: num(a, 'temperature', (n) => n > 0, 'a positive number') ?? 0.8,
    seed: num(a, 'seed', Number.isSafeInteger, 'an integer'),
  };
  const { store, id } = resolveRun(a, a.positional[0]);
  readableRun(store, id);
  // the run's own definition and its recorded vocabulary (data.json), not the data as it is now
  const { predictor: p } = await openRunPredictor(store, id);
  try {
    out(await p.sample(opts));
  } catch (e) {
    if (e instanceof PredictError) throw new Error(`run ${id}: ${e.message}`);
    throw e;
  } finally {
    p.dispose();
  }
  return 0;
}

function cmdUnlock(a: Args): number {
  if (a.positional.length !== 1) throw new UsageError('unlock takes exactly one RUN');
  const { store, id } = resolveRun(a, a.positional[0]);
  const s = store.clearLock(id, a.flags.has('force'));
  out(`run ${id} marked interrupted: ${s.experiment} can be trained again`);
  return 0;
}

async function cmdPredict(a: Args): Promise<number> {
  if (a.positional.length !== 1) throw new UsageError('predict takes exactly one RUN');
  const text = flag(a, 'text');
  const inFile = flag(a, 'file');
  if ((text === undefined) === (inFile === undefined)) throw new UsageError('predict takes --text TEXT or --file FILE (one of them)');
  const length = num(a, 'length', (n) => Number.isSafeInteger(n) && n > 0 && n <= 10_000, 'a whole number from 1 to 10000');
  const method = decodeMethod(a);
  const { store, id } = resolveRun(a, a.positional[0]);
  // the definition, weights and vocabularies the run was trained with (data.json; older runs rebuild them from the data)
  const { predictor: p, spec, info } = await openRunPredictor(store, id);
  try {
    let inputs: string[];
    if (text !== undefined) inputs = [text];
    else {
      let content: string;
      try {
        content = readFileSync(inFile!, 'utf8');
      } catch (e) {
        throw new UsageError(`--file ${inFile}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      inputs = predictInputs(content, info, spec.data.length, inFile!);
    }
    if (method && info.structure !== 'encoder-decoder') throw new UsageError(`--${method.kind === 'beam' ? 'beam' : 'sample'} is for encoder-decoder models (run ${id} is ${info.structure})`);
    let failed = 0;
    inputs.forEach((inp, i) => {
      try {
        out(JSON.stringify(p.predict(inp, { length, method })));
      } catch (e) {
        if (!(e instanceof PredictError)) throw e;
        failed++;
        err(`${inFile ? `${inFile}:${i + 1}` : '--text'}: error: ${e.message}`);
      }
    });
    return failed ? 1 : 0;
  } finally {
    p.dispose();
  }
}

/** --beam K, or --sample [--temperature T] [--seed N]: how an encoder-decoder decodes (greedy when neither). */
function decodeMethod(a: Args): DecodeMethod | undefined {
  const beam = num(a, 'beam', (n) => Number.isSafeInteger(n) && n >= 1 && n <= 100, 'a whole number from 1 to 100 (the beam width)');
  const sample = a.flags.get('sample') === true;
  const temperature = num(a, 'temperature', (n) => n > 0 && n <= 100, 'a number above 0 (at most 100)');
  const seed = num(a, 'seed', (n) => Number.isSafeInteger(n), 'a whole number');
  if (beam !== undefined && sample) throw new UsageError('--beam and --sample do not go together: choose one way to decode');
  if (!sample && (temperature !== undefined || seed !== undefined)) throw new UsageError('--temperature and --seed are for --sample');
  if (beam !== undefined) return { kind: 'beam', width: beam };
  if (sample) return { kind: 'sample', temperature: temperature ?? 1, seed: seed ?? 1 };
  return undefined;
}

/**
 * The inputs in a --file: text tasks one a line (blank lines skipped); real-valued tasks a CSV
 * whose header names the feature columns (or rows of the features in order), cut into windows of
 * the training length.
 */
function predictInputs(content: string, info: DataInfo, length: number, name: string): string[] {
  const lines = content.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  if (info.input.kind === 'tokens') return lines.filter((l) => l.trim() !== '');
  const names = info.input.names ?? [];
  const rows = lines.filter((l) => l.trim() !== '').map((l) => csvParseRows(l)[0] ?? []);
  const header = rows[0]?.map((h) => h.trim()) ?? [];
  const cols = names.map((n) => header.indexOf(n));
  const hasHeader = names.length > 0 && cols.every((c) => c >= 0);
  const body = hasHeader ? rows.slice(1) : rows;
  const pick = (r: string[]) => (hasHeader ? cols.map((c) => r[c] ?? '') : r).join(',');
  const L = info.inputLength ?? length;
  if (body.length < L) throw new UsageError(`${name} has ${body.length} rows; the model reads windows of ${L}`);
  const out: string[] = [];
  for (let s = 0; s + L <= body.length; s++) out.push(body.slice(s, s + L).map(pick).join(';'));
  return out;
}

function cmdRuns(a: Args): number {
  const store = storeFor(a);
  for (const e of store.list()) {
    if (e.broken) out(`${e.id}  BROKEN  ${e.broken}`);
    else {
      const s = e.summary!;
      out(`${e.id}  ${s.status.padEnd(11)} ${s.experiment}  step ${s.step}/${s.steps}  loss ${fmt(s.finalLoss ?? s.lastLoss)}` +
        (s.sweep ? `  sweep ${s.sweep.id} trial ${s.sweep.trial}/${s.sweep.trials}: ${describeOverrides(s.sweep.overrides)}` : ''));
    }
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined) {
      err(USAGE);
      return 2;
    }
    if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
      if (rest[0] && Object.hasOwn(COMMANDS, rest[0])) out(commandUsage(rest[0]));
      else out(USAGE);
      return 0;
    }
    if (cmd === '--version' || cmd === '-v' || cmd === 'version') {
      out(`seqlab ${version}`);
      return 0;
    }
    if (!Object.hasOwn(COMMANDS, cmd)) {
      const guess = didYouMean(cmd, Object.keys(COMMANDS));
      throw new UsageError(`unknown command '${cmd}'${guess ? ` (did you mean '${guess}'?)` : ''}`);
    }
    const a = parseCommand(cmd, rest);
    if (a.help) {
      out(commandUsage(cmd));
      return 0;
    }
    switch (cmd) {
      case 'train': return await cmdTrain(a);
      case 'sweep': return await cmdSweep(a);
      case 'validate': return cmdValidate(a);
      case 'verify-torch': return await cmdVerifyTorch(a);
      case 'export': return await cmdExport(a);
      case 'import': return await cmdImport(a);
      case 'sample': return await cmdSample(a);
      case 'predict': return await cmdPredict(a);
      case 'runs': return cmdRuns(a);
      case 'unlock': return cmdUnlock(a);
    }
    throw new UsageError(`unknown command '${cmd}'`);
  } catch (e) {
    if (e instanceof UsageError) {
      const which = e.command ?? (cmd !== undefined && Object.hasOwn(COMMANDS, cmd) ? cmd : undefined);
      err(`seqlab: ${e.message}\n\n${which ? commandUsage(which) : USAGE}`);
      return 2;
    }
    if (e instanceof DefinitionError) {
      err(e.message);
      return 1;
    }
    if (e instanceof TrainInputError || e instanceof RunStoreError) {
      err(`seqlab: ${e.message}`);
      return 1;
    }
    err(`seqlab: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

/**
 * `seqlab`: train, validate, verify against PyTorch fixtures, export and import weights.
 * Exit codes: 0 ok, 1 failure (invalid definition, failed check, diverged run), 2 usage error.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDefinition, formatDiagnostic } from '../core/dsl';
import { checkFixture, parseFixture, parseStateDictJson } from '../core/torch';
import { checkTrajectory } from '../core/trajectory';
import { Trainer, type MetricRow } from '../core/train';
import { useBackend, type NodeBackend } from '../node/backend';
import { DefinitionError, findWorkspaceRoot, loadDefinition, readDefinitionText, trainFile } from '../node/trainRun';
import { RunStore } from '../node/runStore';
import { writeFileAtomic } from '../node/atomic';

const USAGE = `Sequence Lab: recurrent sequence models you can look inside.

Usage:
  seqlab train FILE [--steps N] [--backend wasm|cpu] [--json] [--workspace DIR]
  seqlab validate FILE...
  seqlab verify-torch FIXTURE|DIR... [--tolerance 1e-4] [--backend cpu|wasm]
  seqlab export RUN --format torch-json [--out FILE] [--workspace DIR]
  seqlab import FILE --weights STATE_DICT.json [--workspace DIR]
  seqlab sample RUN [--prefix TEXT] [--length N] [--temperature T] [--workspace DIR]
  seqlab runs [--workspace DIR]

FILE is a *.seqlab.json definition. Runs are recorded under <workspace>/.seqlab/runs/<run-id>/.`;

class UsageError extends Error {}

interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[], valued: string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split('=', 2);
      if (valued.includes(k)) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new UsageError(`--${k} needs a value`);
        flags.set(k, v);
      } else flags.set(k, true);
    } else positional.push(a);
  }
  return { positional, flags };
}

function flag(a: Args, k: string): string | undefined {
  const v = a.flags.get(k);
  return typeof v === 'string' ? v : undefined;
}

function num(a: Args, k: string, check: (n: number) => boolean, what: string): number | undefined {
  const v = flag(a, k);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${k} must be ${what} (got '${v}')`);
  return n;
}

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

function fmt(n: number | undefined, digits = 4): string {
  return n === undefined || Number.isNaN(n) ? '-' : Math.abs(n) >= 1e-3 || n === 0 ? n.toFixed(digits) : n.toExponential(2);
}

function describeRow(r: MetricRow): string {
  const parts = [`step ${r.step}`, `loss ${fmt(r.loss)}`];
  if (r.accuracy !== undefined) parts.push(`acc ${(r.accuracy * 100).toFixed(1)}%`);
  if (r.perplexity !== undefined) parts.push(`ppl ${fmt(r.perplexity, 3)}`);
  if (r.validLoss !== undefined) parts.push(`val_loss ${fmt(r.validLoss)}`);
  if (r.validAccuracy !== undefined) parts.push(`val_acc ${(r.validAccuracy * 100).toFixed(1)}%`);
  if (r.gradNorm !== undefined) parts.push(`|g| ${fmt(r.gradNorm, 3)}`);
  return parts.join('  ');
}

async function cmdTrain(argv: string[]): Promise<number> {
  const a = parseArgs(argv, ['steps', 'backend', 'workspace']);
  if (a.positional.length !== 1) throw new UsageError('train takes exactly one FILE');
  const steps = num(a, 'steps', (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
  const backend = (flag(a, 'backend') ?? 'wasm') as NodeBackend;
  if (!['wasm', 'cpu'].includes(backend)) throw new UsageError(`--backend must be wasm or cpu (got '${backend}')`);
  const json = a.flags.has('json');
  const tty = !json && process.stdout.isTTY;
  const ctrl = new AbortController();
  const onSignal = () => ctrl.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let total = 0;
  const started = Date.now();
  const summary = await trainFile(a.positional[0], {
    steps, backend, signal: ctrl.signal, workspaceRoot: flag(a, 'workspace') && resolve(flag(a, 'workspace')!), source: 'cli',
    onStart(w, t, loaded) {
      total = t.totalSteps;
      for (const d of loaded.warnings) err(formatDiagnostic(a.positional[0], d));
      const info = { event: 'start', run: w.id, dir: w.dir, backend, steps: total, parameters: t.model.parameterCount, task: loaded.data.about };
      if (json) out(JSON.stringify(info));
      else out(`Training ${t.spec.name} (${t.model.parameterCount} parameters) on ${backend}, ${total} steps. Task: ${loaded.data.about}\nRun ${w.id} -> ${w.dir}`);
    },
    onMetrics(r) {
      if (json) out(JSON.stringify(r));
      else if (tty) {
        const w = 24;
        const done = Math.round((r.step / Math.max(1, total)) * w);
        process.stdout.write(`\r[${'#'.repeat(done)}${'.'.repeat(w - done)}] ${describeRow(r)}\x1b[K`);
      } else out(describeRow(r));
    },
  });
  if (tty) process.stdout.write('\n');
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (json) out(JSON.stringify({ event: 'end', ...summary }));
  else {
    out(`${summary.status}: step ${summary.step}/${summary.steps}, loss ${fmt(summary.lastLoss)}` +
      (summary.validLoss !== undefined ? `, val_loss ${fmt(summary.validLoss)}` : '') +
      (summary.accuracy !== undefined ? `, acc ${(summary.accuracy * 100).toFixed(1)}%` : '') + ` in ${secs}s`);
    if (summary.message) out(summary.message);
  }
  return summary.status === 'completed' ? 0 : summary.status === 'stopped' ? 130 : 1;
}

function cmdValidate(argv: string[]): number {
  const a = parseArgs(argv, ['workspace']);
  if (!a.positional.length) throw new UsageError('validate takes one or more FILEs');
  let errors = 0;
  for (const f of a.positional) {
    const file = resolve(f);
    let text: string;
    try {
      text = readDefinitionText(file);
    } catch (e) {
      err((e as DefinitionError).diagnostics.map((d) => formatDiagnostic(f, d)).join('\n'));
      errors++;
      continue;
    }
    const root = flag(a, 'workspace') ? resolve(flag(a, 'workspace')!) : findWorkspaceRoot(file);
    const r = parseDefinition(text, { file, workspaceRoot: root, fileExists: (p) => existsSync(p) });
    for (const d of r.diagnostics) (d.severity === 'error' ? err : out)(formatDiagnostic(f, d));
    const n = r.diagnostics.filter((d) => d.severity === 'error').length;
    errors += n;
    if (!r.diagnostics.length) out(`${f}: ok`);
  }
  return errors ? 1 : 0;
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
async function cmdVerifyTorch(argv: string[]): Promise<number> {
  const a = parseArgs(argv, ['tolerance', 'backend']);
  if (!a.positional.length) throw new UsageError('verify-torch takes one or more fixture files or folders');
  const tol = num(a, 'tolerance', (n) => n > 0, 'a positive number') ?? 1e-4;
  const backend = (flag(a, 'backend') ?? 'cpu') as NodeBackend;
  if (!['wasm', 'cpu'].includes(backend)) throw new UsageError(`--backend must be wasm or cpu (got '${backend}')`);
  await useBackend(backend);
  let failed = 0;
  for (const f of fixtureFiles(a.positional)) {
    try {
      const parsed = parseFixture(readFileSync(f, 'utf8'));
      let title: string;
      let checks: { what: string; error: number }[];
      if (parsed.kind === 'recurrent') {
        const fx = parsed.fx;
        title = `${fx.name ?? f}  (${fx.module.type}, layers ${fx.module.num_layers}, ${fx.module.bidirectional ? 'bidirectional' : 'unidirectional'}, H ${fx.module.hidden_size})`;
        checks = checkFixture(fx).map((c) => ({ what: c.tensor, error: c.maxAbsError }));
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

function storeFor(a: Args): RunStore {
  const ws = flag(a, 'workspace') ? resolve(flag(a, 'workspace')!) : findWorkspaceRoot(join(process.cwd(), 'x'));
  return new RunStore(ws);
}

/** RUN: a run id, or a path to a run folder. */
function resolveRun(a: Args, run: string): { store: RunStore; id: string } {
  if (existsSync(run) && statSync(run).isDirectory() && existsSync(join(run, 'summary.json'))) {
    const dir = resolve(run);
    return { store: new RunStore(resolve(dir, '..', '..', '..')), id: dir.split(/[\\/]/).pop()! };
  }
  const store = storeFor(a);
  if (!existsSync(join(store.dir, run))) throw new UsageError(`no run '${run}' in ${store.dir} (seqlab runs lists them)`);
  return { store, id: run };
}

function cmdExport(argv: string[]): number {
  const a = parseArgs(argv, ['format', 'out', 'workspace']);
  if (a.positional.length !== 1) throw new UsageError('export takes exactly one RUN');
  const format = flag(a, 'format') ?? 'torch-json';
  if (format !== 'torch-json') throw new UsageError(`--format must be torch-json (got '${format}')`);
  const { store, id } = resolveRun(a, a.positional[0]);
  const sd = store.readWeights(id);
  if (!sd) throw new Error(`run ${id} has no weights (it ${store.read(id).summary?.status ?? 'is broken'})`);
  const text = JSON.stringify(sd);
  const dest = flag(a, 'out');
  if (dest) {
    writeFileAtomic(resolve(dest), text + '\n');
    err(`wrote ${Object.keys(sd).length} tensors to ${dest}`);
  } else out(text);
  return 0;
}

async function cmdImport(argv: string[]): Promise<number> {
  const a = parseArgs(argv, ['weights', 'workspace', 'backend']);
  const weights = flag(a, 'weights');
  if (a.positional.length !== 1 || !weights) throw new UsageError('import takes FILE --weights STATE_DICT.json');
  const loaded = loadDefinition(a.positional[0], flag(a, 'workspace') && resolve(flag(a, 'workspace')!));
  const sd = parseStateDictJson(readFileSync(weights, 'utf8'));
  const backend = await useBackend((flag(a, 'backend') ?? 'wasm') as NodeBackend);
  const trainer = new Trainer(loaded.spec, loaded.data);
  try {
    trainer.loadStateDict(sd);
    const v = await trainer.evaluate();
    const store = new RunStore(loaded.workspaceRoot);
    const w = store.create({ definitionFile: loaded.file, definitionText: loaded.text, spec: loaded.spec, backend, steps: 0, source: 'import', parameters: trainer.model.parameterCount });
    w.saveWeights(await trainer.stateDict(), loaded.spec.name);
    w.update({ validLoss: v.loss, lastLoss: v.loss, validAccuracy: v.accuracy });
    w.finish('completed', `Imported from ${weights}.`);
    out(`imported ${Object.keys(sd).length} tensors as run ${w.id}; validation loss ${fmt(v.loss)}${v.accuracy !== undefined ? `, accuracy ${(v.accuracy * 100).toFixed(1)}%` : ''}`);
  } finally {
    trainer.dispose();
  }
  return 0;
}

async function cmdSample(argv: string[]): Promise<number> {
  const a = parseArgs(argv, ['prefix', 'length', 'temperature', 'workspace', 'seed']);
  if (a.positional.length !== 1) throw new UsageError('sample takes exactly one RUN');
  const { store, id } = resolveRun(a, a.positional[0]);
  const text = store.definitionText(id);
  const sd = store.readWeights(id);
  if (!text || !sd) throw new Error(`run ${id} has no definition or weights`);
  const e = store.read(id);
  const defFile = join(store.workspaceRoot, e.summary!.experiment);
  const tmp = join(e.dir, 'definition.seqlab.json');
  // resolve data paths against the original definition's location
  const loaded = loadDefinition(existsSync(defFile) ? defFile : tmp, store.workspaceRoot);
  await useBackend('wasm');
  const trainer = new Trainer(loaded.spec, loaded.data);
  try {
    trainer.loadStateDict(sd);
    out(await trainer.sample({
      prefix: flag(a, 'prefix'),
      length: num(a, 'length', (n) => Number.isInteger(n) && n > 0, 'a positive integer') ?? 200,
      temperature: num(a, 'temperature', (n) => n > 0, 'a positive number') ?? 0.8,
      seed: num(a, 'seed', Number.isInteger, 'an integer'),
    }));
  } finally {
    trainer.dispose();
  }
  return 0;
}

function cmdRuns(argv: string[]): number {
  const a = parseArgs(argv, ['workspace']);
  const store = storeFor(a);
  for (const e of store.list()) {
    if (e.broken) out(`${e.id}  BROKEN  ${e.broken}`);
    else {
      const s = e.summary!;
      out(`${e.id}  ${s.status.padEnd(11)} ${s.experiment}  step ${s.step}/${s.steps}  loss ${fmt(s.finalLoss ?? s.lastLoss)}`);
    }
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'train': return await cmdTrain(rest);
      case 'validate': return cmdValidate(rest);
      case 'verify-torch': return await cmdVerifyTorch(rest);
      case 'export': return cmdExport(rest);
      case 'import': return await cmdImport(rest);
      case 'sample': return await cmdSample(rest);
      case 'runs': return cmdRuns(rest);
      case undefined: case 'help': case '--help': case '-h':
        out(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${cmd}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`seqlab: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof DefinitionError) {
      err(e.message);
      return 1;
    }
    err(`seqlab: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

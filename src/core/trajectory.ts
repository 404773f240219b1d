/**
 * PyTorch training trajectories (`seqlab-torch-trajectory/1`, ../shared/fixtures/torch-train):
 * K full-batch optimizer steps from given weights, each step's loss and gradient norm and the final
 * weights, computed by PyTorch 1.13. `checkTrajectory` trains the fixture's definition with the
 * Trainer (the same code path as `seqlab train`) on the fixture's own examples, from its initial
 * weights, and measures the distance to PyTorch as the fixture's README defines it:
 *
 *   loss k        |ours - torch| / |torch|                       (relative)
 *   grad norm k   |ours - torch| / max_k torch norm              (relative to the run's largest)
 *   weight w      max |ours - torch| / max(1, max |torch w|)     (per tensor)
 *
 * Reads are asynchronous (data()), so the same check runs on WebGPU in a browser.
 */
import { parseDefinition, formatDiagnostic } from './dsl';
import type { SeqData } from './data';
import type { ModelSpec } from './spec';
import type { StateDict } from './stateDict';
import type { TrajectoryFixture } from './torch';
import { TASKS } from './tasks/catalog';
import { Trainer } from './train';

export { TRAJECTORY_FORMAT, type TrajectoryFixture } from './torch';

/** One measured distance; `error` is already scaled as the README says (compare with 1e-4). */
export interface TrajectoryCheck {
  what: string;
  error: number;
}

export interface TrajectoryRun {
  losses: number[];
  gradNorms: number[];
  final: StateDict;
}

/** A fixture's definition as a ModelSpec, planned for exactly K steps. Throws with located messages. */
export function trajectorySpec(fx: TrajectoryFixture): ModelSpec {
  const def = JSON.parse(JSON.stringify(fx.definition)) as { data?: Record<string, unknown> };
  // The examples come with the fixture: a task that reads text gets a stand-in so the definition parses.
  const task = def.data?.task as keyof typeof TASKS | undefined;
  if (def.data && task && TASKS[task]?.needsText && def.data.file === undefined && def.data.text === undefined) def.data.text = 'ab';
  const r = parseDefinition(JSON.stringify(def, null, 1));
  if (!r.spec) {
    const errs = r.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(`${fx.name}: definition`, d));
    throw new Error(`the fixture's definition is not valid:\n${errs.join('\n')}`);
  }
  if (r.spec.structure !== fx.data.structure) {
    throw new Error(`the definition's structure "${r.spec.structure}" differs from the data's "${fx.data.structure}"`);
  }
  return { ...r.spec, training: { ...r.spec.training, steps: fx.K, epochs: undefined } };
}

/** The fixture's examples as a data set (all for training; no validation). */
export function trajectoryData(fx: TrajectoryFixture, spec: ModelSpec): SeqData {
  return {
    task: spec.data.task,
    structure: fx.data.structure,
    input: fx.data.input,
    output: fx.data.output,
    generative: false,
    train: fx.data.train,
    valid: [],
    about: `PyTorch trajectory ${fx.name}`,
  };
}

/** Train K steps from the fixture's initial weights, one metrics read per step. */
export async function runTrajectory(fx: TrajectoryFixture): Promise<TrajectoryRun> {
  const spec = trajectorySpec(fx);
  const trainer = new Trainer(spec, trajectoryData(fx, spec));
  try {
    trainer.loadStateDict(fx.initial_state_dict);
    const losses: number[] = [];
    const gradNorms: number[] = [];
    while (!trainer.done) {
      const row = await trainer.runSteps(1);
      losses.push(row.loss);
      gradNorms.push(row.gradNorm ?? NaN);
    }
    return { losses, gradNorms, final: await trainer.stateDict() };
  } finally {
    trainer.dispose();
  }
}

/** The README's distances between our run and PyTorch's. */
export function compareTrajectory(fx: TrajectoryFixture, run: TrajectoryRun): TrajectoryCheck[] {
  const nan = (e: number) => (Number.isNaN(e) ? Infinity : e);
  const worst = (xs: number[]) => xs.reduce((m, e) => Math.max(m, nan(e)), 0);
  const maxNorm = Math.max(...fx.grad_norms.map(Math.abs));
  const at = (errs: number[]) => {
    const k = errs.reduce((bi, e, i) => (nan(e) > nan(errs[bi]) ? i : bi), 0);
    return `worst at step ${k + 1} of ${fx.K}`;
  };
  if (run.losses.length !== fx.K) throw new Error(`ran ${run.losses.length} steps, the fixture has ${fx.K}`);
  const lossErr = fx.losses.map((l, k) => Math.abs(run.losses[k] - l) / Math.abs(l));
  const normErr = fx.grad_norms.map((n, k) => Math.abs(run.gradNorms[k] - n) / maxNorm);
  const checks: TrajectoryCheck[] = [
    { what: `losses (${at(lossErr)})`, error: worst(lossErr) },
    { what: `grad norms (${at(normErr)})`, error: worst(normErr) },
  ];
  for (const [name, ref] of Object.entries(fx.final_state_dict)) {
    const got = run.final[name];
    if (!got) throw new Error(`the model has no parameter '${name}'`);
    const scale = Math.max(1, ...ref.data.map(Math.abs));
    checks.push({ what: `final ${name}`, error: worst(ref.data.map((w, i) => Math.abs(got.data[i] - w) / scale)) });
  }
  return checks;
}

export async function checkTrajectory(fx: TrajectoryFixture): Promise<TrajectoryCheck[]> {
  return compareTrajectory(fx, await runTrajectory(fx));
}

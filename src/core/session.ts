/**
 * One training session: the loop policy every front end shares (the CLI, the extension host's
 * background trainer, the panel's worker). The front ends only adapt it: where metric rows,
 * checkpoints and probes go, and what start/pause/stop mean in their UI.
 *
 * The policy, in one place:
 *  - total steps from `steps` or `epochs` (Trainer.totalSteps);
 *  - metric rows every `logEvery` steps and validation every `evalEvery` steps (a row is also
 *    written at each validation step), both from the definition; front ends pass defaults only;
 *  - early stopping: after each validation, a loss below `best - minDelta` is a new best (its
 *    weights are kept); `patience` validations in a row without one end the run, which then
 *    keeps the best weights and says at which step they were;
 *  - checkpoints (weights + optimizer state + step + data order + RNG) every `checkpointSeconds`
 *    or `checkpointEvery` steps, and when the run is stopped;
 *  - probes (the panel's hidden-state snapshots) get at most `probeShare` of the wall time;
 *  - the event loop gets control at least every `yieldMs` (between optimizer steps and between
 *    validation batches), so a stop or pause is honoured within a second on every backend.
 */
import type { StateDict } from './stateDict';
import { CHECKPOINT_FORMAT, type BestSoFar, type Checkpoint } from './checkpoint';
import { DivergenceError, validationFields, type MetricRow, type Trainer } from './train';

export { CHECKPOINT_FORMAT, type BestSoFar, type Checkpoint } from './checkpoint';

export type SessionEvent =
  | { type: 'best'; step: number; validLoss: number }
  | { type: 'earlyStop'; step: number; bestStep: number; bestLoss: number; patience: number };

export interface SessionEnd {
  status: 'completed' | 'stopped' | 'failed';
  step: number;
  message?: string;
  best?: BestSoFar;
  /** Set when early stopping ended the run (the model then holds the best weights). */
  earlyStopped?: { step: number; bestStep: number };
}

export interface SessionHooks {
  /** A metric row (every logEvery steps and at each validation). */
  metrics?(row: MetricRow): void | Promise<void>;
  /** A checkpoint to persist. */
  checkpoint?(cp: Checkpoint): void | Promise<void>;
  /** The weights of a new best validation loss. */
  best?(best: BestSoFar, weights: StateDict): void | Promise<void>;
  /** Take and send a probe (called within the probe time budget). */
  probe?(): Promise<void>;
  event?(e: SessionEvent): void;
  /** Called after every metric row, when the trainer may be used (the panel's queued probe and sample requests). */
  boundary?(): Promise<void>;
}

export interface SessionOptions {
  /** Used when the definition gives no `logEvery` / `evalEvery` (front-end settings). */
  defaults?: { logEvery?: number; evalEvery?: number };
  /** Checkpoint every this many seconds while training (0: no periodic checkpoints; a stop still checkpoints). Default 30. */
  checkpointSeconds?: number;
  /** Checkpoint every this many steps instead of by time. */
  checkpointEvery?: number;
  /** Share of wall time the probes may take, 0..1 (default 0.2; 0: no periodic probes). */
  probeShare?: number;
  /** Longest stretch without yielding to the event loop, ms (default 50). */
  yieldMs?: number;
  /** How to yield (default: a zero timeout, available in Node and workers alike). */
  yieldToEventLoop?: () => Promise<void>;
  now?: () => number;
}

export const DEFAULT_LOG_EVERY = 10;
export const DEFAULT_EVAL_EVERY = 50;

/** Thrown into an evaluation to abandon it when a stop or pause arrives. */
class Interrupted extends Error {}

const defaultYield = () => new Promise<void>((r) => setTimeout(r, 0));

export class TrainingSession {
  readonly logEvery: number;
  readonly evalEvery: number;
  private readonly checkpointSeconds: number;
  private readonly checkpointEvery: number;
  private readonly probeShare: number;
  private readonly yieldMs: number;
  private readonly yieldNow: () => Promise<void>;
  private readonly now: () => number;
  private stopRequested = false;
  private pauseRequested = false;
  private running = false;
  private ended?: SessionEnd;
  private best?: BestSoFar;
  private bestWeights?: StateDict;
  private sinceBest = 0;
  private lastCheckpointAt: number;
  private lastCheckpointStep: number;
  private lastYield = 0;
  private trainMs = 0;
  private probeMs = 0;

  constructor(readonly trainer: Trainer, private readonly hooks: SessionHooks = {}, opts: SessionOptions = {}) {
    const t = trainer.spec.training;
    this.logEvery = Math.max(1, t.logEvery ?? opts.defaults?.logEvery ?? DEFAULT_LOG_EVERY);
    this.evalEvery = Math.max(1, t.evalEvery ?? opts.defaults?.evalEvery ?? DEFAULT_EVAL_EVERY);
    this.checkpointSeconds = Math.max(0, opts.checkpointSeconds ?? 30);
    this.checkpointEvery = Math.max(0, opts.checkpointEvery ?? 0);
    this.probeShare = Math.min(1, Math.max(0, opts.probeShare ?? 0.2));
    this.yieldMs = Math.max(1, opts.yieldMs ?? 50);
    this.yieldNow = opts.yieldToEventLoop ?? defaultYield;
    this.now = opts.now ?? Date.now;
    this.lastCheckpointAt = this.now();
    this.lastCheckpointStep = trainer.step;
  }

  get step(): number {
    return this.trainer.step;
  }

  get totalSteps(): number {
    return this.trainer.totalSteps;
  }

  get bestSoFar(): BestSoFar | undefined {
    return this.best && { ...this.best };
  }

  /** The run's end, once it ended (completed, stopped, failed). */
  get end(): SessionEnd | undefined {
    return this.ended;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Continue from a checkpoint: weights, optimizer state, data order, RNG and the best so far. */
  async restore(cp: Checkpoint): Promise<void> {
    this.trainer.loadStateDict(cp.weights);
    await this.trainer.loadOptimizerState(cp.optimizer);
    this.trainer.restoreProgress(cp.progress);
    this.best = cp.session.best && { ...cp.session.best };
    this.sinceBest = cp.session.sinceBest;
    this.lastCheckpointStep = cp.step;
    this.lastCheckpointAt = this.now();
  }

  /** Ask a running loop to stop; it ends (status 'stopped') within one step or validation batch. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Ask a running loop to pause: `run()` returns undefined and a later `run()` continues. */
  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  /**
   * Train until the planned total, early stopping, a stop (resolves with the end) or a pause
   * (resolves undefined). A DivergenceError ends the run as 'failed'; other errors propagate.
   */
  async run(): Promise<SessionEnd | undefined> {
    if (this.ended) return this.ended;
    if (this.running) throw new Error('the session is already running');
    this.running = true;
    this.pauseRequested = false;
    try {
      while (!this.trainer.done) {
        if (this.stopRequested) return await this.finish('stopped');
        if (this.pauseRequested) return undefined;
        const r = await this.chunk(this.nextBoundary());
        if (r) return r;
      }
      return await this.finish('completed');
    } finally {
      this.running = false;
      this.pauseRequested = false;
    }
  }

  /** One optimizer step (the panel's Step button), with its metric row and any validation due. */
  async stepOnce(): Promise<SessionEnd | undefined> {
    if (this.ended) return this.ended;
    if (this.running) throw new Error('the session is already running');
    this.running = true;
    try {
      const r = await this.chunk(this.trainer.step + 1);
      if (r) return r;
      return this.trainer.done ? await this.finish('completed') : undefined;
    } finally {
      this.running = false;
    }
  }

  /** Stop a session that is not running (paused, or ready): checkpoint and end as 'stopped'. */
  async stopNow(): Promise<SessionEnd> {
    this.stopRequested = true;
    if (this.ended) return this.ended;
    return this.finish('stopped');
  }

  /** The next step at which a metric row or a validation is due. */
  private nextBoundary(): number {
    const s = this.trainer.step;
    const nextLog = (Math.floor(s / this.logEvery) + 1) * this.logEvery;
    const nextEval = (Math.floor(s / this.evalEvery) + 1) * this.evalEvery;
    return Math.min(nextLog, nextEval, this.trainer.totalSteps);
  }

  private async maybeYield(): Promise<void> {
    if (this.now() - this.lastYield < this.yieldMs) return;
    await this.yieldNow();
    this.lastYield = this.now();
  }

  private get interrupted(): boolean {
    return this.stopRequested || this.pauseRequested;
  }

  /** Steps up to `target` (fewer when interrupted), then the row, validation, early stopping, checkpoint, probe. */
  private async chunk(target: number): Promise<SessionEnd | undefined> {
    const t0 = this.now();
    const tr = this.trainer;
    let lr: number | undefined;
    while (tr.step < target && !tr.done) {
      lr = tr.learningRate; // the rate this step uses (schedules change it step by step)
      tr.trainStep(tr.step === target - 1);
      await this.maybeYield();
      if (this.interrupted) break;
    }
    let row: MetricRow;
    try {
      row = await tr.readMetrics();
    } catch (e) {
      if (e instanceof DivergenceError) return this.finish('failed', e.message, e.step);
      throw e;
    }
    if (lr !== undefined && row.learningRate === undefined) row.learningRate = lr;
    let early: SessionEnd | undefined;
    if (tr.step % this.evalEvery === 0 || tr.done) {
      try {
        const v = await tr.evaluate({ between: async () => {
          await this.maybeYield();
          if (this.interrupted) throw new Interrupted();
        } });
        Object.assign(row, validationFields(v));
        tr.observeValidation(v.loss); // the learning-rate schedule (reduce-on-plateau) reads it
        early = await this.observeValidation(v.loss);
      } catch (e) {
        if (!(e instanceof Interrupted)) throw e;
      }
    }
    this.trainMs += this.now() - t0;
    await this.hooks.metrics?.(row);
    if (early) return early;
    if (this.checkpointDue()) await this.checkpoint();
    await this.maybeProbe();
    await this.hooks.boundary?.();
    await this.maybeYield();
    return undefined;
  }

  /** Best-so-far bookkeeping and early stopping after one validation. */
  private async observeValidation(loss: number): Promise<SessionEnd | undefined> {
    const es = this.trainer.spec.training.earlyStopping;
    const minDelta = es?.minDelta ?? 0;
    const step = this.trainer.step;
    if (Number.isFinite(loss) && (!this.best || loss < this.best.validLoss - minDelta)) {
      this.best = { step, validLoss: loss };
      this.sinceBest = 0;
      const weights = await this.trainer.stateDict();
      if (es) this.bestWeights = weights;
      this.hooks.event?.({ type: 'best', step, validLoss: loss });
      await this.hooks.best?.(this.best, weights);
      return undefined;
    }
    this.sinceBest++;
    if (!es || this.sinceBest < es.patience || !this.best) return undefined;
    const best = this.best;
    this.hooks.event?.({ type: 'earlyStop', step, bestStep: best.step, bestLoss: best.validLoss, patience: es.patience });
    if (this.bestWeights) this.trainer.loadStateDict(this.bestWeights);
    this.ended = {
      status: 'completed', step, best: { ...best }, earlyStopped: { step, bestStep: best.step },
      message: `Stopped early at step ${step}: the validation loss did not improve by more than ${minDelta} for ${es.patience} validation${es.patience === 1 ? '' : 's'}. Kept the weights of step ${best.step} (validation loss ${best.validLoss.toPrecision(4)}).`,
    };
    return this.ended;
  }

  private checkpointDue(): boolean {
    if (!this.hooks.checkpoint || this.trainer.done) return false;
    if (this.checkpointEvery > 0) return this.trainer.step - this.lastCheckpointStep >= this.checkpointEvery;
    // 0 seconds: no periodic checkpoints (a stopped run still checkpoints where it stopped)
    return this.checkpointSeconds > 0 && this.now() - this.lastCheckpointAt >= this.checkpointSeconds * 1000;
  }

  /** The run's state now, as plain data. */
  async snapshot(): Promise<Checkpoint> {
    return {
      format: CHECKPOINT_FORMAT,
      step: this.trainer.step,
      weights: await this.trainer.stateDict(),
      optimizer: await this.trainer.optimizerState(),
      progress: await this.trainer.progress(),
      session: { ...(this.best ? { best: { ...this.best } } : {}), sinceBest: this.sinceBest },
    };
  }

  private async checkpoint(): Promise<void> {
    if (!this.hooks.checkpoint) return;
    const cp = await this.snapshot();
    await this.hooks.checkpoint(cp);
    this.lastCheckpointAt = this.now();
    this.lastCheckpointStep = cp.step;
  }

  private async maybeProbe(): Promise<void> {
    if (!this.hooks.probe || this.probeShare <= 0) return;
    // probes may take probeShare of the wall time: probeMs <= share * (trainMs + probeMs)
    if (this.probeMs > (this.probeShare / (1 - this.probeShare + 1e-9)) * this.trainMs) return;
    const t0 = this.now();
    await this.hooks.probe();
    this.probeMs += this.now() - t0;
  }

  private async finish(status: SessionEnd['status'], message?: string, step?: number): Promise<SessionEnd> {
    if (this.ended) return this.ended;
    // a stopped run checkpoints so that it can be resumed; a diverged one has NaN weights: no checkpoint
    if (status === 'stopped' && this.hooks.checkpoint && this.trainer.step > this.lastCheckpointStep) await this.checkpoint();
    this.ended = {
      status, step: step ?? this.trainer.step,
      ...(message ? { message } : status === 'stopped' ? { message: `Stopped at step ${this.trainer.step}.` } : {}),
      ...(this.best ? { best: { ...this.best } } : {}),
    };
    return this.ended;
  }
}

/**
 * Learning-rate schedules with the definitions of PyTorch 1.13's `torch.optim.lr_scheduler`,
 * stepped once per optimizer step (`scheduler.step()` after every `optimizer.step()`), so the
 * learning rate of optimizer step k + 1 (k = steps already done, k = 0 first) is, for base rate lr0:
 *
 *   none         lr0
 *   step         lr0 * gamma^floor(k / stepSize)                                      (StepLR)
 *   exponential  lr0 * gamma^k                                                        (ExponentialLR)
 *   cosine       k < W:  lr0 * (s + (1 - s) k / W)                                    (LinearLR(start_factor=s, total_iters=W))
 *                k >= W: minLr + (lr0 - minLr) (1 + cos(pi (k - W) / (K - W))) / 2    (CosineAnnealingLR(T_max=K-W, eta_min=minLr))
 *                K = the run's total steps; the two joined as SequentialLR(milestones=[W])
 *   plateau      ReduceLROnPlateau(mode='min', threshold_mode='rel'): after each validation loss v,
 *                better if v < best (1 - threshold); more than `patience` validations in a row
 *                without improvement (none counted during `cooldown` validations after a cut)
 *                cut lr <- max(lr factor, minLr), unless that changes lr by at most 1e-8.
 *
 * Pure: no tensors; the Trainer asks for the rate of each step.
 */
import type { ScheduleSpec } from './spec';

/** What a schedule carries between steps (only reduce-on-plateau has any), for resume. */
export interface ScheduleState {
  lr: number;
  best: number;
  badEpochs: number;
  cooldownLeft: number;
}

export class LrSchedule {
  private state: ScheduleState;

  constructor(readonly base: number, readonly spec: ScheduleSpec, readonly totalSteps: number) {
    this.state = { lr: base, best: Infinity, badEpochs: 0, cooldownLeft: 0 };
  }

  /** The learning rate of the optimizer step that follows `done` completed steps. */
  rate(done: number): number {
    const s = this.spec;
    const lr0 = this.base;
    switch (s.type) {
      case 'none': return lr0;
      case 'step': return lr0 * Math.pow(s.gamma, Math.floor(done / s.stepSize));
      case 'exponential': return lr0 * Math.pow(s.gamma, done);
      case 'cosine': {
        const W = s.warmupSteps;
        if (done < W) return lr0 * (s.warmupStartFactor + ((1 - s.warmupStartFactor) * done) / W);
        const span = Math.max(1, this.totalSteps - W);
        return s.minLr + ((lr0 - s.minLr) * (1 + Math.cos((Math.PI * (done - W)) / span))) / 2;
      }
      case 'plateau': return this.state.lr;
    }
  }

  /** A validation loss (reduce-on-plateau reads it; the other schedules ignore it). */
  observe(loss: number): void {
    const s = this.spec;
    if (s.type !== 'plateau') return;
    const st = this.state;
    // is_better, mode 'min', threshold_mode 'rel'
    if (loss < st.best * (1 - s.threshold)) {
      st.best = loss;
      st.badEpochs = 0;
    } else st.badEpochs++;
    if (st.cooldownLeft > 0) {
      st.cooldownLeft--;
      st.badEpochs = 0; // bad epochs are not counted during cooldown
    }
    if (st.badEpochs > s.patience) {
      const next = Math.max(st.lr * s.factor, s.minLr);
      if (st.lr - next > 1e-8) st.lr = next;
      st.cooldownLeft = s.cooldown;
      st.badEpochs = 0;
    }
  }

  getState(): ScheduleState {
    return { ...this.state };
  }

  setState(s: ScheduleState): void {
    this.state = { ...s };
  }
}

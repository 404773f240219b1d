/**
 * PyTorch 1.13's optimizers and gradient clipping, written out on tfjs ops, update for update as
 * `torch.optim` (the single-tensor, non-foreach path) and `torch.nn.utils` write them.
 *
 * Notation per parameter p with gradient g at step t (t = 1, 2, ...), learning rate lr:
 *
 *   sgd       p <- p - lr g
 *   momentum  b <- m b + g                      (dampening 0; b starts at 0, so b_1 = g as in torch)
 *             p <- p - lr b                      nesterov: p <- p - lr (g + m b)
 *   rmsprop   v <- rho v + (1 - rho) g^2         (PyTorch's alpha = rho)
 *             centered: a <- rho a + (1 - rho) g;  s = sqrt(v - a^2)   else s = sqrt(v)
 *             d = s + eps                        (eps OUTSIDE the square root; tfjs puts it inside)
 *             momentum > 0: b <- m b + g / d;  p <- p - lr b    else p <- p - lr g / d
 *   adam      m1 <- b1 m1 + (1 - b1) g;  m2 <- b2 m2 + (1 - b2) g^2
 *             p <- p - (lr / (1 - b1^t)) m1 / (sqrt(m2) / sqrt(1 - b2^t) + eps)
 *   adamw     p <- p (1 - lr wd), then the adam update without the L2 term
 *
 * weightDecay wd (PyTorch's `weight_decay`): sgd, momentum, rmsprop and adam add it to the gradient
 * first (g <- g + wd p, L2 regularisation); adamw decays the weights directly (decoupled).
 * The bias corrections 1 - b^t are computed in JS doubles (tfjs's Adam accumulates b^t in float32).
 * Slot names are torch.optim's state names: momentum_buffer, square_avg, grad_avg, exp_avg, exp_avg_sq.
 */
import * as tf from './tf';
import type { ModelSpec, OptimizerType, TrainingSpec } from './spec';

/** Everything an optimizer carries between steps, as plain numbers (saved with the weights for resume). */
export interface OptimizerState {
  optimizer: string;
  /** Updates applied so far (Adam's t). */
  step: number;
  /** `${parameter}/${slot}`, e.g. `rnn.weight_hh_l0/exp_avg`. */
  slots: Record<string, { shape: number[]; data: number[] }>;
}

export interface SeqOptimizer {
  /** one update with learning rate lr */
  apply(grads: Record<string, tf.Tensor>, lr: number): void;
  getState(): Promise<OptimizerState>;
  setState(s: OptimizerState): void;
  dispose(): void;
}

/** The per-parameter state each optimizer keeps, by torch.optim's names. */
export function slotNames(t: Pick<TrainingSpec, 'optimizer' | 'momentum' | 'centered'>): string[] {
  switch (t.optimizer) {
    case 'sgd': return [];
    case 'momentum': return ['momentum_buffer'];
    case 'rmsprop': return ['square_avg', ...(t.centered ? ['grad_avg'] : []), ...(t.momentum > 0 ? ['momentum_buffer'] : [])];
    case 'adam': case 'adamw': return ['exp_avg', 'exp_avg_sq'];
  }
}

type Slots = Record<string, tf.Variable>;

/**
 * One step's update of parameter p (value `p`, gradient `g`) given its slots' values `s`; returns
 * the new p and the new slot values. Element by element, so it applies as well to several
 * parameters laid end to end (see apply).
 */
type Update = (p: tf.Tensor, g: tf.Tensor, s: Record<string, tf.Tensor>, k: StepConstants) => { p: tf.Tensor; s: Record<string, tf.Tensor> };

/**
 * Parameters of at most this many values in all are updated as ONE flat vector (their values,
 * gradients and slots concatenated, the update's dozen ops run once, the results split back): a
 * tiny model's step is dominated by per-op dispatch (hello: 6 parameters, 148 values; the optimizer
 * took 27% of its CLI time op by op). Larger models keep one update per parameter (no copies).
 */
export const FLAT_UPDATE_MAX = 1 << 16;

/** Scalars of one step, made once per step and shared by every parameter. */
interface StepConstants {
  lr: tf.Scalar;
  /** adam/adamw: lr / (1 - b1^t) and sqrt(1 - b2^t), from JS doubles. */
  stepSize?: tf.Scalar;
  bc2Sqrt?: tf.Scalar;
  /** adamw: 1 - lr wd. */
  decay?: tf.Scalar;
}

class TorchOptimizer implements SeqOptimizer {
  private step = 0;
  private readonly slots = new Map<string, Slots>();
  private readonly update: Update;
  /** Hyper-parameters as scalars made once (no upload per step). */
  private readonly c: Record<string, tf.Scalar>;

  constructor(private readonly t: TrainingSpec, private readonly params: Map<string, tf.Variable>) {
    const names = slotNames(t);
    for (const [name, v] of params) {
      this.slots.set(name, Object.fromEntries(names.map((s) => [s, tf.tidy(() => tf.variable(tf.zerosLike(v), false))])));
    }
    const keep = (x: number) => tf.keep(tf.scalar(x));
    this.c = tf.tidy(() => ({
      wd: keep(t.weightDecay),
      m: keep(t.momentum),
      rho: keep(t.rho), oneMinusRho: keep(1 - t.rho),
      b1: keep(t.beta1), oneMinusB1: keep(1 - t.beta1),
      b2: keep(t.beta2), oneMinusB2: keep(1 - t.beta2),
      eps: keep(t.epsilon),
    }));
    this.update = this.makeUpdate();
  }

  /** g <- g + wd p: PyTorch's weight_decay for every optimizer but adamw. */
  private l2(p: tf.Tensor, g: tf.Tensor): tf.Tensor {
    return this.t.weightDecay !== 0 && this.t.optimizer !== 'adamw' ? tf.add(g, tf.mul(p, this.c.wd)) : g;
  }

  private makeUpdate(): Update {
    const c = this.c;
    const t = this.t;
    switch (t.optimizer) {
      case 'sgd':
        // p <- p - lr g
        return (p, g, _s, k) => ({ p: tf.sub(p, tf.mul(this.l2(p, g), k.lr)), s: {} });
      case 'momentum':
        return (p, g0, s, k) => {
          const g = this.l2(p, g0);
          // b <- m b + g   (dampening 0)
          const b = tf.add(tf.mul(s.momentum_buffer, c.m), g);
          // p <- p - lr b,  or with Nesterov  p <- p - lr (g + m b)
          const d = t.nesterov ? tf.add(g, tf.mul(b, c.m)) : b;
          return { p: tf.sub(p, tf.mul(d, k.lr)), s: { momentum_buffer: b } };
        };
      case 'rmsprop':
        return (p, g0, s, k) => {
          const g = this.l2(p, g0);
          // v <- rho v + (1 - rho) g^2
          const v = tf.add(tf.mul(s.square_avg, c.rho), tf.mul(tf.square(g), c.oneMinusRho));
          const next: Record<string, tf.Tensor> = { square_avg: v };
          let centred = v;
          if (t.centered) {
            // a <- rho a + (1 - rho) g;  v - a^2 estimates the variance of g
            const a = tf.add(tf.mul(s.grad_avg, c.rho), tf.mul(g, c.oneMinusRho));
            next.grad_avg = a;
            centred = tf.sub(v, tf.square(a));
          }
          // d = sqrt(v) + eps   (eps outside the root)
          const d = tf.add(tf.sqrt(centred), c.eps);
          if (t.momentum > 0) {
            // b <- m b + g / d;  p <- p - lr b
            const b = tf.add(tf.mul(s.momentum_buffer, c.m), tf.div(g, d));
            next.momentum_buffer = b;
            return { p: tf.sub(p, tf.mul(b, k.lr)), s: next };
          }
          // p <- p - lr g / d
          return { p: tf.sub(p, tf.mul(tf.div(g, d), k.lr)), s: next };
        };
      case 'adam':
      case 'adamw':
        return (p0, g0, s, k) => {
          // adamw: p <- p (1 - lr wd) before the update; adam: g <- g + wd p
          const p = k.decay ? tf.mul(p0, k.decay) : p0;
          const g = this.l2(p0, g0);
          // m1 <- b1 m1 + (1 - b1) g;  m2 <- b2 m2 + (1 - b2) g^2
          const m1 = tf.add(tf.mul(s.exp_avg, c.b1), tf.mul(g, c.oneMinusB1));
          const m2 = tf.add(tf.mul(s.exp_avg_sq, c.b2), tf.mul(tf.square(g), c.oneMinusB2));
          // p <- p - (lr / (1 - b1^t)) m1 / (sqrt(m2) / sqrt(1 - b2^t) + eps)
          const denom = tf.add(tf.div(tf.sqrt(m2), k.bc2Sqrt!), c.eps);
          return { p: tf.sub(p, tf.mul(tf.div(m1, denom), k.stepSize!)), s: { exp_avg: m1, exp_avg_sq: m2 } };
        };
    }
  }

  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.step++;
    const t = this.t;
    tf.tidy(() => {
      const k: StepConstants = { lr: tf.scalar(lr) };
      if (t.optimizer === 'adam' || t.optimizer === 'adamw') {
        // bias corrections in double precision, as torch.optim computes them on the host
        k.stepSize = tf.scalar(lr / (1 - Math.pow(t.beta1, this.step)));
        k.bc2Sqrt = tf.scalar(Math.sqrt(1 - Math.pow(t.beta2, this.step)));
        if (t.optimizer === 'adamw' && t.weightDecay !== 0) k.decay = tf.scalar(1 - lr * t.weightDecay);
      }
      // a parameter without a gradient is left alone, as torch.optim does
      const names = [...this.params.keys()].filter((n) => grads[n]);
      let size = 0;
      for (const n of names) size += this.params.get(n)!.size;
      if (names.length > 1 && size <= FLAT_UPDATE_MAX) {
        // laid end to end: [p_1 | p_2 | ...], the same for gradients and each slot
        const flat = (xs: tf.Tensor[]) => tf.concat(xs.map((x) => tf.reshape(x, [-1])));
        const slotKeys = Object.keys(this.slots.get(names[0])!);
        const r = this.update(
          flat(names.map((n) => this.params.get(n)!)), flat(names.map((n) => grads[n])),
          Object.fromEntries(slotKeys.map((key) => [key, flat(names.map((n) => this.slots.get(n)![key]))])), k,
        );
        const sizes = names.map((n) => this.params.get(n)!.size);
        const back = (x: tf.Tensor, assign: (n: string, part: tf.Tensor) => void) => {
          tf.split(x, sizes).forEach((part, i) => assign(names[i], part));
        };
        back(r.p, (n, part) => { const v = this.params.get(n)!; v.assign(tf.reshape(part, v.shape)); });
        for (const key of slotKeys) back(r.s[key], (n, part) => { const v = this.slots.get(n)![key]; v.assign(tf.reshape(part, v.shape)); });
        return;
      }
      for (const name of names) {
        const v = this.params.get(name)!;
        const slots = this.slots.get(name)!;
        const r = this.update(v, grads[name], slots, k);
        v.assign(r.p);
        for (const [key, x] of Object.entries(r.s)) slots[key].assign(x);
      }
    });
  }

  async getState(): Promise<OptimizerState> {
    const slots: OptimizerState['slots'] = {};
    for (const [name, s] of this.slots) {
      for (const [k, v] of Object.entries(s)) slots[`${name}/${k}`] = { shape: v.shape.slice(), data: Array.from(await v.data()) };
    }
    return { optimizer: this.t.optimizer, step: this.step, slots };
  }

  setState(s: OptimizerState): void {
    const problems: string[] = [];
    if (s.optimizer !== this.t.optimizer) problems.push(`it is for the "${s.optimizer}" optimizer, this run uses "${this.t.optimizer}"`);
    if (!Number.isInteger(s.step) || s.step < 0) problems.push(`step ${s.step} is not a whole number >= 0`);
    const expected = new Set<string>();
    for (const [name, slots] of this.slots) {
      for (const [k, v] of Object.entries(slots)) {
        const key = `${name}/${k}`;
        expected.add(key);
        const got = s.slots?.[key];
        if (!got) problems.push(`missing '${key}'`);
        else if (got.shape.length !== v.shape.length || got.shape.some((d, i) => d !== v.shape[i])) problems.push(`'${key}' has shape [${got.shape}], expected [${v.shape}]`);
        else if (got.data.length !== v.size) problems.push(`'${key}' has ${got.data.length} values for shape [${got.shape}]`);
      }
    }
    for (const key of Object.keys(s.slots ?? {})) if (!expected.has(key)) problems.push(`unexpected '${key}'`);
    if (problems.length) throw new Error(`The optimizer state does not fit this run: ${problems.join('; ')}`);
    tf.tidy(() => {
      for (const [name, slots] of this.slots) {
        for (const [k, v] of Object.entries(slots)) v.assign(tf.tensor(Float32Array.from(s.slots[`${name}/${k}`].data), v.shape));
      }
    });
    this.step = s.step;
  }

  dispose(): void {
    for (const s of this.slots.values()) tf.dispose(Object.values(s));
    this.slots.clear();
    tf.dispose(Object.values(this.c));
  }
}

/** The definition's optimizer over `params` (the model's variables, by PyTorch name). */
export function makeOptimizer(spec: ModelSpec, params: Map<string, tf.Variable>): SeqOptimizer {
  return new TorchOptimizer(spec.training, params);
}

/** Every optimizer the DSL offers. */
export const OPTIMIZERS: readonly OptimizerType[] = ['sgd', 'momentum', 'rmsprop', 'adam', 'adamw'];

// ---------------------------------------------------------------------------------------------
// Gradient norm and clipping

/**
 * Sum of many same-shaped tensors, in addN groups of at most 6: one WebGPU shader binds every
 * addN input as a storage buffer, and devices allow only 8 to 10 per stage (tfjs 4.22 does not
 * split addN as it does concat), so one addN over every gradient of a deep model fails there.
 */
export function sumAll(xs: tf.Tensor[]): tf.Tensor {
  let level = xs;
  while (level.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < level.length; i += 6) {
      const chunk = level.slice(i, i + 6);
      next.push(chunk.length === 1 ? chunk[0] : tf.addN(chunk));
    }
    level = next;
  }
  return level[0];
}

/** The global L2 norm of all gradients, sqrt(sum over every element of g^2). */
export function globalNorm(grads: Record<string, tf.Tensor>): tf.Scalar {
  return tf.sqrt(sumAll(Object.values(grads).map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
}

/** torch.nn.utils.clip_grad_norm_: g <- g min(1, maxNorm / (norm + 1e-6)), norm the global L2 norm. */
export function clipGradNorm(grads: Record<string, tf.Tensor>, norm: tf.Scalar, maxNorm: number): Record<string, tf.Tensor> {
  const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
  return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, coef)]));
}

/** torch.nn.utils.clip_grad_value_: g <- clamp(g, -t, t). */
export function clipGradValue(grads: Record<string, tf.Tensor>, t: number): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.clipByValue(g, -t, t)]));
}

/**
 * Attention for encoder-decoder models, as the reference model of
 * ../shared/fixtures/torch-attention (PyTorch parameter names: `attention.query.weight`, ...).
 *
 * K = the encoder's top-layer outputs [B, S, Hk]; source positions s >= lengths[b] are masked out
 * (score -inf before the softmax, so their weight is exactly 0). Hd is the decoder's units.
 *
 * bahdanau (additive; the decoder reads the context):
 *   q_t   = top-layer decoder state BEFORE step t (the encoder's final state, bridged, at t = 1)
 *   e_ts  = energy( tanh( query(q_t) + key(K_s) ) )       query: Linear(Hd, Hd), key: Linear(Hk, Hd),
 *                                                          energy: Linear(Hd, 1), all with bias
 *   a_t   = softmax_s(e_t)            c_t = sum_s a_ts K_s
 *   o_t   = decoder( concat(embed(y_{t-1}), c_t) )         (first decoder layer input E + Hk)
 *   logits = head(o_t)
 *
 * luong-general / luong-dot (multiplicative; the decoder runs first, attention combines):
 *   o_t   = decoder( embed(y_{t-1}) )
 *   e_ts  = o_t . score(K_s)   (general: score = Linear(Hk, Hd, bias=False))   or   o_t . K_s (dot: Hk = Hd)
 *   a_t   = softmax_s(e_t)            c_t = sum_s a_ts K_s
 *   ht_t  = tanh( combine( concat(c_t, o_t) ) )             combine: Linear(Hk + Hd, Hd, bias=False)
 *   logits = head(ht_t)
 */
import * as tf from './tf';
import type { AttentionType } from './spec';

/** Adds one parameter (torch.nn.Linear's U(-1/sqrt(fan_in), 1/sqrt(fan_in)) init is the caller's). */
export type AddParam = (name: string, shape: number[], fanIn: number) => tf.Variable;

/** Masked positions get this added to their score: exp() of it is exactly 0 in float32. */
const MASKED = -1e9;

export class Attention {
  private readonly p = new Map<string, tf.Variable>();

  constructor(readonly type: AttentionType, readonly keyWidth: number, readonly units: number, add: AddParam) {
    const [Hk, Hd] = [keyWidth, units];
    const linear = (name: string, out: number, inp: number, bias: boolean) => {
      this.p.set(`${name}.weight`, add(`attention.${name}.weight`, [out, inp], inp));
      if (bias) this.p.set(`${name}.bias`, add(`attention.${name}.bias`, [out], inp));
    };
    if (type === 'bahdanau') {
      linear('query', Hd, Hd, true);
      linear('key', Hd, Hk, true);
      linear('energy', 1, Hd, true);
    } else {
      if (type === 'luong-dot' && Hk !== Hd) throw new Error(`luong-dot attention needs the decoder's units (${Hd}) to equal the encoder's output width (${Hk})`);
      if (type === 'luong-general') linear('score', Hd, Hk, false);
      linear('combine', Hd, Hk + Hd, false);
    }
  }

  /** Width the decoder's first layer gets on top of its token input (bahdanau feeds c_t). */
  get decoderExtraInput(): number {
    return this.type === 'bahdanau' ? this.keyWidth : 0;
  }

  private w(name: string): tf.Tensor2D {
    return this.p.get(name)! as tf.Tensor2D;
  }

  /** x W^T (+ b) over the last axis of a [.., in] tensor. */
  private linear(x: tf.Tensor, name: string): tf.Tensor {
    const shape = x.shape;
    const inp = shape[shape.length - 1];
    let y: tf.Tensor = tf.matMul(tf.reshape(x, [-1, inp]) as tf.Tensor2D, this.w(`${name}.weight`), false, true);
    const b = this.p.get(`${name}.bias`);
    if (b) y = tf.add(y, b);
    return tf.reshape(y, [...shape.slice(0, -1), -1]);
  }

  /** The part of the scores that depends only on K, computed once per sequence: key(K_s) or score(K_s). */
  prepare(K: tf.Tensor3D, lengths?: number[]): PreparedKeys {
    const [B, S] = K.shape;
    const mask = lengths && lengths.some((n) => n !== S)
      ? (tf.tensor3d(lengths.flatMap((n) => Array.from({ length: S }, (_, s) => (s < n ? 0 : MASKED))), [B, 1, S]) as tf.Tensor3D)
      : undefined;
    const projected = this.type === 'bahdanau' ? this.linear(K, 'key') : this.type === 'luong-general' ? this.linear(K, 'score') : K;
    return { K, projected: projected as tf.Tensor3D, mask };
  }

  /** a = softmax_s(e + mask) over the last axis; e [B, T, S]. */
  private weights(e: tf.Tensor3D, k: PreparedKeys): tf.Tensor3D {
    return tf.softmax(k.mask ? tf.add(e, k.mask) : e) as tf.Tensor3D;
  }

  /**
   * bahdanau, one decoder step: q [B, Hd] -> context c_t [B, Hk] and weights a_t [B, S].
   *   e_ts = energy(tanh(query(q) + key(K_s)))
   */
  additive(q: tf.Tensor2D, k: PreparedKeys): { context: tf.Tensor2D; weights: tf.Tensor2D } {
    const [B, S] = k.K.shape;
    const qp = tf.reshape(this.linear(q, 'query'), [B, 1, -1]);
    const e = tf.reshape(this.linear(tf.tanh(tf.add(k.projected, qp)), 'energy'), [B, 1, S]) as tf.Tensor3D;
    const a = this.weights(e, k);
    const context = tf.reshape(tf.matMul(a, k.K), [B, -1]) as tf.Tensor2D; // c_t = sum_s a_ts K_s
    return { context, weights: tf.reshape(a, [B, S]) as tf.Tensor2D };
  }

  /**
   * luong, every decoder step at once: O [B, T, Hd] -> ht [B, T, Hd] and weights [B, T, S].
   *   e_ts = o_t . score(K_s)  (or o_t . K_s);   ht_t = tanh(combine(concat(c_t, o_t)))
   */
  multiplicative(O: tf.Tensor3D, k: PreparedKeys): { out: tf.Tensor3D; weights: tf.Tensor3D } {
    const e = tf.matMul(O, k.projected, false, true) as tf.Tensor3D; // [B, T, S]
    const a = this.weights(e, k);
    const c = tf.matMul(a, k.K) as tf.Tensor3D; // [B, T, Hk]
    const out = tf.tanh(this.linear(tf.concat([c, O], 2), 'combine')) as tf.Tensor3D;
    return { out, weights: a };
  }
}

export interface PreparedKeys {
  /** Encoder outputs, batch-major [B, S, Hk]. */
  K: tf.Tensor3D;
  /** key(K) (bahdanau), score(K) (luong-general) or K (luong-dot), [B, S, Hd]. */
  projected: tf.Tensor3D;
  /** 0 for a real source position, -1e9 for padding, [B, 1, S]; absent when nothing is padded. */
  mask?: tf.Tensor3D;
}

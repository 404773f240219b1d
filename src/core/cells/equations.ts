/**
 * The cells' equations as data, for the panel's unrolled view: the same formulas as the comments of
 * rnn.ts, lstm.ts and gru.ts (PyTorch's torch.nn.RNN/LSTM/GRU), one line per quantity the probe
 * traces. No tensors here (the panel's page imports this without tfjs).
 *
 * `term` names the traced value (a gate of TraceLayer.gates, 'c' the cell state, 'h' the hidden
 * state); `unit` says which scale its values live on: sigmoid gates in [0, 1], tanh ones, c_t and
 * h_t signed. A backward direction reads h_{t+1} where a forward one reads h_{t-1}
 * (`forDirection`).
 */
import type { CellType, RnnActivation } from '../spec';
import type { GateName } from './types';

export interface EquationLine {
  term: GateName | 'c' | 'h';
  /** The formula, in Unicode math (⊙ the elementwise product, σ the logistic sigmoid). */
  math: string;
  /** What the quantity is called in the course notes (English; the panel translates it). */
  name: string;
  /** 'unit': values in [0, 1] (sigmoid); 'signed': values with a sign. */
  range: 'unit' | 'signed';
}

const LSTM: EquationLine[] = [
  { term: 'i', math: 'i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)', name: 'input gate', range: 'unit' },
  { term: 'f', math: 'f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)', name: 'forget gate', range: 'unit' },
  { term: 'g', math: 'g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)', name: 'candidate', range: 'signed' },
  { term: 'o', math: 'o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)', name: 'output gate', range: 'unit' },
  { term: 'c', math: 'c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t', name: 'cell state', range: 'signed' },
  { term: 'h', math: 'h_t = o_t ⊙ tanh(c_t)', name: 'hidden state', range: 'signed' },
];

const GRU: EquationLine[] = [
  { term: 'r', math: 'r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)', name: 'reset gate', range: 'unit' },
  { term: 'z', math: 'z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)', name: 'update gate', range: 'unit' },
  { term: 'n', math: 'n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))', name: 'candidate', range: 'signed' },
  { term: 'h', math: 'h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}', name: 'hidden state', range: 'signed' },
];

/** The equations of a cell, top to bottom in the order they are computed. */
export function cellEquations(cell: CellType, activation: RnnActivation = 'tanh'): EquationLine[] {
  switch (cell) {
    case 'lstm': return LSTM;
    case 'gru': return GRU;
    case 'rnn': return [{ term: 'h', math: `h_t = ${activation}(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)`, name: 'hidden state', range: 'signed' }];
  }
}

/** The formula as a backward direction computes it: the previous state is the later step's. */
export function forDirection(math: string, direction: 'forward' | 'backward'): string {
  return direction === 'backward' ? math.replaceAll('_{t−1}', '_{t+1}') : math;
}

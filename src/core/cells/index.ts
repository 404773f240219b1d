import type { CellType, RnnActivation } from '../spec';
import type { Cell } from './types';
import { rnnCell } from './rnn';
import { lstmCell } from './lstm';
import { gruCell } from './gru';

export * from './types';

export function makeCell(type: CellType, activation: RnnActivation = 'tanh'): Cell {
  switch (type) {
    case 'rnn': return rnnCell({ activation });
    case 'lstm': return lstmCell();
    case 'gru': return gruCell();
  }
}

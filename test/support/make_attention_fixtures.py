"""
Extra attention fixtures, computed by PyTorch (float64) from the reference model written out in
../shared/fixtures/torch-attention/README.md, for layouts the shared fixtures lack (an LSTM with
bahdanau over 2 layers, padded luong-dot, an RNN with luong-general, ...). Same format
(`torch-attention-fixture/1`), plus seqlab's own extension for a bidirectional encoder: `model.
encoder_bidirectional: true` and `model.bridge` ("linear": h0 = tanh(bridge.h_l{k}([h_fwd; h_bwd])),
c0 = bridge.c_l{k}([c_fwd; c_bwd]) with torch.nn.Linear(2H, H); "sum": h0 = h_fwd + h_bwd), the
keys then 2H wide (directions concatenated). First it re-computes every shared fixture from its own state_dict
and fails unless it reproduces them, so this model is the README's model.

    /usr/bin/python3 test/support/make_attention_fixtures.py     # writes test/fixtures/torch-attention-extra/*.json
"""
import glob
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', '..')
SHARED = os.path.join(ROOT, '..', 'shared', 'fixtures', 'torch-attention')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'torch-attention-extra')
CELLS = {'RNN': nn.RNN, 'LSTM': nn.LSTM, 'GRU': nn.GRU}


class Attention(nn.Module):
    def __init__(self, kind, H, Hk):
        super().__init__()
        if kind == 'bahdanau':
            self.query = nn.Linear(H, H)
            self.key = nn.Linear(Hk, H)
            self.energy = nn.Linear(H, 1)
        else:
            if kind == 'luong-general':
                self.score = nn.Linear(Hk, H, bias=False)
            self.combine = nn.Linear(Hk + H, H, bias=False)


class Ref(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m
        E, H, L = m['embedding_size'], m['hidden_size'], m['num_layers']
        cls = CELLS[m['cell']]
        bi = m.get('encoder_bidirectional', False)
        Hk = 2 * H if bi else H
        self.embedding = nn.Embedding(m['source_vocab'], E)
        self.encoder = cls(E, H, L, batch_first=True, bidirectional=bi)
        self.decoder_embedding = nn.Embedding(m['target_vocab'], E)
        self.decoder = cls(E + (Hk if m['attention'] == 'bahdanau' else 0), H, L, batch_first=True)
        self.attention = Attention(m['attention'], H, Hk)
        self.head = nn.Linear(H, m['target_vocab'])
        if bi and m['bridge'] == 'linear':
            names = ['h_l%d' % k for k in range(L)] + (['c_l%d' % k for k in range(L)] if m['cell'] == 'LSTM' else [])
            self.bridge = nn.ModuleDict({n: nn.Linear(2 * H, H) for n in names})

    def bridged(self, state):
        """[2L, B, H] (layer k: forward 2k, backward 2k+1) -> [L, B, H]"""
        if not self.m.get('encoder_bidirectional', False):
            return state
        L = self.m['num_layers']
        def join(s, name):
            pairs = [torch.cat([s[2 * k], s[2 * k + 1]], -1) for k in range(L)]
            if self.m['bridge'] == 'sum':
                return torch.stack([s[2 * k] + s[2 * k + 1] for k in range(L)])
            out = [self.bridge['%s_l%d' % (name, k)](pairs[k]) for k in range(L)]
            return torch.stack([torch.tanh(o) for o in out] if name == 'h' else out)
        if isinstance(state, tuple):
            return (join(state[0], 'h'), join(state[1], 'c'))
        return join(state, 'h')

    def forward(self, source, lengths, target_in):
        B, S = source.shape
        packed = pack_padded_sequence(self.embedding(source), lengths, batch_first=True, enforce_sorted=False)
        out, state = self.encoder(packed)
        state = self.bridged(state)
        K, _ = pad_packed_sequence(out, batch_first=True, total_length=S)
        mask = torch.arange(S)[None, :] >= lengths[:, None]
        top = lambda st: (st[0] if isinstance(st, tuple) else st)[-1]
        kind = self.m['attention']
        if kind == 'bahdanau':
            keys = self.attention.key(K)
            outs, weights = [], []
            for t in range(target_in.shape[1]):
                e = self.attention.energy(torch.tanh(self.attention.query(top(state))[:, None, :] + keys)).squeeze(-1)
                a = torch.softmax(e.masked_fill(mask, float('-inf')), dim=-1)
                c = torch.bmm(a[:, None, :], K).squeeze(1)
                x = torch.cat([self.decoder_embedding(target_in[:, t]), c], dim=-1)[:, None, :]
                o, state = self.decoder(x, state)
                outs.append(o[:, 0])
                weights.append(a)
            return self.head(torch.stack(outs, 1)), torch.stack(weights, 1)
        O, _ = self.decoder(self.decoder_embedding(target_in), state)
        Ks = self.attention.score(K) if kind == 'luong-general' else K
        e = torch.bmm(O, Ks.transpose(1, 2))
        a = torch.softmax(e.masked_fill(mask[:, None, :], float('-inf')), dim=-1)
        c = torch.bmm(a, K)
        ht = torch.tanh(self.attention.combine(torch.cat([c, O], dim=-1)))
        return self.head(ht), a


def tj(t):
    return {'shape': list(t.shape), 'data': [float(v) for v in t.detach().reshape(-1).tolist()]}


def run(model, fx):
    source = torch.tensor(fx['source'])
    lengths = torch.tensor(fx['source_lengths'])
    target_in = torch.tensor(fx['target_in'])
    target = torch.tensor(fx['target'])
    model.zero_grad()
    logits, a = model(source, lengths, target_in)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))
    loss.backward()
    return logits, a, loss


def check_shared():
    for f in sorted(glob.glob(os.path.join(SHARED, '*.json'))):
        fx = json.load(open(f))
        model = Ref(fx['model'])
        sd = {k: torch.tensor(v['data']).reshape(v['shape']) for k, v in fx['state_dict'].items()}
        model.load_state_dict(sd, strict=True)
        logits, a, loss = run(model, fx)
        err = max((logits - torch.tensor(fx['logits']['data']).reshape(logits.shape)).abs().max().item(),
                  (a - torch.tensor(fx['attention_weights']['data']).reshape(a.shape)).abs().max().item(),
                  abs(loss.item() - fx['loss_value']))
        for k, p in model.named_parameters():
            err = max(err, (p.grad - torch.tensor(fx['grads'][k]['data']).reshape(p.shape)).abs().max().item())
        assert err < 1e-10, f'{f}: this model differs from the shared fixture by {err}'
        print(f'reproduces {os.path.basename(f)} (max abs difference {err:.1e})')


CASES = [
    # name, cell, attention, Vs, Vt, E, H, L, B, S, T, lengths
    ('attn_lstm_bahdanau_2layer_padded', 'LSTM', 'bahdanau', 6, 5, 3, 4, 2, 3, 6, 4, [6, 2, 4]),
    ('attn_gru_luong_dot_padded', 'GRU', 'luong-dot', 5, 6, 4, 3, 1, 4, 5, 3, [1, 5, 3, 2]),
    ('attn_rnn_luong_general_2layer', 'RNN', 'luong-general', 4, 4, 2, 5, 2, 2, 3, 5, [3, 2]),
    ('attn_rnn_bahdanau_long_target', 'RNN', 'bahdanau', 5, 7, 3, 3, 1, 2, 4, 7, [4, 1]),
    ('attn_lstm_luong_dot_3layer', 'LSTM', 'luong-dot', 5, 5, 2, 3, 3, 2, 5, 3, [5, 3]),
    # seqlab's bidirectional encoder with a bridge (the format's extension)
    ('bridge_linear_lstm_bahdanau_2layer', 'LSTM', 'bahdanau', 5, 6, 3, 4, 2, 3, 5, 4, [5, 2, 3], 'linear'),
    ('bridge_linear_gru_luong_general', 'GRU', 'luong-general', 6, 5, 3, 3, 1, 2, 6, 3, [4, 6], 'linear'),
    ('bridge_sum_lstm_luong_general', 'LSTM', 'luong-general', 4, 5, 2, 3, 1, 3, 4, 3, [4, 1, 3], 'sum'),
    ('bridge_sum_rnn_bahdanau_2layer', 'RNN', 'bahdanau', 4, 4, 2, 3, 2, 2, 5, 4, [2, 5], 'sum'),
]


def make():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, cell, kind, Vs, Vt, E, H, L, B, S, T, lengths, *bridge) in enumerate(CASES):
        torch.manual_seed(100 + i)
        m = {'cell': cell, 'attention': kind, 'source_vocab': Vs, 'target_vocab': Vt, 'embedding_size': E,
             'hidden_size': H, 'num_layers': L, 'start_token': 0}
        if bridge:
            m.update({'encoder_bidirectional': True, 'bridge': bridge[0]})
        model = Ref(m)
        source = torch.randint(0, Vs, (B, S))
        for b, n in enumerate(lengths):
            source[b, n:] = 0
        target = torch.randint(1, Vt, (B, T))
        target_in = torch.cat([torch.zeros(B, 1, dtype=torch.long), target[:, :-1]], 1)
        fx = {'format': 'torch-attention-fixture/1', 'name': name, 'torch_version': torch.__version__, 'model': m,
              'state_dict': {k: tj(v) for k, v in model.state_dict().items()},
              'source': source.tolist(), 'source_lengths': lengths, 'target_in': target_in.tolist(), 'target': target.tolist()}
        logits, a, loss = run(model, fx)
        fx.update({'logits': tj(logits), 'attention_weights': tj(a),
                   'loss': 'mean cross-entropy of logits against target over every target position', 'loss_value': loss.item(),
                   'grads': {k: tj(p.grad) for k, p in model.named_parameters()}})
        with open(os.path.join(OUT, name + '.json'), 'w') as f:
            json.dump(fx, f)
        print('wrote', name)


if __name__ == '__main__':
    check_shared()
    make()

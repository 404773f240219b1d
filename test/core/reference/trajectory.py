"""Writes trajectories.json beside this file: `seqlab-torch-trajectory/1` fixtures of sizes and settings
the shared ones (../shared/fixtures/torch-train) lack: stacks whose layers differ, 3 layers, merges
mul/avg/sum in a stack, no biases, adamw, nesterov, weight decay, centered rmsprop, PyTorch's default
optimizer settings, and learning-rate schedules. Same format and semantics as the shared README;
test/core/trajectory.test.ts checks them like the shared ones. Run with /usr/bin/python3 (PyTorch 1.13).

The model is PyTorch's own modules: one nn.RNN/LSTM/GRU per layer (so layers may differ and
bidirectional outputs can be merged by sum/mul/avg), nn.Embedding, nn.Linear, in float64 from
float32 initial weights and data.
"""
import json
import math
import os
import warnings

import torch
import torch.nn.functional as F
from torch.optim import lr_scheduler as S

warnings.filterwarnings('ignore')
torch.set_default_dtype(torch.float64)


def merge(a, b, mode):
    return {'concat': lambda: torch.cat([a, b], -1), 'sum': lambda: a + b, 'mul': lambda: a * b, 'avg': lambda: (a + b) / 2}[mode]()


class Model(torch.nn.Module):
    def __init__(self, d, in_size, out_size, tokens):
        super().__init__()
        self.d = d
        self.tokens = tokens
        self.in_size = in_size
        inp = d.get('input', {})
        self.embed = inp.get('encoding') == 'embedding'
        width = in_size
        if self.embed:
            self.embedding = torch.nn.Embedding(in_size, inp['embeddingSize'])
            width = inp['embeddingSize']
        self.layers = torch.nn.ModuleList()
        for l in d['layers']:
            cls = {'rnn': torch.nn.RNN, 'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU}[l['cell']]
            kw = dict(nonlinearity=l.get('activation', 'tanh')) if l['cell'] == 'rnn' else {}
            m = cls(width, l['units'], num_layers=1, bias=l.get('bias', True), batch_first=True, bidirectional=l.get('bidirectional', False), **kw)
            self.layers.append(m)
            width = l['units'] * (2 if l.get('bidirectional') and l.get('merge', 'concat') == 'concat' else 1)
        self.head = torch.nn.Linear(width, out_size)

    def named_state(self):
        """Our (and the README's) names: rnn.*_l{k}[_reverse], embedding.weight, head.*."""
        out = {}
        if self.embed:
            out['embedding.weight'] = self.embedding.weight
        for k, m in enumerate(self.layers):
            for n, p in m.named_parameters():
                out['rnn.' + n.replace('_l0', f'_l{k}')] = p
        out['head.weight'] = self.head.weight
        out['head.bias'] = self.head.bias
        return out

    def forward(self, x, structure):
        h = self.embedding(x) if self.embed else F.one_hot(x, self.in_size).double() if self.tokens else x
        last = None
        for l, m in zip(self.d['layers'], self.layers):
            out, state = m(h)
            hn = state[0] if isinstance(state, tuple) else state
            H = l['units']
            if l.get('bidirectional'):
                h = merge(out[..., :H], out[..., H:], l.get('merge', 'concat'))
                last = merge(hn[0], hn[1], l.get('merge', 'concat'))
            else:
                h = out
                last = hn[0]
        return self.head(last if structure == 'many-to-one' else h)


def tensor_json(t):
    return {'shape': list(t.shape), 'data': t.detach().reshape(-1).tolist()}


def make(name, d, structure, inp, out, B, T, K, seed):
    torch.manual_seed(seed)
    tokens = inp[0] == 'tokens'
    in_size = inp[1]
    O = out[1]
    model = Model(d, in_size, O, tokens)
    # PyTorch's initialisation, rounded to float32
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.float().double())
    # data
    if tokens:
        xs = torch.randint(0, in_size, (B, T))
        x_json = [[[int(v)] for v in row] for row in xs]
    else:
        xs = torch.rand(B, T, in_size).float().double()
        x_json = [[[float(v) for v in step] for step in row] for row in xs]
    Tout = 1 if structure == 'many-to-one' else T
    if out[0] == 'classes':
        ys = torch.randint(0, O, (B, Tout))
        y_json = [[[int(v)] for v in row] for row in ys]
    elif out[0] == 'binary':
        ys = torch.randint(0, 2, (B, Tout, O)).double()
        y_json = [[[int(v) for v in step] for step in row] for row in ys]
    else:
        ys = (torch.randn(B, Tout, O) * 0.5).float().double()
        y_json = [[[float(v) for v in step] for step in row] for row in ys]

    named = model.named_state()
    initial = {k: tensor_json(v) for k, v in named.items()}
    params = list(named.values())
    t = d['training']
    opt_name = t.get('optimizer', 'adam')
    lr = t.get('learningRate', 0.01)
    wd = t.get('weightDecay', 0.01 if opt_name == 'adamw' else 0)
    if opt_name == 'sgd':
        opt = torch.optim.SGD(params, lr=lr, weight_decay=wd)
    elif opt_name == 'momentum':
        opt = torch.optim.SGD(params, lr=lr, momentum=t.get('momentum', 0.9), nesterov=t.get('nesterov', False), weight_decay=wd)
    elif opt_name == 'rmsprop':
        opt = torch.optim.RMSprop(params, lr=lr, alpha=t.get('rho', 0.99), eps=t.get('epsilon', 1e-8), momentum=t.get('momentum', 0),
                                  centered=t.get('centered', False), weight_decay=wd)
    else:
        cls = torch.optim.AdamW if opt_name == 'adamw' else torch.optim.Adam
        opt = cls(params, lr=lr, betas=(t.get('beta1', 0.9), t.get('beta2', 0.999)), eps=t.get('epsilon', 1e-8), weight_decay=wd)
    sched = None
    s = t.get('schedule', {'type': 'none'})
    if s['type'] == 'step':
        sched = S.StepLR(opt, s['stepSize'], gamma=s.get('gamma', 0.1))
    elif s['type'] == 'exponential':
        sched = S.ExponentialLR(opt, s['gamma'])
    elif s['type'] == 'cosine':
        w = s.get('warmupSteps', 0)
        cos = S.CosineAnnealingLR(opt, T_max=K - w, eta_min=s.get('minLr', 0))
        sched = cos if w == 0 else S.SequentialLR(opt, [S.LinearLR(opt, start_factor=s.get('warmupStartFactor', 1 / 3), total_iters=w), cos], milestones=[w])
    clip = t.get('clip', {'type': 'none'})

    losses, norms, clipped = [], [], 0
    for _ in range(K):
        opt.zero_grad()
        logits = model(xs, structure)
        if out[0] == 'classes':
            loss = F.cross_entropy(logits.reshape(-1, O), ys.reshape(-1))
        elif out[0] == 'binary':
            loss = F.binary_cross_entropy_with_logits(logits.reshape(-1, O), ys.reshape(-1, O))
        else:
            loss = F.mse_loss(logits.reshape(-1, O), ys.reshape(-1, O))
        loss.backward()
        norm = math.sqrt(sum(float((p.grad ** 2).sum()) for p in params))
        if clip['type'] == 'norm':
            torch.nn.utils.clip_grad_norm_(params, clip['threshold'])
            clipped += norm > clip['threshold']
        elif clip['type'] == 'value':
            torch.nn.utils.clip_grad_value_(params, clip['threshold'])
            clipped += 1
        losses.append(float(loss))
        norms.append(norm)
        opt.step()
        if sched:
            sched.step()

    data = {'structure': structure,
            'input': {'kind': 'tokens', 'vocab': [f't{i}' for i in range(in_size)]} if tokens else {'kind': 'real', 'features': in_size},
            'output': {'kind': 'classes', 'classes': [f'c{i}' for i in range(O)]} if out[0] == 'classes'
            else {'kind': 'binary', 'labels': [f'yes{i}' for i in range(O)]} if out[0] == 'binary' else {'kind': 'real', 'features': O},
            'train': [{'x': x_json[b], 'y': y_json[b]} for b in range(B)]}
    definition = dict(d, name=name, structure=structure)
    definition['training'] = dict(t, batchSize=B, steps=K)
    return {'format': 'seqlab-torch-trajectory/1', 'name': name, 'torch_version': torch.__version__,
            'dtype': 'float64 (float32 weights and data cast up)', 'K': K, 'definition': definition, 'data': data,
            'initial_state_dict': initial, 'clip_active_steps': int(clipped), 'losses': losses, 'grad_norms': norms,
            'final_state_dict': {k: tensor_json(v) for k, v in named.items()}}


CASES = [
    make('lstm_bi_2layer_emb_m2m_ce_adamw_norm_cosine',
         {'data': {'task': 'tagging'}, 'input': {'encoding': 'embedding', 'embeddingSize': 3},
          'layers': [{'cell': 'lstm', 'units': 5, 'bidirectional': True}, {'cell': 'lstm', 'units': 5, 'bidirectional': True}],
          'head': {'activation': 'softmax', 'loss': 'cross-entropy'},
          'training': {'optimizer': 'adamw', 'learningRate': 0.02, 'weightDecay': 0.05, 'clip': {'type': 'norm', 'threshold': 0.05},
                       'schedule': {'type': 'cosine', 'warmupSteps': 4, 'warmupStartFactor': 0.1, 'minLr': 0.001}}},
         'many-to-many', ('tokens', 7), ('classes', 4), B=5, T=7, K=25, seed=11),
    make('gru_3layer_differing_m2o_mse_nesterov_wd_value_step',
         {'data': {'task': 'adding'}, 'layers': [{'cell': 'gru', 'units': 7}, {'cell': 'gru', 'units': 4}, {'cell': 'gru', 'units': 6}],
          'head': {'activation': 'linear', 'loss': 'mse'},
          'training': {'optimizer': 'momentum', 'learningRate': 0.1, 'momentum': 0.8, 'nesterov': True, 'weightDecay': 0.01,
                       'clip': {'type': 'value', 'threshold': 0.1}, 'schedule': {'type': 'step', 'stepSize': 6, 'gamma': 0.5}}},
         'many-to-one', ('real', 3), ('real', 2), B=6, T=5, K=24, seed=12),
    make('rnn_relu_bi_mul_then_tanh_m2o_bce_rmsprop_centered',
         {'data': {'task': 'parity'},
          'layers': [{'cell': 'rnn', 'units': 6, 'activation': 'relu', 'bidirectional': True, 'merge': 'mul'}, {'cell': 'rnn', 'units': 3, 'bidirectional': True, 'merge': 'avg'}],
          'head': {'activation': 'sigmoid', 'loss': 'binary-cross-entropy'},
          'training': {'optimizer': 'rmsprop', 'learningRate': 0.005, 'rho': 0.95, 'momentum': 0.5, 'centered': True, 'weightDecay': 0.02, 'epsilon': 1e-6,
                       'clip': {'type': 'norm', 'threshold': 0.2}}},
         'many-to-one', ('tokens', 3), ('binary', 1), B=7, T=6, K=20, seed=13),
    make('gru_nobias_m2m_bce_rmsprop_pytorch_defaults_exponential',
         {'data': {'task': 'parity'}, 'layers': [{'cell': 'gru', 'units': 9, 'bias': False}],
          'head': {'activation': 'sigmoid', 'loss': 'binary-cross-entropy'},
          'training': {'optimizer': 'rmsprop', 'learningRate': 0.01, 'schedule': {'type': 'exponential', 'gamma': 0.95}}},
         'many-to-many', ('tokens', 2), ('binary', 1), B=4, T=8, K=30, seed=14),
    make('lstm_gru_rnn_stack_sum_m2m_ce_adam_wd_defaults',
         {'data': {'task': 'tagging'},
          'layers': [{'cell': 'lstm', 'units': 4, 'bidirectional': True, 'merge': 'sum'}, {'cell': 'gru', 'units': 5}, {'cell': 'rnn', 'units': 6}],
          'head': {'activation': 'softmax', 'loss': 'cross-entropy'},
          'training': {'optimizer': 'adam', 'learningRate': 0.01, 'weightDecay': 0.1}},
         'many-to-many', ('tokens', 5), ('classes', 3), B=3, T=4, K=20, seed=15),
    make('lstm_m2o_sine_sgd_wd_value',
         {'data': {'task': 'sine'}, 'layers': [{'cell': 'lstm', 'units': 10}],
          'head': {'activation': 'linear', 'loss': 'mse'},
          'training': {'optimizer': 'sgd', 'learningRate': 0.3, 'weightDecay': 0.001, 'clip': {'type': 'value', 'threshold': 0.2}}},
         'many-to-one', ('real', 1), ('real', 1), B=9, T=12, K=20, seed=16),
    # longer than the default truncated-BPTT window (sequenceLength 32): full BPTT, as PyTorch
    make('gru_m2m_T40_ce_momentum_full_bptt',
         {'data': {'task': 'tagging'}, 'layers': [{'cell': 'gru', 'units': 5}],
          'head': {'activation': 'softmax', 'loss': 'cross-entropy'},
          'training': {'optimizer': 'momentum', 'learningRate': 0.2, 'momentum': 0.9}},
         'many-to-many', ('tokens', 4), ('classes', 3), B=3, T=40, K=12, seed=17),
]

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'trajectories.json'), 'w') as f:
    json.dump(CASES, f)
    f.write('\n')
print('wrote', len(CASES), 'trajectories:', ', '.join(f"{c['name']} (clip active {c['clip_active_steps']})" for c in CASES))

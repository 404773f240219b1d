"""Writes optim.json beside this file: torch.optim 1.13 updates for test/core/optim.test.ts.

Each case: two parameters and K steps of given gradients (float32 values, computed in float64 as the
trajectory fixtures are), an optional per-step learning rate and clipping. Run with /usr/bin/python3
(PyTorch 1.13); the JSON is committed so the tests need no PyTorch.
"""
import json
import os

import torch

torch.manual_seed(0)
K = 6
SHAPES = {'w': [3, 4], 'b': [4]}


def f32(t):
    return t.float().double()


init = {k: f32(torch.randn(*s)) for k, s in SHAPES.items()}
grads = [{k: f32(torch.randn(*s) * (0.5 + i)) for k, s in SHAPES.items()} for i in range(K)]
LRS = [0.1, 0.05, 0.08, 0.02, 0.03, 0.01]

CASES = [
    ('sgd', dict(optimizer='sgd', learningRate=0.1), lambda p, lr: torch.optim.SGD(p, lr=lr)),
    ('sgd weight decay', dict(optimizer='sgd', learningRate=0.1, weightDecay=0.05), lambda p, lr: torch.optim.SGD(p, lr=lr, weight_decay=0.05)),
    ('momentum', dict(optimizer='momentum', learningRate=0.1, momentum=0.9), lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9)),
    ('momentum nesterov weight decay', dict(optimizer='momentum', learningRate=0.1, momentum=0.8, nesterov=True, weightDecay=0.01),
     lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.8, nesterov=True, weight_decay=0.01)),
    ('rmsprop defaults', dict(optimizer='rmsprop', learningRate=0.01), lambda p, lr: torch.optim.RMSprop(p, lr=lr)),
    ('rmsprop momentum', dict(optimizer='rmsprop', learningRate=0.01, rho=0.9, momentum=0.9, epsilon=1e-7),
     lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=0.9, momentum=0.9, eps=1e-7)),
    ('rmsprop centered momentum weight decay', dict(optimizer='rmsprop', learningRate=0.01, rho=0.95, momentum=0.5, centered=True, weightDecay=0.1, epsilon=1e-6),
     lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=0.95, momentum=0.5, centered=True, weight_decay=0.1, eps=1e-6)),
    ('rmsprop centered, large eps', dict(optimizer='rmsprop', learningRate=0.01, centered=True, epsilon=0.1),
     lambda p, lr: torch.optim.RMSprop(p, lr=lr, centered=True, eps=0.1)),
    ('adam defaults', dict(optimizer='adam', learningRate=0.01), lambda p, lr: torch.optim.Adam(p, lr=lr)),
    ('adam betas eps weight decay', dict(optimizer='adam', learningRate=0.02, beta1=0.8, beta2=0.99, epsilon=1e-6, weightDecay=0.1),
     lambda p, lr: torch.optim.Adam(p, lr=lr, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ('adamw defaults', dict(optimizer='adamw', learningRate=0.01), lambda p, lr: torch.optim.AdamW(p, lr=lr)),
    ('adamw weight decay 0.3', dict(optimizer='adamw', learningRate=0.05, weightDecay=0.3), lambda p, lr: torch.optim.AdamW(p, lr=lr, weight_decay=0.3)),
]
VARIANTS = [
    ('', dict(), None),
    (', lr per step', dict(lrs=LRS), None),
    (', clip norm 1', dict(clip=dict(type='norm', threshold=1.0)), 'norm'),
    (', clip value 0.3', dict(clip=dict(type='value', threshold=0.3)), 'value'),
]
STATE_NAMES = ['momentum_buffer', 'square_avg', 'grad_avg', 'exp_avg', 'exp_avg_sq']


def tensor_json(t):
    return {'shape': list(t.shape), 'data': t.detach().reshape(-1).tolist()}


out = {'format': 'seqlab-optim-reference/1', 'torch_version': torch.__version__, 'K': K,
       'initial': {k: tensor_json(v) for k, v in init.items()},
       'grads': [{k: tensor_json(v) for k, v in g.items()} for g in grads], 'cases': []}
for name, training, make in CASES:
    for vname, extra, clip in VARIANTS:
        params = {k: v.clone().requires_grad_(True) for k, v in init.items()}
        lrs = extra.get('lrs', [training['learningRate']] * K)
        opt = make(list(params.values()), lrs[0])
        norms = []
        for i in range(K):
            for group in opt.param_groups:
                group['lr'] = lrs[i]
            for k, p in params.items():
                p.grad = grads[i][k].clone()
            if clip == 'norm':
                norms.append(float(torch.nn.utils.clip_grad_norm_(list(params.values()), extra['clip']['threshold'])))
            elif clip == 'value':
                torch.nn.utils.clip_grad_value_(list(params.values()), extra['clip']['threshold'])
            opt.step()
        state = {}
        for k, p in params.items():
            for s, v in opt.state[p].items():
                if s in STATE_NAMES and torch.is_tensor(v):
                    state[f'{k}/{s}'] = tensor_json(v)
        case = {'name': name + vname, 'training': training, 'final': {k: tensor_json(v) for k, v in params.items()}, 'state': state}
        if 'lrs' in extra:
            case['lrs'] = lrs
        if 'clip' in extra:
            case['clip'] = extra['clip']
        if norms:
            case['norms'] = norms
        out['cases'].append(case)

# clip_grad_norm_ where its + 1e-6 matters: gradients whose norm is near 1e-6
out['clip_norm_small'] = []
for scale, max_norm in [(1e-6, 1e-6), (3e-7, 1e-7), (2e-6, 5.0)]:
    gs = [f32(torch.randn(3) * scale), f32(torch.randn(2, 2) * scale)]
    ps = [torch.zeros_like(g, requires_grad=True) for g in gs]
    for p, g in zip(ps, gs):
        p.grad = g.clone()
    norm = float(torch.nn.utils.clip_grad_norm_(ps, max_norm))
    out['clip_norm_small'].append({'max_norm': max_norm, 'norm': norm, 'grads': [tensor_json(g) for g in gs],
                                   'clipped': [tensor_json(p.grad) for p in ps]})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'optim.json'), 'w') as f:
    json.dump(out, f)
    f.write('\n')
print(f"wrote {len(out['cases'])} cases")

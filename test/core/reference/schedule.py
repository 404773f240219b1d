"""Writes schedule.json beside this file: torch.optim.lr_scheduler 1.13 learning rates for
test/core/schedule.test.ts. Stepped once per optimizer step, as the Trainer does; reduce-on-plateau
once per validation loss. Run with /usr/bin/python3 (PyTorch 1.13); the JSON is committed.
"""
import json
import os
import warnings

import torch
from torch.optim import lr_scheduler as S

warnings.filterwarnings('ignore')
BASE = 0.1


def run(name, spec, total, make):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=BASE)
    sched = make(opt)
    lrs = []
    for _ in range(total):
        lrs.append(opt.param_groups[0]['lr'])
        opt.step()
        sched.step()
    return {'name': name, 'spec': spec, 'total': total, 'lrs': lrs}


def cosine(w, start, min_lr, total):
    def make(opt):
        cos = S.CosineAnnealingLR(opt, T_max=total - w, eta_min=min_lr)
        if w == 0:
            return cos
        return S.SequentialLR(opt, [S.LinearLR(opt, start_factor=start, total_iters=w), cos], milestones=[w])
    return make


steps = [
    run('StepLR(3, 0.5)', {'type': 'step', 'stepSize': 3, 'gamma': 0.5}, 12, lambda o: S.StepLR(o, 3, gamma=0.5)),
    run('StepLR(4) default gamma', {'type': 'step', 'stepSize': 4}, 13, lambda o: S.StepLR(o, 4)),
    run('ExponentialLR(0.9)', {'type': 'exponential', 'gamma': 0.9}, 15, lambda o: S.ExponentialLR(o, 0.9)),
    run('cosine, no warm-up', {'type': 'cosine'}, 10, cosine(0, 1 / 3, 0, 10)),
    run('cosine, warm-up 3 from 0.01 to minLr 0.001', {'type': 'cosine', 'warmupSteps': 3, 'warmupStartFactor': 0.01, 'minLr': 0.001}, 10, cosine(3, 0.01, 0.001, 10)),
    run('cosine, warm-up 5 default start factor', {'type': 'cosine', 'warmupSteps': 5}, 23, cosine(5, 1 / 3, 0, 23)),
]

LOSSES = [1.0, 0.9, 0.85, 0.8499, 0.86, 0.9, 0.84, 0.84, 0.84, 0.84, 0.84, 0.83995, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]


def plateau(name, spec, kw):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=BASE)
    sched = S.ReduceLROnPlateau(opt, mode='min', threshold_mode='rel', **kw)
    lrs = []
    for v in LOSSES:
        sched.step(v)
        lrs.append(opt.param_groups[0]['lr'])
    return {'name': name, 'spec': spec, 'losses': LOSSES, 'lrs': lrs}


plateaus = [
    plateau('ReduceLROnPlateau defaults, patience 2', {'type': 'plateau', 'patience': 2}, dict(patience=2)),
    plateau('factor 0.5, patience 1, cooldown 2', {'type': 'plateau', 'factor': 0.5, 'patience': 1, 'cooldown': 2}, dict(factor=0.5, patience=1, cooldown=2)),
    plateau('patience 0, minLr 0.02', {'type': 'plateau', 'patience': 0, 'minLr': 0.02}, dict(patience=0, min_lr=0.02)),
    plateau('threshold 0.1, factor 0.3', {'type': 'plateau', 'threshold': 0.1, 'factor': 0.3, 'patience': 1}, dict(threshold=0.1, factor=0.3, patience=1)),
]

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'schedule.json'), 'w') as f:
    json.dump({'format': 'seqlab-schedule-reference/1', 'torch_version': torch.__version__, 'base': BASE,
               'steps': steps, 'plateaus': plateaus}, f, indent=1)
    f.write('\n')
print('wrote', len(steps) + len(plateaus), 'cases')

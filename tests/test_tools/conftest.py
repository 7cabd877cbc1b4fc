"""A tiny, deterministic stage-1 config for the tool tests."""
import os.path as osp

import pytest
from tiny_models import TINY_BACKBONE
from tool_helpers import ROOT

TINY_CAM = """
_base_ = [{base!r}]
data_root = {root!r}
_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='PackWSSSInputs'),
]
model = dict(
    backbone={backbone!r},
    cam_head=dict(in_channels=64),
    test_cfg=dict(scales=(1.0, ), flip=True, amp=False))
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(lr=0.01))
train_dataloader = dict(
    batch_size={batch}, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline={pipeline}))
# batch 1: padding images of other sizes into a batch would change the CAMs
# near their borders with the batch composition, i.e. with the process count
val_dataloader = dict(
    batch_size=1, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
pseudo_mask_dataloader = dict(
    batch_size=1, num_workers=0, dataset=dict(data_root=data_root))
max_epochs = {epochs}
train_cfg = dict(max_epochs=max_epochs, val_interval=1000)
default_hooks = dict(
    checkpoint=dict(interval=1, max_keep_ckpts=5),
    logger=dict(interval=1))
randomness = dict(seed=0, deterministic=True)
{extra}
"""


@pytest.fixture
def tiny_cam_config(tmp_path, tiny_voc):
    """Write a tiny CAM config; returns ``make(batch=4, epochs=1, ...)``.

    ``norm`` is the backbone's normalisation ('GN', 'BN' or 'SyncBN', with
    ``sync_bn='torch'``, i.e. every BN synchronised across processes);
    ``augment`` trains with the shipped config's random augmentation (resize
    96-165, flip, colour jitter, crop 96) instead of a fixed resize.
    """
    norms = dict(
        GN=(dict(type='GN', num_groups=4, requires_grad=True), ''),
        BN=(dict(type='BN', requires_grad=True), ''),
        SyncBN=(dict(type='BN', requires_grad=True), "sync_bn = 'torch'"))

    def make(batch=4, epochs=1, name='tiny_cam.py', norm='GN', augment=False):
        path = tmp_path / name
        path.write_text(
            TINY_CAM.format(
                base=osp.join(
                    ROOT, 'configs/cam/'
                    'cam_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py'),
                root=tiny_voc,
                batch=batch,
                epochs=epochs,
                backbone=dict(TINY_BACKBONE, norm_cfg=norms[norm][0]),
                extra=norms[norm][1],
                pipeline='{{_base_.train_pipeline}}'
                if augment else '_pipeline'))
        return str(path)

    return make

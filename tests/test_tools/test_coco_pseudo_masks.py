"""The pseudo-mask command of the README on the synthetic COCO layout: the
split comes from the config, not from a VOC path."""
import os

import numpy as np
from PIL import Image
from test_user_errors import _one_line_error
from tool_helpers import ROOT, tool

from mmwsss.datasets.synthetic import write_synthetic_coco

TINY_EPS_COCO = """
_base_ = [{base!r}]
data_root = {root!r}
model = dict(
    backbone=dict(base_channels=8),
    cam_head=dict(in_channels=64),
    test_cfg=dict(scales=(1.0, ), flip=False, amp=False))
train_dataloader = dict(
    batch_size=3, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root))
val_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
pseudo_mask_dataloader = dict(
    batch_size=2, num_workers=0, dataset=dict(data_root=data_root))
train_cfg = dict(max_epochs=1, val_interval=1000)
param_scheduler = [dict(type='PolyLR', power=0.9, eta_min=0., begin=0,
                        end=1, by_epoch=True, convert_to_iter_based=True)]
"""


def test_pseudo_masks_of_the_coco_layout(tmp_path):
    root = tmp_path / 'coco'
    # 8 train images, 2 of them without objects (skipped by the dataset)
    write_synthetic_coco(
        str(root),
        seed=0,
        num_train=8,
        num_val=2,
        image_size=(48, 64),
        num_classes=20,
        empty_every=4)
    config = tmp_path / 'eps_coco.py'
    config.write_text(
        TINY_EPS_COCO.format(
            base=os.path.join(
                ROOT, 'configs/eps/'
                'eps_r18c32-d8_1xb16-16e_synthetic-coco-128x128.py'),
            root=str(root)))
    work = tmp_path / 'work'
    done = tool('train.py', str(config), '--work-dir', str(work))
    assert done.returncode == 0, done.stderr[-3000:]
    checkpoint = str(work / 'epoch_1.pth')

    out = tmp_path / 'masks'
    done = tool('pseudo_masks.py', str(config), checkpoint, '--out', str(out),
                '--bg-score', '0.2')
    assert done.returncode == 0, done.stderr[-3000:]
    masks = sorted(out.glob('*.png'))
    assert len(masks) == 6
    assert all(m.name.startswith('COCO_train2014_') for m in masks)
    image = Image.open(root / 'train2014' / (masks[0].stem + '.jpg'))
    mask = np.asarray(Image.open(masks[0]))
    assert mask.shape == image.size[::-1] and mask.max() <= 80

    # a VOC split name means nothing to COCO: one clear line
    done = tool('pseudo_masks.py', str(config), checkpoint, '--out',
                str(tmp_path / 'other'), '--split', 'train_aug')
    _one_line_error(done, 'COCOClsDataset has no named splits', 'train_aug')

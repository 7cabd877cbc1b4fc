"""The per-image commands on the synthetic COCO layout (pseudo masks,
affinity labels, AffinityNet training, random walk): the split comes from
the config, not from a VOC path."""
import os

import numpy as np
import pytest
from PIL import Image
from test_user_errors import _one_line_error
from tiny_models import HEADS, TINY_AFFINITY_HEAD, TINY_BACKBONE
from tool_helpers import ROOT, tool

from mmwsss.datasets.synthetic import write_synthetic_coco

TINY_EPS_COCO = """
_base_ = [{base!r}]
data_root = {root!r}
model = dict(
    backbone={backbone!r},
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
train_cfg = dict(
    _delete_=True, type='EpochBasedTrainLoop', max_epochs=1,
    val_interval=1000)
default_hooks = dict(checkpoint=dict(by_epoch=True, interval=1))
"""


# AffinityNet of benchmark v2 on the same COCO data, tiny
TINY_AFFINITY_COCO = """
_base_ = [{base!r}]
coco = dict(
    _delete_=True,
    type='COCOClsDataset',
    data_root={root!r},
    ann_file='annotations/instances_train2014.json',
    data_prefix=dict(img_path='train2014'))
model = dict(
    backbone={backbone!r},
    aff_head={aff_head!r})
train_dataloader = dict(
    batch_size=3, num_workers=0, persistent_workers=False,
    dataset=dict(coco, pipeline=[
        dict(t, label_dir={labels!r}) if t['type'] == 'LoadAffinityLabel'
        else t for t in _base_.train_pipeline]))
pseudo_mask_dataloader = dict(
    num_workers=0,
    dataset=dict(
        coco, pipeline=_base_.pseudo_mask_dataloader.dataset.pipeline))
train_cfg = dict(max_epochs=1)
"""


@pytest.fixture(scope='module')
def coco_eps(tmp_path_factory):
    """The synthetic COCO layout and a tiny EPS trained 1 epoch on it with
    the shipped COCO config's data and model."""
    tmp = tmp_path_factory.mktemp('coco_eps')
    root = tmp / 'coco'
    # 8 train images, 2 of them without objects (skipped by the dataset)
    write_synthetic_coco(
        str(root),
        seed=0,
        num_train=8,
        num_val=2,
        image_size=(48, 64),
        num_classes=20,
        empty_every=4)
    config = tmp / 'eps_coco.py'
    config.write_text(
        TINY_EPS_COCO.format(
            base=os.path.join(
                ROOT, 'configs/eps/eps_r38d_1xb16-256k_coco2014-321x321.py'),
            backbone=TINY_BACKBONE,
            root=str(root)))
    work = tmp / 'work'
    done = tool('train.py', str(config), '--work-dir', str(work))
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(root=root, config=str(config),
                checkpoint=str(work / 'epoch_1.pth'))


def test_pseudo_masks_of_the_coco_layout(coco_eps, tmp_path):
    root, config = coco_eps['root'], coco_eps['config']
    out = tmp_path / 'masks'
    done = tool('pseudo_masks.py', config, coco_eps['checkpoint'], '--out',
                str(out), '--bg-score', '0.2')
    assert done.returncode == 0, done.stderr[-3000:]
    masks = sorted(out.glob('*.png'))
    assert len(masks) == 6
    assert all(m.name.startswith('COCO_train2014_') for m in masks)
    image = Image.open(root / 'train2014' / (masks[0].stem + '.jpg'))
    mask = np.asarray(Image.open(masks[0]))
    assert mask.shape == image.size[::-1] and mask.max() <= 80

    # a VOC split name means nothing to COCO: one clear line
    done = tool('pseudo_masks.py', config, coco_eps['checkpoint'], '--out',
                str(tmp_path / 'other'), '--split', 'train_aug')
    _one_line_error(done, 'COCOClsDataset has no named splits', 'train_aug')


def test_random_walk_of_the_coco_layout(coco_eps, tmp_path):
    root = coco_eps['root']
    cams, labels = tmp_path / 'cams', tmp_path / 'affinity_labels'
    done = tool('pseudo_masks.py', coco_eps['config'], coco_eps['checkpoint'],
                '--out', str(cams), '--bg-score', '0.2', '--save-cam')
    assert done.returncode == 0, done.stderr[-3000:]
    config = tmp_path / 'affinity_coco.py'
    config.write_text(
        TINY_AFFINITY_COCO.format(
            base=os.path.join(
                ROOT, 'configs/affinity/'
                'affinity_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py'),
            backbone=TINY_BACKBONE,
            aff_head=dict(
                in_channels=HEADS['affinity']['model.aff_head.in_channels'],
                **TINY_AFFINITY_HEAD),
            root=str(root),
            labels=str(labels)))
    done = tool('affinity_labels.py', str(config), '--cams', str(cams),
                '--out', str(labels))
    assert done.returncode == 0, done.stderr[-3000:]
    written = sorted(p.name for p in labels.glob('*.png'))
    assert written == sorted(p.stem + '.png' for p in cams.glob('*.npy'))
    assert len(written) == 6

    # AffinityNet trains on those labels through the COCO dataset
    work = tmp_path / 'work'
    done = tool('train.py', str(config), '--work-dir', str(work))
    assert done.returncode == 0, done.stderr[-3000:]

    refined = tmp_path / 'refined'
    args = ('random_walk.py', str(config), str(work / 'epoch_1.pth'),
            '--cams', str(cams), '--out', str(refined))
    done = tool(*args)
    assert done.returncode == 0, done.stderr[-3000:]
    masks = sorted(refined.glob('*.png'))
    assert [m.name for m in masks] == written
    for name in written[:2]:
        image = Image.open(root / 'train2014' / name.replace('.png', '.jpg'))
        mask = np.asarray(Image.open(refined / name))
        present = np.load(cams / name.replace('.png', '.npy')).shape[0]
        assert mask.shape == image.size[::-1]
        assert len(np.unique(mask)) <= present + 1
    again = tool(*args)
    assert again.returncode == 0, again.stderr[-3000:]
    assert 'already' in again.stdout + again.stderr

import copy
import os
import os.path as osp
import shutil

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper
from mmengine.structures import PixelData

from mmwsss.datasets.transforms.affinity_labels import \
    LoadAffinityLabel  # noqa: F401 (registers)
from mmwsss.models.affinity import (AffinityNet, dense_affinity,
                                    random_walk_maps)
from mmwsss.models.affinity.random_walk import dense_walk_bytes
from mmwsss.registry import DATASETS, MODELS
from mmwsss.structures import WSSSDataSample

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
PREPROCESSOR = dict(
    type='WSSSDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    size_divisor=8,
    test_cfg=dict(size_divisor=8))
TINY = dict(
    type='AffinityNet',
    data_preprocessor=PREPROCESSOR,
    backbone=dict(
        type='ResNet',
        depth=18,
        base_channels=8,
        strides=(1, 2, 1, 1),
        dilations=(1, 1, 2, 4),
        out_indices=(0, 1, 2, 3),
        norm_cfg=dict(type='BN', requires_grad=True),
        contract_dilation=True),
    aff_head=dict(
        type='AffinityHead', in_channels=(16, 32, 64), channels=(4, 8, 8)),
    in_index=(1, 2, 3))


def build(cfg=TINY):
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def dataset(root, pipeline):
    return DATASETS.build(
        dict(
            type='VOCClsDataset',
            data_root=root,
            ann_file='ImageSets/Segmentation/train_aug.txt',
            cls_label_file='cls_labels.npy',
            data_prefix=dict(img_path='JPEGImages'),
            pipeline=pipeline))


@pytest.fixture(scope='module')
def train_batch(tiny_voc, tmp_path_factory):
    """4 crops with their affinity labels (the GT masks stand in)."""
    label_dir = str(tmp_path_factory.mktemp('aff_labels'))
    masks = osp.join(tiny_voc, 'SegmentationClassAug')
    for name in os.listdir(masks):
        shutil.copy(osp.join(masks, name), label_dir)
    torch.manual_seed(0)
    import numpy as np
    np.random.seed(0)
    data = dataset(
        tiny_voc,
        [
            dict(type='LoadImageFromFile'),
            dict(type='LoadAffinityLabel', label_dir=label_dir),
            dict(type='RandomFlip', prob=0.5),
            dict(type='RandomCropPad', crop_size=96),  # 12x12 grid
            dict(type='PackWSSSInputs'),
        ])
    return pseudo_collate([data[i] for i in range(4)])


def test_a_radius_without_pairs_is_refused_at_build():
    with pytest.raises(ValueError, match='radius must be at least 2'):
        build(dict(TINY, radius=1))


def test_train_step(train_batch):
    model = build()
    model.train()
    data = model.data_preprocessor(copy.deepcopy(train_batch), True)
    losses = model(data['inputs'], data['data_samples'], mode='loss')
    assert set(losses) == {'loss_aff_bg', 'loss_aff_fg', 'loss_aff_neg'}
    assert all(torch.isfinite(v) and v > 0 for v in losses.values())
    sum(losses.values()).backward()
    for conv in (*model.aff_head.reduce, model.aff_head.fuse):
        assert conv.weight.grad.abs().sum() > 0
    assert model.backbone.conv1.weight.grad.abs().sum() > 0


def test_step_through_optim_wrapper(train_batch):
    model = build()
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    before = model.aff_head.fuse.weight.detach().clone()
    log = model.train_step(copy.deepcopy(train_batch), wrapper)
    assert torch.isfinite(log['loss'])
    assert not torch.equal(before, model.aff_head.fuse.weight)


def test_resnet38d_backbone():
    cfg = dict(
        TINY,
        backbone=dict(type='ResNet38d', width_div=16),
        aff_head=dict(
            type='AffinityHead',
            in_channels=(32, 64, 256),
            channels=(4, 8, 16)),
        in_index=(0, 1, 2))
    model = build(cfg)
    model.train()
    inputs = torch.randn(2, 3, 72, 72)  # a 9x9 grid: 5 pair origins
    embed = model(inputs)
    assert embed.shape == (2, 28, 9, 9)
    samples = []
    for i in range(2):
        sample = WSSSDataSample()
        label = torch.zeros(1, 72, 72, dtype=torch.uint8)
        label[:, :, 36:] = i + 1
        label[:, 32:40] = 255
        sample.gt_sem_seg = PixelData(data=label)
        samples.append(sample)
    losses = model.loss(inputs, samples)
    sum(losses.values()).backward()
    assert model.aff_head.reduce[0].weight.grad.abs().sum() > 0


def test_predict_refines_the_given_cams(tiny_voc):
    model = build()
    model.eval()
    data = dataset(
        tiny_voc,
        [dict(type='LoadImageFromFile'),
         dict(type='PackWSSSInputs')])
    batch = pseudo_collate([data[i] for i in range(3)])
    for sample in batch['data_samples']:
        h, w = sample.img_shape
        torch.manual_seed(0)
        sample.pred_cam = PixelData(data=torch.rand(20, h, w))
    with torch.no_grad():
        outputs = model.test_step(batch)
    for sample in outputs:
        mask = sample.pred_sem_seg.data
        assert mask.shape == (1, *sample.img_shape)
        allowed = {0} | {
            int(c) + 1
            for c in torch.nonzero(sample.gt_label).flatten()
        }
        assert set(mask.unique().tolist()) <= allowed
    # a CAM of the wrong size is refused
    batch['data_samples'][0].pred_cam = PixelData(data=torch.rand(20, 8, 8))
    with pytest.raises(ValueError, match='CAM'):
        model.test_step(batch)


def walk_inputs():
    """Inputs (2, 3, 128, 152) and 2 samples of 120x152 and 128x96 px
    (15x19 and 16x12 grids) with 2 labelled classes and smooth CAMs."""
    torch.manual_seed(0)
    inputs = torch.randn(2, 3, 128, 152)
    samples = []
    for i, (height, width) in enumerate([(120, 152), (128, 96)]):
        label = torch.zeros(20)
        label[[3, 11 + i]] = 1
        cam = F.interpolate(
            torch.rand(1, 20, 4, 5), size=(height, width),
            mode='bilinear')[0]
        sample = WSSSDataSample(
            metainfo=dict(
                img_path=f'JPEGImages/{i}.jpg', img_shape=(height, width)))
        sample.gt_label = label
        sample.pred_cam = PixelData(data=cam)
        samples.append(sample)
    return inputs, samples


def predict_masks(model, inputs, samples):
    """The refined masks ``(1, H, W)`` of the samples."""
    model.eval()
    with torch.no_grad():
        outputs = model.predict(inputs, copy.deepcopy(samples))
    return [sample.pred_sem_seg.data for sample in outputs]


def test_the_dense_walk_budget():
    inputs, samples = walk_inputs()
    grids = [(15, 19), (16, 12)]
    needs = [dense_walk_bytes(h * w) for h, w in grids]
    assert needs[0] == 3 * 4 * 285**2
    # over the budget: refused before the walk, naming the image, its size,
    # the bytes, the budget and the ways out
    model = build(dict(TINY, test_cfg=dict(max_walk_bytes=needs[0] - 1)))
    with pytest.raises(ValueError) as error:
        predict_masks(model, inputs, samples)
    message = str(error.value)
    assert message.startswith(
        'JPEGImages/0.jpg: the dense random walk of this 152x120 image '
        f'(a 19x15 grid) needs {needs[0]} bytes')
    assert f'test_cfg.max_walk_bytes is {needs[0] - 1} ' in message
    assert "test_cfg.walk='sparse'" in message and '\n' not in message
    # within the budget (the largest image's need exactly): the plain dense
    # walk's masks, bit for bit
    model = build(dict(TINY, test_cfg=dict(max_walk_bytes=max(needs))))
    masks = predict_masks(model, inputs, samples)
    default = predict_masks(build(), inputs, samples)
    assert all(torch.equal(a, b) for a, b in zip(masks, default))
    with torch.no_grad():
        embeds = model(inputs)
    for embed, (h, w), sample, mask in zip(embeds, grids, samples, masks):
        cam = sample.pred_cam.data
        present = torch.nonzero(sample.gt_label).flatten()
        scores = torch.cat([torch.full_like(cam[:1], 0.27), cam[present]])
        walked = random_walk_maps(scores, dense_affinity(embed[:, :h, :w], 5))
        classes = torch.cat([present.new_zeros(1), present + 1])
        assert torch.equal(mask[0], classes[walked.argmax(0)])
        # the walk moved some labels
        assert not torch.equal(mask[0], classes[scores.argmax(0)])
        assert len(mask.unique()) >= 2


def test_the_sparse_walk_gives_the_dense_masks():
    inputs, samples = walk_inputs()
    sparse = build(dict(TINY, test_cfg=dict(walk='sparse', max_walk_bytes=1)))
    dense = predict_masks(build(), inputs, samples)
    for a, b in zip(predict_masks(sparse, inputs, samples), dense):
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match='test_cfg.walk must be one of'):
        build(dict(TINY, test_cfg=dict(walk='squares')))
    with pytest.raises(ValueError, match='max_walk_bytes must be a positive'):
        build(dict(TINY, test_cfg=dict(max_walk_bytes=None)))


def test_contract():
    model = build()
    with pytest.raises(RuntimeError, match='Invalid mode'):
        model(torch.randn(1, 3, 32, 32), mode='nope')
    with pytest.raises(ValueError, match='in_index'):
        build(dict(TINY, in_index=(1, 2)))
    with pytest.raises(ValueError, match='one grid'):
        build(
            dict(
                TINY,
                in_index=(0, 1, 2),
                aff_head=dict(
                    type='AffinityHead',
                    in_channels=(8, 16, 32),
                    channels=(4, 4, 4))))(
                        torch.randn(1, 3, 32, 32))
    assert isinstance(model, AffinityNet)


@pytest.mark.parametrize('name', [
    'affinity_r38d_1xb8-8e_voc12aug-448x448.py',
    'affinity_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py'
])
def test_configs(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'affinity', name))
    assert cfg.model.type == 'AffinityNet' and cfg.model.radius == 5
    assert dict(cfg.model.test_cfg) == dict(
        beta=8., logt=6, walk_bg_score=0.27)
    assert cfg.val_dataloader is None
    assert cfg.train_dataloader.dataset.pipeline[1] == dict(
        type='LoadAffinityLabel', label_dir=cfg.affinity_label_dir)
    assert set(
        cfg.optim_wrapper.get('paramwise_cfg',
                              {}).get('custom_keys',
                                      {'aff_head': 0})) == {'aff_head'}
    if 'synthetic' in name:
        model = MODELS.build(cfg.model)
        assert model(torch.randn(1, 3, 64, 64)).shape == (1, 112, 8, 8)


def test_a_test_cfg_typo_is_refused():
    cfg = copy.deepcopy(TINY)
    cfg['test_cfg'] = dict(log_t=4)
    with pytest.raises(KeyError, match="test_cfg.log_t is not an option "
                       r"\(did you mean 'logt'\?\)"):
        build(cfg)

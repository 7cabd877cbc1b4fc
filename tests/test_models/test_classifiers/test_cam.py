import pytest
import torch

from mmwsss.models.utils import multiscale_cam
from mmwsss.registry import MODELS
from mmwsss.structures import WSSSDataSample

TINY_BACKBONE = dict(
    type='ResNet',
    depth=18,
    base_channels=8,
    strides=(1, 2, 1, 1),
    dilations=(1, 1, 2, 4),
    out_indices=(3, ),
    norm_cfg=dict(type='BN', requires_grad=True),
    contract_dilation=True)


def build_cam(**kwargs):
    cfg = dict(
        type='CAM',
        data_preprocessor=dict(
            type='WSSSDataPreProcessor',
            mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375],
            bgr_to_rgb=True,
            size_divisor=8,
            test_cfg=dict(size_divisor=8)),
        backbone=TINY_BACKBONE,
        cam_head=dict(type='CAMHead', in_channels=64, num_channels=4))
    cfg.update(kwargs)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def samples(labels, shapes):
    out = []
    for label, (h, w) in zip(labels, shapes):
        s = WSSSDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w)))
        s.gt_label = torch.tensor(label, dtype=torch.float32)
        out.append(s)
    return out


def test_loss_and_gradients():
    model = build_cam()
    inputs = torch.randn(2, 3, 32, 32)
    losses = model.loss(inputs,
                        samples([[1, 0, 0, 1], [0, 1, 0, 0]], [(32, 32)] * 2))
    assert set(losses) == {'loss_cls'}
    loss = losses['loss_cls']
    assert loss.ndim == 0 and torch.isfinite(loss)
    loss.backward()
    assert model.cam_head.conv.weight.grad.abs().sum() > 0
    assert model.cam_head.conv.bias is None  # bias-free classifier


def test_loss_equals_multilabel_soft_margin_of_pooled_map():
    model = build_cam()
    inputs = torch.randn(2, 3, 32, 32)
    labels = torch.tensor([[1., 0, 0, 1], [0, 1, 0, 0]])
    cam = model._forward(inputs)
    expected = torch.nn.functional.multilabel_soft_margin_loss(
        cam.mean((2, 3)), labels)
    got = model.loss(inputs, samples(labels.tolist(), [(32, 32)] * 2))
    assert torch.allclose(got['loss_cls'], expected)


def test_predict_shapes_labels_and_range():
    model = build_cam(test_cfg=dict(scales=(0.5, 1.0), flip=True))
    model.eval()
    # positive weights on ReLU features: every map is positive somewhere
    model.cam_head.conv.weight.data.uniform_(0.1, 1.)
    # two images of different sizes padded to a common batch
    inputs = torch.randn(2, 3, 40, 48)
    out = model.predict(
        inputs, samples([[0, 1, 0, 0], [1, 0, 1, 0]], [(40, 48), (33, 41)]))
    cam0, cam1 = out[0].pred_cam.data, out[1].pred_cam.data
    assert cam0.shape == (4, 40, 48) and cam1.shape == (4, 33, 41)
    for cam, label in ((cam0, [0, 1, 0, 0]), (cam1, [1, 0, 1, 0])):
        assert cam.min() >= 0 and cam.max() <= 1
        for c, present in enumerate(label):
            if present:
                assert cam[c].max() > 0.99  # normalised per class
            else:
                assert (cam[c] == 0).all()
    seeds = out[1].pred_sem_seg.data
    assert seeds.shape == (1, 33, 41)
    assert set(seeds.unique().tolist()) <= {0, 1, 3}


def test_batched_multiscale_equals_loop():
    model = build_cam()
    model.eval()
    inputs = torch.randn(3, 3, 32, 40)
    norm = dict(
        mean=model.data_preprocessor.mean, std=model.data_preprocessor.std)
    scales = (0.5, 1.0, 1.5)
    with torch.no_grad():
        batched = multiscale_cam(model._forward, inputs, scales, True, **norm)
        looped = torch.cat([
            multiscale_cam(model._forward, inputs[i:i + 1], scales, True,
                           **norm) for i in range(3)
        ])
    assert torch.allclose(batched, looped, atol=1e-4)


def test_predict_ignores_padding():
    """A padded batch gives each image's result alone, unpadded (the
    authors infer one image at a time)."""
    model = build_cam(test_cfg=dict(scales=(0.5, 1.0)))
    model.eval()
    inputs = torch.randn(2, 3, 40, 48)
    labels = [[0, 1, 0, 1], [1, 0, 1, 0]]
    shapes = [(40, 48), (33, 41)]
    with torch.no_grad():
        batched = model.predict(inputs, samples(labels, shapes))
        alone = model.predict(inputs[1:, :, :33, :41],
                              samples(labels[1:], shapes[1:]))
    torch.testing.assert_close(
        batched[1].pred_cam.data, alone[0].pred_cam.data, rtol=0, atol=1e-6)
    assert torch.equal(batched[1].pred_sem_seg.data,
                       alone[0].pred_sem_seg.data)


def test_inference_defaults_and_choices():
    model = build_cam()
    cfg = model.test_cfg
    assert (cfg.img_resize, cfg.cam_upsample, cfg.cam_norm) == \
        ('pil_bicubic', 'direct', 'max')
    # the authors' forward_cam: ReLU of the raw maps
    x = torch.randn(1, 3, 32, 32)
    assert torch.equal(model.inference_cam(x), model._forward(x).relu())
    with pytest.raises(ValueError, match='test_cfg.cam_norm must be one of'):
        build_cam(test_cfg=dict(cam_norm='l2'))


def test_class_count_mismatch_is_clear():
    model = build_cam()
    with pytest.raises(
            ValueError, match='5 foreground classes but the model '
            'predicts 4'):
        model.loss(
            torch.randn(1, 3, 32, 32), samples([[1, 0, 0, 0, 0]], [(32, 32)]))


def test_forward_modes():
    model = build_cam()
    x = torch.randn(1, 3, 32, 32)
    assert model(x, mode='tensor').shape == (1, 4, 4, 4)
    with pytest.raises(RuntimeError, match='Invalid mode'):
        model(x, mode='nope')

import pytest
import torch
import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmwsss.models.backbones import ResNet38d
from mmwsss.models.heads import ASPPV2Head, LargeFOVHead
from mmwsss.registry import MODELS


def test_largefov_head():
    torch.manual_seed(0)
    head = MODELS.build(
        dict(type='LargeFOVHead', in_channels=32, channels=16, num_classes=5))
    assert isinstance(head, LargeFOVHead)
    conv = head.fov_conv.conv
    assert conv.kernel_size == (3, 3)
    assert conv.dilation == conv.padding == (12, 12)
    assert conv.in_channels == 32 and conv.out_channels == 16
    assert isinstance(head.fov_conv.activate, nn.ReLU)
    assert head.dropout.p == 0.5
    assert head.conv_seg.kernel_size == (1, 1)
    assert head.conv_seg.out_channels == 5

    x = torch.randn(2, 32, 7, 9)
    head.eval()
    out = head([torch.randn(2, 8, 7, 9), x])
    assert out.shape == (2, 5, 7, 9)
    expected = head.conv_seg(torch.relu(conv(x)))
    torch.testing.assert_close(out, expected)

    head = LargeFOVHead(in_channels=32, dilation=6, num_classes=3)
    assert head.channels == 512
    assert head.fov_conv.conv.dilation == head.fov_conv.conv.padding == (6, 6)


def test_aspp_v2_head():
    torch.manual_seed(0)
    head = MODELS.build(dict(type='ASPPV2Head', in_channels=16, num_classes=5))
    assert isinstance(head, ASPPV2Head)
    assert head.dropout is None
    assert head.channels == 16
    assert len(head.conv_seg) == 4
    for conv, rate in zip(head.conv_seg, (6, 12, 18, 24)):
        assert isinstance(conv, nn.Conv2d)
        assert conv.kernel_size == (3, 3)
        assert conv.dilation == conv.padding == (rate, rate)
        assert conv.in_channels == 16 and conv.out_channels == 5
        assert conv.bias is not None
    # no other convolution, e.g. a 1x1 classifier
    convs = [m for m in head.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 4

    head.init_weights()
    for conv in head.conv_seg:
        assert conv.weight.std() < 0.02
        assert torch.equal(conv.bias, torch.zeros(5))
        nn.init.normal_(conv.bias)

    x = torch.randn(2, 16, 6, 5)
    out = head([x])
    assert out.shape == (2, 5, 6, 5)
    expected = sum(conv(x) for conv in head.conv_seg)
    torch.testing.assert_close(out, expected)

    head = ASPPV2Head(
        in_channels=16,
        channels=16,
        dilations=(2, 3),
        dropout_ratio=0.5,
        num_classes=3)
    assert [c.dilation for c in head.conv_seg] == [(2, 2), (3, 3)]
    assert head.dropout.p == 0.5
    head.eval()
    assert head([x]).shape == (2, 3, 6, 5)


def test_aspp_v2_head_resize_concat():
    head = ASPPV2Head(
        in_channels=[4, 6],
        in_index=[0, 1],
        input_transform='resize_concat',
        dilations=(1, ),
        num_classes=3)
    assert head.channels == 10
    out = head([torch.randn(1, 4, 8, 8), torch.randn(1, 6, 4, 4)])
    assert out.shape == (1, 3, 8, 8)


@pytest.mark.parametrize('kwargs', [
    dict(in_channels=16, channels=32),
    dict(in_channels=16, dilations=()),
    dict(
        in_channels=[4, 6], in_index=[0, 1],
        input_transform='multiple_select'),
])
def test_aspp_v2_head_invalid(kwargs):
    with pytest.raises(ValueError):
        ASPPV2Head(num_classes=3, **kwargs)


def _data_samples(num, size, num_classes):
    samples = []
    for _ in range(num):
        sample = SegDataSample(
            metainfo=dict(img_shape=size, pad_shape=size, ori_shape=size))
        sample.gt_sem_seg = PixelData(
            data=torch.randint(0, num_classes, (1, ) + size))
        samples.append(sample)
    return samples


@pytest.mark.parametrize('decode_head', [
    dict(type='LargeFOVHead', in_channels=4096 // 16, channels=16),
    dict(type='ASPPV2Head', in_channels=1024 // 16, in_index=0),
])
def test_encoder_decoder(decode_head):
    torch.manual_seed(0)
    num_classes = 3
    cfg = dict(
        type='EncoderDecoder',
        data_preprocessor=dict(
            type='SegDataPreProcessor',
            mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375]),
        backbone=dict(
            type='ResNet38d', out_keys=('conv5', 'conv6'), width_div=16),
        decode_head=dict(decode_head, num_classes=num_classes),
        train_cfg=dict(),
        test_cfg=ConfigDict(mode='whole'))
    with DefaultScope.overwrite_default_scope('mmwsss'):
        model = MODELS.build(cfg)
    assert isinstance(model.backbone, ResNet38d)
    model.init_weights()
    size = (24, 32)
    inputs = torch.randn(2, 3, *size)

    model.train()
    losses = model.loss(inputs, _data_samples(2, size, num_classes))
    assert losses['decode.loss_ce'] > 0
    losses['decode.loss_ce'].backward()
    assert all(p.grad is not None
               for p in model.decode_head.conv_seg.parameters())
    assert model.backbone.b3.conv_branch2a.weight.grad is not None

    model.eval()
    with torch.no_grad():
        results = model.predict(inputs, _data_samples(2, size, num_classes))
    assert len(results) == 2
    for result in results:
        assert result.seg_logits.data.shape == (num_classes, ) + size
        assert result.pred_sem_seg.data.shape == (1, ) + size
        assert result.pred_sem_seg.data.max() < num_classes

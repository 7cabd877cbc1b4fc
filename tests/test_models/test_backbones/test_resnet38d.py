import math

import pytest
import torch
from torch.nn.modules.batchnorm import _BatchNorm

from mmwsss.models.backbones import ResNet38d
from mmwsss.registry import MODELS

ALL_KEYS = ('conv3', 'conv4', 'conv5', 'conv6')


def _bn_layers(model):
    return [m for m in model.modules() if isinstance(m, _BatchNorm)]


def test_default_out_keys_and_registry():
    model = MODELS.build(dict(type='ResNet38d', width_div=16))
    assert isinstance(model, ResNet38d)
    outs = model(torch.randn(1, 3, 16, 16))
    assert [o.shape[1] for o in outs] == [512 // 16, 1024 // 16, 4096 // 16]


@pytest.mark.parametrize('size', [(32, 32), (33, 40)])
def test_feature_shapes_small(size):
    torch.manual_seed(0)
    model = ResNet38d(out_keys=ALL_KEYS, width_div=8)
    h, w = size
    outs = model(torch.randn(2, 3, h, w))
    assert len(outs) == 4
    stride = {'conv3': 4, 'conv4': 8, 'conv5': 8, 'conv6': 8}
    for key, out in zip(ALL_KEYS, outs):
        assert out.shape == (2, ResNet38d.FEATURE_CHANNELS[key] // 8,
                             math.ceil(h / stride[key]),
                             math.ceil(w / stride[key]))
        assert model.feat_channels[key] == out.shape[1]
        # every named feature is a ReLU output
        assert (out >= 0).all()


def test_full_size_channels():
    torch.manual_seed(0)
    model = ResNet38d(out_keys=ALL_KEYS)
    num_params = sum(p.numel() for p in model.parameters())
    assert 100e6 < num_params < 110e6
    model.eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, 32, 32))
    assert [tuple(o.shape) for o in outs] == [(1, 256, 8, 8), (1, 512, 4, 4),
                                              (1, 1024, 4, 4), (1, 4096, 4, 4)]


def test_out_keys_order_and_early_stop():
    model = ResNet38d(out_keys=('conv5', 'conv3'), width_div=16)
    calls = []
    model.b7.register_forward_hook(lambda *args: calls.append('b7'))
    model.b6.register_forward_hook(lambda *args: calls.append('b6'))
    conv5, conv3 = model(torch.randn(1, 3, 16, 16))
    assert conv5.shape[1] == 1024 // 16 and conv3.shape[1] == 256 // 16
    # conv5 comes out of b6: b7 does not run
    assert calls == ['b6']


def test_features_are_preactivated_block_inputs():
    model = ResNet38d(out_keys=ALL_KEYS, width_div=16).eval()
    inputs = {}

    def store_input(module, args):
        inputs[module] = args[0]

    for name in ('b4', 'b5', 'b6'):
        getattr(model, name).register_forward_pre_hook(store_input)
    conv3, conv4, conv5, _ = model(torch.randn(1, 3, 16, 16))
    for feat, block in zip((conv3, conv4, conv5),
                           (model.b4, model.b5, model.b6)):
        expected = torch.relu(block.bn_branch2a(inputs[block]))
        assert torch.equal(feat, expected)


def test_parameter_names():
    model = ResNet38d(width_div=16)
    keys = set(model.state_dict())
    for key in ('conv1a.weight', 'b2.bn_branch2a.weight',
                'b2.conv_branch1.weight', 'b3_2.bn_branch2b1.running_mean',
                'b4_5.conv_branch2b1.weight', 'b5.conv_branch1.weight',
                'b6.bn_branch2b2.running_var', 'b6.conv_branch2b2.weight',
                'b7.conv_branch1.weight', 'bn7.bias'):
        assert key in keys, key
    # identity shortcuts where the shape is kept
    assert 'b2_1.conv_branch1.weight' not in keys
    assert 'b5_2.conv_branch1.weight' not in keys
    assert 'b4_6.conv_branch2a.weight' not in keys
    # every convolution is bias-free
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    # conv1a + 2 per block + a projection shortcut for b2, b3, b4, b5 + 4 in
    # each of b6 and b7
    assert len(convs) == 1 + 2 * 15 + 4 + 2 * 4
    assert all(conv.bias is None for conv in convs)


def test_strides_and_dilations():
    model = ResNet38d(width_div=16)
    assert model.b4.conv_branch2a.stride == (2, 2)
    assert model.b5.conv_branch2a.stride == (1, 1)
    assert model.b5.conv_branch1.stride == (1, 1)
    assert model.b5.conv_branch2a.dilation == (1, 1)
    assert model.b5.conv_branch2b1.dilation == (2, 2)
    for name in ('b5_1', 'b5_2'):
        block = getattr(model, name)
        for conv in (block.conv_branch2a, block.conv_branch2b1):
            assert conv.dilation == conv.padding == (2, 2)
    for name in ('b6', 'b7'):
        block = getattr(model, name)
        assert block.conv_branch2b1.dilation == (4, 4)
        assert block.conv_branch2b1.padding == (4, 4)
        assert block.conv_branch2a.kernel_size == (1, 1)
        assert block.conv_branch2a.stride == (1, 1)
    assert model.b6.dropout_2b1.p == 0.3 and model.b7.dropout_2b2.p == 0.5
    # the deepest features keep 1/8 of the input size
    model = ResNet38d(out_keys=('conv6', ), width_div=16)
    conv6, = model(torch.randn(1, 3, 64, 48))
    assert conv6.shape[2:] == (8, 6)


def test_default_freezing():
    model = ResNet38d(width_div=16)
    model.train()
    frozen = ('conv1a.', 'b2.', 'b2_1.', 'b2_2.')
    for name, param in model.named_parameters():
        if name.startswith(frozen) or '.bn_' in name or name.startswith(
                'bn7.'):
            assert not param.requires_grad, name
        else:
            assert param.requires_grad, name
    assert all(not bn.training for bn in _bn_layers(model))
    # dropout stays active in training
    assert model.b7.dropout_2b2.training
    assert model.b3.conv_branch2a.training

    before = model.b3.bn_branch2a.running_mean.clone()
    out = model(torch.randn(2, 3, 16, 16))
    assert torch.equal(before, model.b3.bn_branch2a.running_mean)
    sum(o.sum() for o in out).backward()
    assert model.conv1a.weight.grad is None
    assert model.b2_2.conv_branch2b1.weight.grad is None
    assert model.b3.conv_branch2a.weight.grad is not None
    assert model.bn7.weight.grad is None


def test_custom_freezing():
    model = ResNet38d(
        frozen_stages=-1, norm_eval=False, freeze_norm=False, width_div=16)
    model.train()
    assert all(p.requires_grad for p in model.parameters())
    assert all(bn.training for bn in _bn_layers(model))
    before = model.b3.bn_branch2a.running_mean.clone()
    model(torch.randn(2, 3, 16, 16))
    assert not torch.equal(before, model.b3.bn_branch2a.running_mean)

    model = ResNet38d(frozen_stages=3, norm_eval=False, width_div=16)
    model.train()
    assert not model.b4_5.conv_branch2b1.weight.requires_grad
    assert not model.b4_5.bn_branch2a.training
    assert model.b5.conv_branch2a.weight.requires_grad
    assert model.b5.bn_branch2a.training
    assert not model.b5.bn_branch2a.weight.requires_grad

    model.eval()
    assert not any(m.training for m in model.modules())


@pytest.mark.parametrize('kwargs', [
    dict(out_keys=('conv7', )),
    dict(out_keys=()),
    dict(frozen_stages=7),
    dict(frozen_stages=-2),
    dict(width_div=3),
    dict(width_div=0),
    dict(dropout=(0.1, )),
])
def test_invalid_args(kwargs):
    with pytest.raises(ValueError):
        ResNet38d(**kwargs)


def test_pretrained_init_cfg(tmp_path):
    torch.manual_seed(0)
    source = ResNet38d(width_div=16)
    for buf in source.buffers():
        buf.random_(1, 5)
    path = tmp_path / 'r38.pth'
    torch.save({'state_dict': source.state_dict()}, path)
    model = ResNet38d(
        width_div=16, init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    model.init_weights()
    for key, value in source.state_dict().items():
        assert torch.equal(value, model.state_dict()[key]), key

import math
import re

import pytest
import torch
from torch.nn.modules.batchnorm import _BatchNorm

from mmwsss.models.backbones import EfficientNetLite
from mmwsss.registry import MODELS

CHANNELS = (16, 24, 40, 80, 112, 192, 320)
STRIDES = {
    32: (2, 4, 8, 16, 16, 32, 32),
    16: (2, 4, 8, 16, 16, 16, 16),
    8: (2, 4, 8, 8, 8, 8, 8),
}


@pytest.mark.parametrize('output_stride', [32, 16, 8])
@pytest.mark.parametrize('size', [(65, 73), (64, 72)])
def test_stage_shapes(output_stride, size):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='EfficientNetLite',
            out_indices=range(7),
            output_stride=output_stride)).eval()
    h, w = size
    with torch.no_grad():
        outs = model(torch.randn(1, 3, h, w))
    assert [tuple(out.shape) for out in outs
            ] == [(1, c, math.ceil(h / s), math.ceil(w / s))
                  for c, s in zip(CHANNELS, STRIDES[output_stride])]


def test_out_indices_and_head():
    x = torch.randn(2, 3, 40, 56)
    model = EfficientNetLite().eval()
    with torch.no_grad():
        last, = model(x)
        stages = EfficientNetLite(out_indices=(6, 2)).eval()
        stages.load_state_dict(model.state_dict())
        outs = stages(x)
    assert torch.equal(outs[1], last)
    assert [out.shape[1] for out in outs] == [40, 320]
    # the stage outputs are linear projections, the head is a ReLU6
    assert last.min() < 0
    model = EfficientNetLite(out_indices=(6, 7), with_head=True).eval()
    with torch.no_grad():
        _, head = model(x)
    assert head.shape == (2, 1280, 2, 2)
    assert 0 <= head.min() and head.max() <= 6


def _depthwise(model):
    """(stride, dilation) of every depthwise convolution, by stage."""
    return [[(b.depthwise_conv.conv.stride[0],
              b.depthwise_conv.conv.dilation[0]) for b in getattr(model, name)]
            for name in model.layers]


def test_strides_become_dilations():
    # (stride, dilation) of the depthwise convolutions of layer1 ... layer7
    os32 = [[(1, 1)], [(2, 1), (1, 1)], [(2, 1), (1, 1)],
            [(2, 1), (1, 1), (1, 1)], [(1, 1)] * 3,
            [(2, 1), (1, 1), (1, 1), (1, 1)], [(1, 1)]]
    os16 = os32[:5] + [[(1, 1), (1, 2), (1, 2), (1, 2)], [(1, 2)]]
    os8 = os32[:3] + [[(1, 1), (1, 2), (1, 2)], [(1, 2)] * 3]
    os8 += [[(1, 2), (1, 4), (1, 4), (1, 4)], [(1, 4)]]
    for output_stride, expected in ((32, os32), (16, os16), (8, os8)):
        assert _depthwise(
            EfficientNetLite(output_stride=output_stride)) == expected
    # the shortcuts stay where the pretrained network has them
    shortcuts = [[False], [False, True], [False, True], [False, True, True],
                 [False, True, True], [False, True, True, True], [False]]
    for output_stride in (32, 8):
        model = EfficientNetLite(output_stride=output_stride)
        assert [[b.with_res_shortcut for b in getattr(model, name)]
                for name in model.layers] == shortcuts


def test_equals_the_package_model_on_odd_sizes():
    """Same network as the package's with TensorFlow's 'SAME' padding
    computed at run time, at odd and even sizes, in the tensor order of its
    state dict."""
    efficientnet = pytest.importorskip(
        'efficientnet_lite_pytorch', reason='see requirements/benchmark.txt')
    torch.manual_seed(0)
    reference = efficientnet.EfficientNet.from_name(
        'efficientnet-lite0', image_size=None).eval()
    # running statistics far from (0, 1), so that BN's eps matters
    for module in reference.modules():
        if isinstance(module, _BatchNorm):
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.05, 0.2)
    model = EfficientNetLite(out_indices=(7, ), with_head=True).eval()
    tensors = list(reference.state_dict().values())[:-2]  # without the fc
    model.load_state_dict(dict(zip(model.state_dict(), tensors)))
    x = torch.randn(2, 3, 37, 50)
    with torch.no_grad():
        expected = reference.extract_features(x)
        feature, = model(x)
    assert expected.shape == (2, 1280, 2, 2)
    torch.testing.assert_close(feature, expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize('arch', ['lite0', 'lite1', 'lite2', 'lite3', 'lite4'])
def test_arch_settings_match_the_package(arch):
    efficientnet = pytest.importorskip(
        'efficientnet_lite_pytorch', reason='see requirements/benchmark.txt')
    with torch.device('meta'):
        reference = efficientnet.EfficientNet.from_name(f'efficientnet-{arch}')
        model = EfficientNetLite(arch=arch, with_head=True)
    shapes = [v.shape for v in reference.state_dict().values()][:-2]
    assert [v.shape for v in model.state_dict().values()] == shapes


def test_frozen_stages():
    model = EfficientNetLite(frozen_stages=2)
    model.train()
    for name, param in model.named_parameters():
        frozen = name.startswith(('conv1.', 'layer1.', 'layer2.'))
        assert param.requires_grad != frozen, name
    assert not model.conv1.bn.training and not model.layer2[1].training
    assert model.layer3[0].depthwise_conv.bn.training
    before = model.layer2[1].expand_conv.bn.running_mean.clone()
    model(torch.randn(2, 3, 32, 32))
    assert torch.equal(model.layer2[1].expand_conv.bn.running_mean, before)


def test_norm_eval():
    model = EfficientNetLite(norm_eval=True)
    model.train()
    bns = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    assert len(bns) == 1 + 2 + 3 * 15
    assert not any(bn.training for bn in bns)
    assert all(p.requires_grad for p in model.parameters())
    before = [bn.running_var.clone() for bn in bns]
    model(torch.randn(2, 3, 32, 32))
    assert all(torch.equal(bn.running_var, b) for bn, b in zip(bns, before))
    # without norm_eval the statistics move
    model = EfficientNetLite().train()
    model(torch.randn(2, 3, 32, 32))
    assert not torch.equal(model.conv1.bn.running_var, torch.ones(32))


@pytest.mark.parametrize('kwargs, message', [
    (dict(arch='lite5'), "arch must be one of ['lite0', 'lite1', 'lite2', "
     "'lite3', 'lite4'], got 'lite5'."),
    (dict(output_stride=4), 'output_stride must be 8, 16 or 32, got 4.'),
    (dict(out_indices=(7, )), 'out_indices must be a non-empty subset of '
     'range(7) (with_head=False), got (7,).'),
    (dict(out_indices=()), 'non-empty subset of range(7)'),
    (dict(frozen_stages=9,
          with_head=True), 'frozen_stages must be in [-1, 8], got 9.'),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        EfficientNetLite(**kwargs)

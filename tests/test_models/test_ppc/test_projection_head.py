import math

import torch

import mmwsss.models.ppc  # noqa: F401 (registers)
from mmwsss.registry import MODELS


def test_projection_head():
    head = MODELS.build(
        dict(type='ProjectionHead', in_channels=16, channels=8))
    assert head.conv.kernel_size == (1, 1)
    assert head.conv.bias is None
    head.init_weights()
    bound = math.sqrt(6 / (16 + 8))  # Xavier-uniform
    assert head.conv.weight.abs().max() <= bound
    assert head.conv.weight.abs().max() > 0.8 * bound
    x = torch.randn(2, 16, 3, 5)
    out = head(x)
    assert out.shape == (2, 8, 3, 5)
    assert (out >= 0).all()
    expected = torch.einsum('oc,nchw->nohw', head.conv.weight[:, :, 0, 0],
                            x).relu()
    torch.testing.assert_close(out, expected)


def test_projection_head_defaults():
    head = MODELS.build(dict(type='ProjectionHead'))
    assert (head.conv.in_channels, head.conv.out_channels) == (4096, 128)

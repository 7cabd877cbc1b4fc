import pytest
import torch
from mmcv.cnn.bricks import Conv2dAdaptivePadding

from mmwsss.models.layers import SamePaddingConv2d


@pytest.mark.parametrize('kernel,stride,dilation,padding', [
    (3, 1, 1, 0), (5, 1, 2, 0), (3, 1, 4, 0), (1, 1, 1, 0), (3, 2, 1, 0),
    (5, 2, 1, 0), (2, 1, 1, 0), (3, 1, 1, 1)
])
@pytest.mark.parametrize('size', [(9, 12), (16, 16)])
def test_equals_adaptive_padding(kernel, stride, dilation, padding, size):
    """Values and gradients of mmcv's 'SAME' convolution, whichever path
    (the convolution's own padding or the explicit one) is taken."""
    torch.manual_seed(0)
    kwargs = dict(
        kernel_size=kernel,
        stride=stride,
        dilation=dilation,
        padding=padding,
        groups=4)
    ours, theirs = SamePaddingConv2d(8, 8, **kwargs), Conv2dAdaptivePadding(
        8, 8, **kwargs)
    theirs.load_state_dict(ours.state_dict())
    x = torch.randn(2, 8, *size)
    outs, grads = [], []
    for conv in (ours, theirs):
        leaf = x.clone().requires_grad_()
        out = conv(leaf)
        out.backward(torch.arange(out.numel()).view_as(out).float().cos())
        outs.append(out)
        grads.append((leaf.grad, conv.weight.grad))
    assert outs[0].shape == outs[1].shape
    torch.testing.assert_close(outs[0], outs[1], rtol=1e-5, atol=1e-5)
    for ours_grad, their_grad in zip(*grads):
        torch.testing.assert_close(ours_grad, their_grad, rtol=1e-5,
                                   atol=1e-5)

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmwsss.datasets.transforms import TwoViewTransform
from mmwsss.models.utils import ViewWarp


def test_default_relation_equals_interpolate():
    x = torch.randn(2, 5, 56, 40)
    rel = dict(
        src_shape=(448, 320),
        dst_shape=(128, 128),
        scale=(128 / 448, 128 / 320),
        offset=(0, 0),
        flip=False)
    warp = ViewWarp([rel, rel], (16, 16), x.device)
    expected = F.interpolate(
        x, size=(16, 16), mode='bilinear', align_corners=False)
    assert torch.allclose(warp(x), expected, atol=1e-5)
    assert warp.valid.all()


@pytest.mark.parametrize('kwargs', [
    dict(size=(64, 64), flip_prob=1.),
    dict(size=(64, 64), scale_range=(1.5, 1.5)),
    dict(size=(64, 64), scale_range=(0.7, 0.7), flip_prob=1.),
])
def test_warped_view1_matches_view2(kwargs):
    """Warping view 1 by the recorded relation reproduces view 2."""
    np.random.seed(0)
    h, w = 96, 128
    ys, xs = np.mgrid[:h, :w]
    img = np.stack([
        np.sin(ys / 9.) * 100 + 120,
        np.cos(xs / 11.) * 100 + 120, (ys + xs) % 200
    ], -1).astype(np.uint8)
    out = TwoViewTransform(
        pad_val=(0, 0, 0), **kwargs)(
            dict(img=img, img_shape=(h, w)))
    view1 = torch.from_numpy(img).permute(2, 0, 1)[None].float()
    view2 = torch.from_numpy(out['view2_img']).permute(2, 0, 1)[None].float()
    warp = ViewWarp([out['view_relation']], view2.shape[-2:], view1.device)
    warped = warp(view1)
    valid = warp.valid[0]
    if kwargs.get('scale_range', (1, 1))[0] < 1:
        assert not valid.all() and valid.any()  # view 2 was padded
    else:
        assert valid.all()
    # compare away from the borders of the valid region
    inner = F.max_pool2d((~valid).float()[None, None], 5, 1, 2)[0, 0] == 0
    err = (warped[0] - view2[0]).abs().mean(0)[inner]
    assert err.mean() < 4 and err.max() < 40

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmwsss.datasets.transforms import TwoViewTransform
from mmwsss.models.utils import ViewWarp


@pytest.mark.parametrize('align_corners', (True, False))
def test_default_relation_equals_interpolate(align_corners):
    """A pure resize is F.interpolate in either convention."""
    torch.manual_seed(0)
    x = torch.randn(2, 5, 56, 40)
    rel = dict(
        src_shape=(448, 320),
        dst_shape=(128, 128),
        scale=(128 / 448, 128 / 320),
        offset=(0, 0),
        flip=False)
    warp = ViewWarp([rel, rel], (16, 16), x.device, align_corners)
    expected = F.interpolate(
        x, size=(16, 16), mode='bilinear', align_corners=align_corners)
    assert warp.is_resize
    # The two matrix products of the resize round differently from
    # F.interpolate, by a few float32 ulps of the largest magnitude.
    tol = 1e-6 * x.abs().max().item()
    torch.testing.assert_close(warp(x), expected, rtol=0, atol=tol)
    leaf = x.clone().requires_grad_()
    grad_out = torch.randn_like(expected)
    warp(leaf).backward(grad_out)
    ref = x.clone().requires_grad_()
    F.interpolate(
        ref, size=(16, 16), mode='bilinear',
        align_corners=align_corners).backward(grad_out)
    torch.testing.assert_close(
        leaf.grad, ref.grad, rtol=0, atol=1e-6 * grad_out.abs().max().item())
    assert leaf.grad.is_contiguous()
    # The grid sampling a resize shortcuts gives the same to float
    # precision: 1e-5 of the largest magnitude.
    warp.is_resize = False
    torch.testing.assert_close(
        warp(x), expected, rtol=1e-5, atol=1e-5 * x.abs().max().item())
    assert warp.valid.all()
    flipped = ViewWarp([rel, dict(rel, flip=True)], (16, 16), x.device,
                       align_corners)
    assert not flipped.is_resize


@pytest.mark.parametrize('scale', (1.5, 0.5))
def test_align_corners_maps_region_corners_to_corners(scale):
    """With ``align_corners=True`` the corner samples of view 2 fall on the
    corners of the region of view 1 it shows (flipped here), evenly spaced
    in between: checked on maps holding their own row / column index."""
    h1, w1, h2, w2 = 96, 128, 64, 64
    rel = dict(
        src_shape=(h1, w1),
        dst_shape=(h2, w2),
        scale=(h2 * scale / h1, w2 * scale / w1),
        offset=(10, 20) if scale > 1 else (-10, -20),
        flip=True)
    size1, size2 = (12, 16), (8, 8)  # stride 8
    rows, cols = torch.meshgrid(
        torch.arange(size1[0]).float(),
        torch.arange(size1[1]).float(),
        indexing='ij')
    warp = ViewWarp([rel], size2, rows.device)
    out = warp(torch.stack([rows, cols])[None])[0]

    def positions(offset, rel_scale, src, dst, n1, n2, flip=False):
        # the region of view 1 (fractions of its extent) spread over n2
        low, high = offset / (rel_scale * src), (offset + dst) / (
            rel_scale * src)
        t = torch.linspace(0, 1, n2)
        frac = high - (high - low) * t if flip else low + (high - low) * t
        return frac * (n1 - 1)

    ys = positions(rel['offset'][0], rel['scale'][0], h1, h2, size1[0],
                   size2[0])
    xs = positions(
        rel['offset'][1],
        rel['scale'][1],
        w1,
        w2,
        size1[1],
        size2[1],
        flip=True)
    inside = (ys[:, None] >= 0) & (ys[:, None] <= size1[0] - 1) & (xs >= 0) & (
        xs <= size1[1] - 1)
    assert torch.equal(warp.valid[0], inside)
    assert inside.all() == (scale > 1)
    expected_rows = ys.clamp(0, size1[0] - 1)[:, None].expand(size2)
    expected_cols = xs.clamp(0, size1[1] - 1)[None].expand(size2)
    torch.testing.assert_close(out[0], expected_rows, rtol=0, atol=1e-4)
    torch.testing.assert_close(out[1], expected_cols, rtol=0, atol=1e-4)


@pytest.mark.parametrize('kwargs', [
    dict(size=(64, 64), flip_prob=1.),
    dict(size=(64, 64), flip_prob=1., align_corners=True),
    dict(size=(64, 64), scale_range=(1.5, 1.5)),
    dict(size=(64, 64), scale_range=(0.7, 0.7), flip_prob=1.),
])
def test_warped_view1_matches_view2(kwargs):
    """Warping view 1 by the recorded relation reproduces view 2, with the
    pipeline and the warp in the same convention (the authors' aligned
    corners for a resized view 2, pixel centres for any relation)."""
    kwargs = {'align_corners': False, **kwargs}
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
    warp = ViewWarp([out['view_relation']],
                    view2.shape[-2:],
                    view1.device,
                    align_corners=kwargs['align_corners'])
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

"""Alignment tests of the geometric transforms and the two-view relation."""
import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmwsss.datasets.transforms import (RandomCropPad, RandomResizeLong,
                                        TwoViewTransform)
from mmwsss.structures import view1_to_view2


def _results(h=60, w=90, seed=0):
    """An image whose colour encodes position, a mask and a saliency map."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[:h, :w]
    img = np.stack(
        [ys * 255 // h, xs * 255 // w,
         rng.integers(0, 255, (h, w))], -1).astype(np.uint8)
    mask = np.zeros((h, w), np.uint8)
    mask[h // 4:h // 2, w // 3:w // 2] = 7
    sal = (mask > 0).astype(np.float32)
    return dict(
        img=img,
        img_shape=(h, w),
        gt_seg_map=mask,
        gt_saliency=sal,
        seg_fields=['gt_seg_map', 'gt_saliency'])


def _assert_aligned(results):
    """Mask and saliency mark the same pixels; the image follows."""
    mask, sal = results['gt_seg_map'], results['gt_saliency']
    assert mask.shape == sal.shape == results['img'].shape[:2]
    # bilinear saliency vs nearest-neighbour mask (mmcv's convention): they
    # may differ on a thin boundary band only, never by a shift
    inner = cv2.erode((mask == 7).astype(np.uint8), np.ones((5, 5)))
    outer = cv2.dilate((mask == 7).astype(np.uint8), np.ones((5, 5)))
    assert inner.any()
    assert (sal[inner > 0] > 0.99).all()
    assert (sal[outer == 0] < 0.01).all()


def test_random_resize_long_keeps_alignment_and_aspect():
    np.random.seed(0)
    t = RandomResizeLong(100, 140)
    for _ in range(5):
        out = t(_results())
        h, w = out['img'].shape[:2]
        assert 100 <= max(h, w) <= 140
        assert abs(w / h - 1.5) < 0.05
        _assert_aligned(out)
        assert out['img_shape'] == (h, w)


def test_random_resize_long_rejects_bad_range():
    with pytest.raises(ValueError, match='min_long'):
        RandomResizeLong(50, 10)


@pytest.mark.parametrize('crop', [(40, 40), (80, 120)])
def test_random_crop_pad_alignment_and_offset(crop):
    np.random.seed(1)
    src = _results()
    t = RandomCropPad(crop, pad_val=(1, 2, 3))
    out = t(dict(src, seg_fields=list(src['seg_fields'])))
    assert out['img'].shape[:2] == crop
    oy, ox = out['crop_offset']
    # every output pixel inside the source equals the source pixel
    for y in range(crop[0]):
        for x in (0, crop[1] - 1):
            sy, sx = y + oy, x + ox
            if 0 <= sy < 60 and 0 <= sx < 90:
                assert (out['img'][y, x] == src['img'][sy, sx]).all()
                assert out['gt_seg_map'][y, x] == src['gt_seg_map'][sy, sx]
            else:
                assert tuple(out['img'][y, x]) == (1, 2, 3)
                assert out['gt_seg_map'][y, x] == 255
                assert out['gt_saliency'][y, x] == 0


def _marker_image(h, w, y, x):
    img = np.zeros((h, w, 3), np.uint8)
    img[y - 2:y + 3, x - 2:x + 3] = 255
    return img


def _centroid(img):
    ys, xs = np.nonzero(img[..., 0] > 100)
    return ys.mean() + 0.5, xs.mean() + 0.5


@pytest.mark.parametrize('kwargs', [
    dict(),
    dict(size=(48, 64), flip_prob=1.),
    dict(size=(64, 64), scale_range=(1.5, 1.5)),
    dict(
        size=(64, 64), scale_range=(0.6, 0.6), flip_prob=1.,
        pad_val=(0, 0, 0)),
])
def test_two_view_relation_maps_points(kwargs):
    """A marker at a point of view 1 appears where the relation says."""
    np.random.seed(3)
    h, w, y, x = 120, 160, 50, 70
    results = dict(img=_marker_image(h, w, y, x), img_shape=(h, w))
    out = TwoViewTransform(**kwargs)(results)
    rel = out['view_relation']
    assert rel['src_shape'] == (h, w)
    assert out['view2_img'].shape[:2] == rel['dst_shape']
    expected = view1_to_view2(np.array([y + 0.5, x + 0.5]), rel)
    found = _centroid(out['view2_img'])
    assert np.allclose(found, expected, atol=1.0), (found, expected, rel)


def test_two_view_default_is_fixed_resize_and_carries_saliency():
    np.random.seed(0)
    src = _results()
    out = TwoViewTransform()(src)
    rel = out['view_relation']
    assert rel['dst_shape'] == (128, 128)
    assert rel['scale'] == (128 / 60, 128 / 90)
    assert rel['offset'] == (0, 0) and rel['flip'] is False
    assert out['view2_saliency'].shape == (128, 128)
    # saliency of view 2 marks the resized object region
    ys, xs = np.nonzero(out['view2_saliency'] > 0.5)
    corners = view1_to_view2(np.array([[15, 30], [30, 45]]), rel)
    assert ys.min() >= corners[0, 0] - 1 and ys.max() <= corners[1, 0] + 1
    assert xs.min() >= corners[0, 1] - 1 and xs.max() <= corners[1, 1] + 1


def test_two_view_resizes_as_the_authors_interpolate():
    """View 2 is F.interpolate(bilinear, align_corners=True) of view 1 (the
    authors resize the normalised batch so), in float32; the pixel-centre
    imresize stays an option."""
    src = _results()
    out = TwoViewTransform(size=(32, 40))(dict(src))
    planes = torch.from_numpy(src['img'].astype(np.float32)).permute(2, 0, 1)
    expected = F.interpolate(
        planes[None], (32, 40), mode='bilinear', align_corners=True)[0]
    assert out['view2_img'].dtype == np.float32
    np.testing.assert_allclose(out['view2_img'],
                               expected.permute(1, 2, 0).numpy(), atol=1e-4)
    saliency = F.interpolate(
        torch.from_numpy(src['gt_saliency'].astype(np.float32))[None, None],
        (32, 40), mode='bilinear', align_corners=True)[0, 0]
    np.testing.assert_allclose(out['view2_saliency'], saliency.numpy(),
                               atol=1e-6)
    legacy = TwoViewTransform(size=(32, 40), align_corners=False)(dict(src))
    assert legacy['view2_img'].dtype == src['img'].dtype
    assert not np.allclose(legacy['view2_img'], out['view2_img'], atol=1)


def test_two_view_rejects_bad_arguments():
    with pytest.raises(ValueError, match='size'):
        TwoViewTransform(size=(0, 5))
    with pytest.raises(ValueError, match='scale_range'):
        TwoViewTransform(scale_range=(2., 1.))
    with pytest.raises(ValueError, match='flip_prob'):
        TwoViewTransform(flip_prob=2.)

import numpy as np
import pytest

from mmwsss.datasets.transforms import ColorJitter


def _img():
    return np.random.default_rng(0).integers(
        20, 230, (16, 16, 3), dtype=np.uint8)


def test_zero_jitter_is_identity():
    img = _img()
    out = ColorJitter()(dict(img=img.copy()))['img']
    assert (out == img).all()


def test_brightness_factor_within_range():
    img = _img()
    np.random.seed(0)
    ratios = []
    for _ in range(20):
        out = ColorJitter(brightness=0.3)(dict(img=img.copy()))['img']
        assert out.dtype == np.uint8 and out.shape == img.shape
        ratios.append(out.astype(float).mean() / img.astype(float).mean())
    assert 0.69 <= min(ratios) and max(ratios) <= 1.31
    assert max(ratios) - min(ratios) > 0.2  # it does jitter


def test_full_jitter_is_seeded():
    img = _img()
    t = ColorJitter(0.3, 0.3, 0.3, 0.1)
    np.random.seed(5)
    a = t(dict(img=img.copy()))['img']
    np.random.seed(5)
    b = t(dict(img=img.copy()))['img']
    assert (a == b).all() and (a != img).any()


@pytest.mark.parametrize('kwargs,name', [(dict(brightness=-1), 'brightness'),
                                         (dict(hue=0.7), 'hue')])
def test_rejects_bad_values(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ColorJitter(**kwargs)


@pytest.mark.parametrize('factor', [-0.3, 0.2])
def test_hue_matches_mmcv_where_mmcv_works(factor):
    import mmcv

    from mmwsss.datasets.transforms.color_jitter import adjust_hue
    img = _img()
    ours = adjust_hue(img, factor)
    assert ours.dtype == np.uint8 and (ours != img).any()
    if factor >= 0:  # mmcv overflows on negative factors with numpy 2
        assert (ours == mmcv.adjust_hue(img, factor)).all()
    # a shift and its opposite cancel up to rounding of the conversions
    back = adjust_hue(ours, -factor)
    assert np.abs(back.astype(int) - img).max() <= 12

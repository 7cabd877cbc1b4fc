"""CAM inference: PIL-exact resize, normalisation, and the authors'
inference scripts side by side (``tests/data/authors/inference.pt``)."""
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from authors_standin import (METHOD_CFGS, build_standin_classifier,
                             predict_images)
from PIL import Image

from mmwsss.models.utils.multiscale_cam import (image_pixels, multiscale_cam,
                                                normalize_cam,
                                                normalize_pixels,
                                                pil_bicubic_resize,
                                                pil_bicubic_weights,
                                                resize_image, scaled_size)

FIXTURE = osp.join(
    osp.dirname(__file__), '..', '..', 'data', 'authors', 'inference.pt')
MEAN = torch.tensor([123.675, 116.28, 103.53]).view(3, 1, 1)
STD = torch.tensor([58.395, 57.12, 57.375]).view(3, 1, 1)
# SEAM's inference choices, until they are SEAM's test_cfg defaults
SEAM_TEST_CFG = dict(
    seam=dict(cam_norm='minmax', cam_upsample='via_input'),
    seam_ppc=dict(cam_norm='minmax', cam_upsample='via_input'))


def random_image(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A uint8 RGB image with smooth parts, edges and noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:h, :w]
    img = np.stack(
        [128 + 100 * np.sin(x / (4 + c)) * np.cos(y / 5) for c in range(3)],
        -1)
    img[h // 3:h // 2, w // 4:w // 2] = (250, 10, 30)
    img = img + rng.normal(0, 30, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


# ------------------------------------------------------------ image resize
@pytest.mark.parametrize('shape', [(37, 45), (64, 48), (29, 42), (5, 9)])
@pytest.mark.parametrize('scale', [0.5, 1.5, 2.0, 0.3, 0.75])
def test_pil_bicubic_resize_equals_pillow(shape, scale):
    img = random_image(*shape)
    h, w = scaled_size(shape, scale)
    expected = np.array(
        Image.fromarray(img).resize((w, h), resample=Image.BICUBIC))
    pixels = torch.from_numpy(img).permute(2, 0, 1)[None].float()
    out = resize_image(pixels, (h, w))
    assert torch.equal(out[0].permute(1, 2, 0).byte(),
                       torch.from_numpy(expected))
    # in NCHW order: a channels-last image would make the network's
    # convolutions run in another memory format, with other roundings
    assert out.is_contiguous()
    # off the CPU, the same bytes come from tensor operations
    assert torch.equal(pil_bicubic_resize(pixels.double(), (h, w)),
                       out.double())
    # the same through the normalisation of the data preprocessor
    out = resize_image((pixels - MEAN) / STD, (h, w), mean=MEAN, std=STD)
    torch.testing.assert_close(
        out,
        (torch.from_numpy(expected).permute(2, 0, 1)[None].float() - MEAN) /
        STD)


@pytest.mark.parametrize(
    'mean, std',
    [(MEAN, STD), (torch.full((3, 1, 1), 127.), torch.full((3, 1, 1), 128.)),
     # float32 arithmetic differs from float64's at some levels here
     (torch.tensor([0.1, 12.34, 0.1]).view(3, 1, 1),
      torch.tensor([3.3, 0.77, 3.3]).view(3, 1, 1)), (None, None)])
def test_pixels_normalised_as_in_float64(mean, std):
    """The numbers of float64 arithmetic cast to float32, whichever
    precision computes them; image_pixels inverts it."""
    pixels = torch.from_numpy(random_image(7, 9)).permute(2, 0, 1)[None]
    low = 0. if mean is None else mean.double()
    scale = 1. if std is None else std.double()
    expected = ((pixels.double() - low) / scale).float()
    out = normalize_pixels(pixels, torch.float32, mean, std)
    assert out.dtype == torch.float32 and torch.equal(out, expected)
    assert torch.equal(image_pixels(out, mean, std), pixels.double())


def test_pil_bicubic_weights_rows_sum_to_one_in_fixed_point():
    for n_in, n_out in ((45, 22), (45, 68), (10, 3)):
        weights = pil_bicubic_weights(n_in, n_out)
        assert weights.shape == (n_out, n_in)
        assert (weights == weights.round()).all()
        # Pillow's rounding of each tap leaves the sums within a few units
        assert (weights.sum(1) - 2**22).abs().max() <= 8
    # downsampling by 2 widens the kernel: 8 taps inside the image
    assert (pil_bicubic_weights(44, 22)[10] != 0).sum() == 8


def test_bilinear_resize_and_size_check():
    img = torch.randn(1, 3, 10, 12)
    torch.testing.assert_close(
        resize_image(img, (5, 6), 'bilinear'),
        F.interpolate(img, size=(5, 6), mode='bilinear'))
    assert resize_image(img, (10, 12)) is img
    with pytest.raises(ValueError, match="img_resize must be one of"):
        resize_image(img, (5, 6), 'nearest')


def test_scaled_size_rounds_halves_to_even_as_python():
    assert scaled_size((37, 45), 0.5) == (18, 22)  # 18.5, 22.5
    assert scaled_size((37, 45), 1.5) == (56, 68)  # 55.5, 67.5
    assert scaled_size((29, 42), 0.5) == (14, 21)


# ---------------------------------------------------------- multi-scale
def test_multiscale_cam_sums_resized_flipped_maps():
    conv = torch.nn.Conv2d(3, 2, 3, stride=2, padding=1)
    inputs = torch.randn(2, 3, 11, 13)
    size = (7, 9)
    with torch.no_grad():
        got = multiscale_cam(
            conv,
            inputs, (0.5, 1.5),
            True,
            out_size=size,
            img_resize='bilinear',
            cam_upsample='via_input')
        expected = 0
        for scale in (0.5, 1.5):
            hw = scaled_size((11, 13), scale)
            x = F.interpolate(inputs, size=hw, mode='bilinear')
            for flip in (False, True):
                cam = conv(x.flip(-1) if flip else x)
                cam = F.interpolate(
                    cam, size=hw, mode='bilinear', align_corners=True)
                cam = F.interpolate(cam, size=size, mode='bilinear')
                expected = expected + (cam.flip(-1) if flip else cam)
    torch.testing.assert_close(got, expected)
    with pytest.raises(ValueError, match='cam_upsample must be one of'):
        multiscale_cam(conv, inputs, (1.0, ), cam_upsample='input')


# ----------------------------------------------------------- normalisation
def test_normalize_cam_modes():
    cam = torch.tensor([[[[2., 4., 6.]], [[0., 0., 0.]], [[-1., 3., 5.]]]])
    labels = torch.tensor([[1., 1., 1.]])
    torch.testing.assert_close(
        normalize_cam(cam, labels, 'max'),
        torch.tensor([[[[2., 4., 6.]], [[0., 0., 0.]], [[-1., 3., 5.]]]]) /
        torch.tensor([6., 0., 5.]).view(1, 3, 1, 1).add(1e-5))
    eps = 1e-5
    minmax = normalize_cam(cam, labels, 'minmax')
    # SEAM's: the minimum of each map becomes -(min + eps) / (range + eps)
    torch.testing.assert_close(
        minmax[0, 0, 0],
        torch.tensor([-(2 + eps), 2 - eps, 4 - eps]) / (4 + eps))
    torch.testing.assert_close(minmax[0, 1, 0], torch.full((3, ), -1.))
    torch.testing.assert_close(
        minmax[0, 2, 0],
        torch.tensor([-eps, 3 - eps, 5 - eps]) / (5 + eps))
    torch.testing.assert_close(
        normalize_cam(cam, labels, 'minmax_clamp'), minmax.clamp(min=0))
    absent = normalize_cam(cam, torch.tensor([[1., 0., 0.]]), 'minmax')
    assert (absent[0, 1:] == 0).all()
    with pytest.raises(ValueError, match='cam_norm must be one of'):
        normalize_cam(cam, labels, 'sum')


# ----------------------------------------- the authors' scripts, side by side
@pytest.fixture(scope='module')
def authors():
    return torch.load(FIXTURE)


@pytest.mark.parametrize('method', list(METHOD_CFGS))
def test_predict_equals_the_authors_inference_script(authors, method):
    expected = authors['methods'][method]
    model = build_standin_classifier(method, authors['weights'],
                                     **SEAM_TEST_CFG.get(method, {}))
    out = predict_images(model, authors['images'], authors['labels'],
                         expected['bg_thr'])
    for sample, classes, cams, seeds in zip(out, authors['labels'],
                                            expected['cams'],
                                            expected['seeds']):
        torch.testing.assert_close(
            sample.pred_cam.data[sorted(classes)], cams, rtol=1e-5, atol=1e-5)
        assert torch.equal(sample.pred_sem_seg.data[0].byte(), seeds)


@pytest.mark.parametrize('method,change', [
    ('cam', dict(cam_norm='minmax_clamp')),
    ('eps', dict(cam_norm='minmax_clamp')),
    ('eps', dict(img_resize='bilinear')),
    ('seam', dict(cam_upsample='direct')),
    ('seam', dict(cam_norm='max')),
])
def test_the_fixture_tells_the_options_apart(authors, method, change):
    """Each authors' choice changes the stand-in's seeds, so the comparison
    above would catch a wrong default."""
    expected = authors['methods'][method]
    model = build_standin_classifier(
        method, authors['weights'], **{
            **SEAM_TEST_CFG.get(method, {}),
            **change
        })
    out = predict_images(model, authors['images'], authors['labels'],
                         expected['bg_thr'])
    assert any(not torch.equal(s.pred_sem_seg.data[0].byte(), seeds)
               for s, seeds in zip(out, expected['seeds']))

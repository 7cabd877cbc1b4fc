import copy
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

from mmwsss.models.ppc import (PixelPrototypeContrast,
                               pseudo_labels_and_prototypes,
                               two_view_similarity)
from mmwsss.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(__file__))))
NUM_CLASSES = 20
#: The shipped VOC SEAM + PPC plug-in with a small projection.
CONFIG = dict(
    Config.fromfile(
        osp.join(ROOT, 'configs', 'ppc',
                 'ppc-seam_r38d_1xb8-8e_voc12aug-448x448.py')).model.contrast,
    projection=dict(type='ProjectionHead', in_channels=32, channels=16))
NAMES = {'loss_cross_proto', 'loss_cross_label', 'loss_intra'}
GRID = (8, 8)


def _build(bg_index=0, **changes):
    torch.manual_seed(0)
    contrast = MODELS.build(
        dict(copy.deepcopy(CONFIG), bg_index=bg_index, **changes))
    contrast.init_weights()
    return contrast


def _warp(x):
    return F.interpolate(x, size=GRID, mode='bilinear', align_corners=False)


def _inputs(num_imgs=4, seed=0):
    """View 1 on a 16x16 grid, view 2 on 8x8; 1 to 3 classes per image."""
    generator = torch.Generator().manual_seed(seed)
    feats = (torch.randn(num_imgs, 32, 16, 16, generator=generator),
             torch.randn(num_imgs, 32, *GRID, generator=generator))
    cams = (torch.randn(
        num_imgs, NUM_CLASSES + 1, 16, 16,
        generator=generator).requires_grad_(),
            torch.randn(num_imgs, NUM_CLASSES + 1, *GRID,
                        generator=generator).requires_grad_())
    labels = torch.zeros(num_imgs, NUM_CLASSES)
    for img in range(num_imgs):
        classes = torch.randperm(NUM_CLASSES, generator=generator)
        labels[img, classes[:img % 3 + 1]] = 1
    return feats, cams, labels


def test_build_from_config():
    contrast = _build()
    assert isinstance(contrast, PixelPrototypeContrast)
    assert [loss.loss_name for loss in contrast.losses
            ] == ['loss_cross_proto', 'loss_cross_label', 'loss_intra']
    assert contrast.losses[2].prototype_miner.num_keep == 10
    with pytest.raises(ValueError, match='distinct'):
        _build(losses=[dict(type='CrossPrototypeContrastLoss')] * 2)
    with pytest.raises(ValueError,
                       match='PixelPrototypeContrast needs bg_index'):
        MODELS.build(copy.deepcopy(CONFIG))


def test_loss_wires_projection_warp_and_losses():
    contrast = _build()
    feats, cams, labels = _inputs()
    torch.manual_seed(5)
    losses = contrast.loss(feats, cams, labels, _warp)
    assert set(losses) == NAMES

    # The same from the parts: project, warp view 1, targets per view.
    projs = (_warp(contrast.projection(feats[0])),
             contrast.projection(feats[1]))
    grid_cams = (_warp(cams[0]), cams[1])
    targets = [
        pseudo_labels_and_prototypes(cam, proj, labels, 0, 0.2, 8)
        for cam, proj in zip(grid_cams, projs)
    ]
    pixel_feats = [
        F.normalize(proj, dim=1).permute(0, 2, 3, 1).reshape(-1, 16)
        for proj in projs
    ]
    pixel_labels = [target.pseudo_labels.flatten() for target in targets]
    prototypes = [target.prototypes for target in targets]
    similarity = two_view_similarity(
        torch.stack(pixel_feats), torch.stack(prototypes))
    torch.manual_seed(5)
    for loss in contrast.losses:
        expected = loss(similarity, torch.stack(pixel_labels))
        torch.testing.assert_close(losses[loss.loss_name], expected)


def test_gradients_reach_projection_not_cams():
    contrast = _build()
    feats, cams, labels = _inputs()
    feats = tuple(feat.requires_grad_() for feat in feats)
    losses = contrast.loss(feats, cams, labels, _warp)
    sum(losses.values()).backward()
    assert contrast.projection.conv.weight.grad.abs().sum() > 0
    assert all(feat.grad.abs().sum() > 0 for feat in feats)
    assert all(cam.grad is None for cam in cams)


def test_no_gradient_through_prototypes():
    """The prototypes are targets: the gradient reaches the projected
    features only through the pixel features, the same as with prototypes
    made from detached features."""
    contrast = _build()
    _, cams, labels = _inputs()
    cams = (_warp(cams[0]).detach(), cams[1].detach())
    generator = torch.Generator().manual_seed(3)
    projs = tuple(
        torch.randn(4, 16, *GRID, generator=generator).requires_grad_()
        for _ in range(2))
    torch.manual_seed(4)
    losses = contrast.loss_by_proj(projs, cams, labels)
    grads = torch.autograd.grad(sum(losses.values()), projs)

    stacked = torch.stack(projs)
    targets = pseudo_labels_and_prototypes(
        torch.stack(cams), stacked.detach(), labels, 0, 0.2, 8)
    pixel_feats = F.normalize(stacked, dim=2).permute(0, 1, 3, 4, 2)
    similarity = two_view_similarity(
        pixel_feats.flatten(1, 3), targets.prototypes)
    torch.manual_seed(4)
    expected = sum(
        loss(similarity, targets.pseudo_labels.flatten(1))
        for loss in contrast.losses)
    for grad, ref in zip(grads, torch.autograd.grad(expected, projs)):
        assert grad.abs().sum() > 0
        torch.testing.assert_close(grad, ref)


def test_bg_index_mirrored():
    feats, cams, labels = _inputs()
    torch.manual_seed(1)
    first = _build().loss(feats, cams, labels, _warp)
    last_cams = tuple(torch.cat([cam[:, 1:], cam[:, :1]], 1) for cam in cams)
    torch.manual_seed(1)
    last = _build(bg_index=-1).loss(feats, last_cams, labels, _warp)
    for name in NAMES:
        torch.testing.assert_close(first[name], last[name])
    with pytest.raises(ValueError, match='bg_index must be None, 0 or -1'):
        _build(bg_index=NUM_CLASSES)


@pytest.mark.parametrize(
    'case',
    ['one_image', 'no_foreground', 'one_pixel_class', 'two_classes_in_batch'])
def test_edge_cases_finite(case):
    contrast = _build()
    feats, cams, labels = _inputs(num_imgs=1 if case == 'one_image' else 4)
    if case == 'no_foreground':
        labels[1] = 0
    elif case == 'two_classes_in_batch':
        labels.zero_()
        labels[:, [3, 7]] = 1
    elif case == 'one_pixel_class':
        # Image 0 has only class 4, whose map is high at one view-2 position
        # and (after warping) only there in view 1.
        labels[0] = 0
        labels[0, 4] = 1
        cams = tuple(cam.detach().clone() for cam in cams)
        for cam in cams:
            cam[0] = -1
            cam[0, 5, 2, 3] = 1
        cams[0][0, 5] = F.interpolate(
            cams[1][:1, 5:6], size=(16, 16), mode='nearest')[0, 0]
    feats = tuple(feat.requires_grad_() for feat in feats)
    losses = contrast.loss(feats, cams, labels, _warp)
    assert set(losses) == NAMES
    assert all(torch.isfinite(value) for value in losses.values())
    sum(losses.values()).backward()
    assert all(torch.isfinite(feat.grad).all() for feat in feats)


def test_valid_mask():
    contrast = _build()
    feats, cams, labels = _inputs()
    valid = torch.ones(4, *GRID, dtype=torch.bool)
    valid[:, :, 6:] = False
    losses = contrast.loss(feats, cams, labels, _warp, valid)
    assert all(torch.isfinite(value) for value in losses.values())
    full = contrast.loss(feats, cams, labels, _warp)
    assert not torch.isclose(losses['loss_cross_proto'],
                             full['loss_cross_proto'])
    empty = contrast.loss(feats, cams, labels, _warp,
                          torch.zeros_like(valid))
    assert all(value.item() == 0 for value in empty.values())


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_autocast_close_to_float32(dtype):
    contrast = _build()
    feats, cams, labels = _inputs()
    torch.manual_seed(2)
    expected = contrast.loss(feats, cams, labels, _warp)
    with torch.autocast('cpu', dtype=dtype):
        torch.manual_seed(2)
        losses = contrast.loss(feats, cams, labels, _warp)
    for name in NAMES:
        assert torch.isfinite(losses[name])
        torch.testing.assert_close(
            losses[name].float(), expected[name], rtol=0.01, atol=1e-3)

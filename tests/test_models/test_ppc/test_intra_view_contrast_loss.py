import pytest
import torch
import torch.nn.functional as F

from mmwsss.models.ppc import (HardPixelSampler, IntraViewContrastLoss,
                               SemiHardPrototypeMiner)
from mmwsss.registry import MODELS

NUM_PROTOTYPES = 16


def _views(seed=0):
    """Two views of 24 pixels and 16 prototypes; in view 0, class 5 has a
    single pixel, class 9 two, class 2 six, class 0 fifteen."""
    generator = torch.Generator().manual_seed(seed)
    feats = [
        F.normalize(torch.randn(24, 4, generator=generator), dim=1)
        for _ in range(2)
    ]
    labels = [
        torch.tensor([0] * 15 + [2] * 6 + [5] + [9] * 2),
        torch.tensor([1] * 10 + [3] * 7 + [0] * 7),
    ]
    labels = [
        label[torch.randperm(24, generator=generator)] for label in labels
    ]
    prototypes = [
        F.normalize(
            torch.randn(NUM_PROTOTYPES, 4, generator=generator), dim=1)
        for _ in range(2)
    ]
    return feats, labels, prototypes


def _dot(a, b):
    return sum(float(x) * float(y) for x, y in zip(a, b))


def _naive_view(naive_nce, feats, labels, prototypes, permutation, mine,
                sample):
    """The intra-view loss of one view as the authors' code computes it: a
    loop over classes, then over the sampled pixels; the sum over classes is
    divided by the number of classes present, 1-pixel classes included."""
    class_losses = []
    present = sorted(set(labels.tolist()))
    for cls in present:
        members = [m for m in range(len(labels)) if labels[m] == cls]
        num = len(members)
        if sample:
            if num < 2:
                continue
            random_part = [
                m for m in permutation.tolist() if labels[m] == cls
            ][:num // 2]
            least_similar = sorted(
                members, key=lambda m: _dot(feats[m], prototypes[cls]))
            end = int(0.6 * num)
            hard_part = least_similar[:end][end - num // 2:]
            selected = random_part + hard_part
        else:
            selected = members
        pixel_losses = []
        for m in selected:
            if mine:
                ranked = sorted(
                    range(NUM_PROTOTYPES),
                    key=lambda k: -_dot(feats[m], prototypes[k]))
                denominator = [prototypes[cls]]
                denominator += [prototypes[k] for k in ranked[3:13]]
            else:
                denominator = list(prototypes)
            pixel_losses.append(
                naive_nce(feats[m], prototypes[cls], denominator, 0.1))
        class_losses.append(sum(pixel_losses) / len(pixel_losses))
    return sum(class_losses) / len(present)


@pytest.mark.parametrize('mine', [True, False])
@pytest.mark.parametrize('sample', [True, False])
def test_intra_view_equals_naive(naive_nce, mine, sample, contrast_inputs):
    feats, labels, prototypes = _views()
    loss = IntraViewContrastLoss(
        prototype_miner=dict(type='SemiHardPrototypeMiner') if mine else None,
        pixel_sampler=dict(type='HardPixelSampler') if sample else None)
    torch.manual_seed(3)
    value = loss(*contrast_inputs(feats, labels, prototypes))
    # The sampler draws one permutation of both views' 48 pixels, view 1's
    # numbered after view 0's.
    torch.manual_seed(3)
    permutation = torch.randperm(48)
    permutations = [
        permutation[permutation < 24], permutation[permutation >= 24] - 24
    ]
    expected = sum(
        _naive_view(naive_nce, feats[view], labels[view], prototypes[view],
                    permutations[view], mine, sample) for view in (0, 1))
    assert value.item() == pytest.approx(0.1 * expected / 2, rel=1e-5)


def test_intra_view_build_and_defaults():
    loss = MODELS.build(
        dict(
            type='IntraViewContrastLoss',
            loss_weight=0.1,
            prototype_miner=dict(
                type='SemiHardPrototypeMiner', num_skip=2, num_keep=5),
            pixel_sampler=dict(type='HardPixelSampler', min_pixels=3)))
    assert loss.loss_name == 'loss_intra'
    assert isinstance(loss.prototype_miner, SemiHardPrototypeMiner)
    assert (loss.prototype_miner.num_skip, loss.prototype_miner.num_keep) \
        == (2, 5)
    assert isinstance(loss.pixel_sampler, HardPixelSampler)
    assert loss.pixel_sampler.min_pixels == 3
    default = IntraViewContrastLoss()
    assert (default.prototype_miner.num_skip,
            default.prototype_miner.num_keep) == (3, 10)
    assert default.pixel_sampler.hard_range == (0.1, 0.6)


def test_intra_view_single_pixel_classes_only(contrast_inputs):
    feats, _, prototypes = _views()
    labels = [torch.tensor([0, 1, 2, 3])] * 2
    feats = [feat[:4].clone().requires_grad_() for feat in feats]
    value = IntraViewContrastLoss()(
        *contrast_inputs(feats, labels, prototypes))
    value.backward()
    assert value.item() == 0
    assert all(
        torch.equal(feat.grad, torch.zeros_like(feat)) for feat in feats)


def test_intra_view_gradient_reaches_sampled_feats_only(contrast_inputs):
    feats, labels, prototypes = _views()
    feats = [feat.clone().requires_grad_() for feat in feats]
    torch.manual_seed(0)
    IntraViewContrastLoss()(
        *contrast_inputs(feats, labels, prototypes)).backward()
    assert all(torch.isfinite(feat.grad).all() for feat in feats)
    # The pixel of the single-pixel class 5 of view 0 is never sampled.
    lonely = (labels[0] == 5).nonzero()[0, 0]
    assert torch.equal(feats[0].grad[lonely], torch.zeros(4))
    assert feats[0].grad.abs().sum() > 0

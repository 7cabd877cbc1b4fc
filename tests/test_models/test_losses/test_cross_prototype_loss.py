import pytest
import torch
import torch.nn.functional as F

from mmwsss.models.losses import CrossPrototypeContrastLoss
from mmwsss.registry import MODELS


def _views():
    """Two views of 5 pixels, 3 prototypes each, hand-made."""
    feats = [
        F.normalize(
            torch.tensor([[1., 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1],
                          [1, 0, 1]]),
            dim=1),
        F.normalize(
            torch.tensor([[1., .2, 0], [0, 1, .3], [.5, 1, 0], [0, .1, 1],
                          [1, 0, .4]]),
            dim=1),
    ]
    labels = [torch.tensor([0, 1, 1, 2, 0]), torch.tensor([0, 1, 0, 2, 2])]
    prototypes = [
        F.normalize(torch.tensor([[1., 0, 0], [0, 1, 0], [0, 0, 1]]), dim=1),
        F.normalize(
            torch.tensor([[1., .5, 0], [0, 1, .5], [.5, 0, 1]]), dim=1),
    ]
    return feats, labels, prototypes


def test_cross_prototype_equals_naive(naive_nce, contrast_inputs):
    feats, labels, prototypes = _views()
    loss = MODELS.build(dict(type='CrossPrototypeContrastLoss'))
    assert isinstance(loss, CrossPrototypeContrastLoss)
    assert loss.loss_name == 'loss_cross_proto'
    value = loss(*contrast_inputs(feats, labels, prototypes))

    directions = []
    for view, other in ((0, 1), (1, 0)):
        pixel_losses = [
            naive_nce(feats[view][m], prototypes[other][labels[view][m]],
                      prototypes[other], 0.1) for m in range(5)
        ]
        directions.append(sum(pixel_losses) / 5)
    expected = 0.1 * sum(directions) / 2
    assert value.item() == pytest.approx(expected, rel=1e-5)


def test_cross_prototype_weight_and_temperature(naive_nce, contrast_inputs):
    feats, labels, prototypes = _views()
    loss = CrossPrototypeContrastLoss(
        loss_weight=2.0, temperature=0.5, loss_name='loss_x')
    assert loss.loss_name == 'loss_x'
    expected = sum(
        naive_nce(feats[0][m], prototypes[1][labels[0][m]], prototypes[1], 0.5)
        / 5 + naive_nce(feats[1][m], prototypes[0][labels[1][m]],
                        prototypes[0], 0.5) / 5 for m in range(5))
    value = loss(*contrast_inputs(feats, labels, prototypes))
    assert value.item() == pytest.approx(2.0 * expected / 2, rel=1e-5)


def test_cross_prototype_gradient_reaches_feats_only(contrast_inputs):
    feats, labels, prototypes = _views()
    feats = [feat.clone().requires_grad_() for feat in feats]
    CrossPrototypeContrastLoss()(
        *contrast_inputs(feats, labels, prototypes)).backward()
    assert all(torch.isfinite(feat.grad).all() for feat in feats)
    assert all(feat.grad.abs().sum() > 0 for feat in feats)
    assert all(proto.grad is None for proto in prototypes)

import pytest
import torch
import torch.nn.functional as F

from mmwsss.models.ppc import CrossPseudoLabelContrastLoss
from mmwsss.registry import MODELS


def _views():
    """Two views of 4 pixels, 3 prototypes each, hand-made; the labels of
    the views disagree on pixels 1 and 3."""
    feats = [
        F.normalize(
            torch.tensor([[1., 0, .2], [0, 1, 0], [.3, 1, 0], [0, 0, 1]]),
            dim=1),
        F.normalize(
            torch.tensor([[1., .1, 0], [.4, 1, 0], [0, 1, .2], [1, 0, 1]]),
            dim=1),
    ]
    labels = [torch.tensor([0, 1, 1, 2]), torch.tensor([0, 0, 1, 1])]
    prototypes = [
        F.normalize(torch.tensor([[1., 0, 0], [0, 1, 0], [0, 0, 1]]), dim=1),
        F.normalize(
            torch.tensor([[1., .5, 0], [0, 1, .5], [.5, 0, 1]]), dim=1),
    ]
    return feats, labels, prototypes


def test_cross_pseudo_label_contrast_equals_naive(naive_nce, contrast_inputs):
    feats, labels, prototypes = _views()
    loss = MODELS.build(
        dict(type='CrossPseudoLabelContrastLoss', loss_weight=0.1))
    assert isinstance(loss, CrossPseudoLabelContrastLoss)
    assert loss.loss_name == 'loss_cross_label'
    value = loss(*contrast_inputs(feats, labels, prototypes))

    directions = []
    for view, other in ((0, 1), (1, 0)):
        # Own prototypes, the other view's label at the same position.
        pixel_losses = [
            naive_nce(feats[view][m], prototypes[view][labels[other][m]],
                      prototypes[view], 0.1) for m in range(4)
        ]
        directions.append(sum(pixel_losses) / 4)
    expected = 0.1 * sum(directions) / 2
    assert value.item() == pytest.approx(expected, rel=1e-5)


def test_cross_pseudo_label_contrast_differs_from_own_labels(contrast_inputs):
    feats, labels, prototypes = _views()
    loss = CrossPseudoLabelContrastLoss()
    swapped = loss(*contrast_inputs(feats, labels, prototypes))
    same = loss(*contrast_inputs(feats, labels[::-1], prototypes))
    assert not torch.isclose(swapped, same)


def test_cross_pseudo_label_contrast_gradient_reaches_feats(contrast_inputs):
    feats, labels, prototypes = _views()
    feats = [feat.clone().requires_grad_() for feat in feats]
    CrossPseudoLabelContrastLoss()(
        *contrast_inputs(feats, labels, prototypes)).backward()
    assert all(feat.grad.abs().sum() > 0 for feat in feats)

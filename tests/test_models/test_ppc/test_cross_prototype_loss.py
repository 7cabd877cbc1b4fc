import pytest
import torch
import torch.nn.functional as F

from mmwsss.models.ppc import CrossPrototypeContrastLoss
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


def test_cross_prototype_gradient_equals_formula(contrast_inputs):
    """d l(v) / d v = (sum_k softmax_k(v.P / t) p_k - p+) / t with P the
    other view's prototypes; the loss averages the M pixels of the two
    views and is weighted."""
    feats, labels, prototypes = _views()
    feats = [feat.clone().requires_grad_() for feat in feats]
    CrossPrototypeContrastLoss(loss_weight=2.0, temperature=0.5)(
        *contrast_inputs(feats, labels, prototypes)).backward()
    for view, other in ((0, 1), (1, 0)):
        protos = prototypes[other].double()
        probs = (feats[view].detach().double() @ protos.t() / 0.5).softmax(1)
        expected = (probs @ protos - protos[labels[view]]) / 0.5
        torch.testing.assert_close(feats[view].grad.double(),
                                   2.0 * expected / (2 * 5))

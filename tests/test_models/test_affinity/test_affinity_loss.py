import math

import torch

from mmwsss.models.affinity import AffinityLoss, gather_pairs, pair_label_masks

EPS = 1e-5


def pairs_of(labels, radius=2):
    """Labels of both ends of the pairs of a (N, h, w) label grid."""
    label_from, label_to = gather_pairs(labels[:, None].float(), radius)
    return label_from[:, 0], label_to[:, 0]


def test_pair_label_masks():
    label_from = torch.tensor([0, 0, 3, 3, 3, 255, 0])
    label_to = torch.tensor([0, 3, 3, 4, 255, 255, 255])
    masks = pair_label_masks(label_from, label_to)
    assert masks['bg'].tolist() == [1, 0, 0, 0, 0, 0, 0]
    assert masks['fg'].tolist() == [0, 0, 1, 0, 0, 0, 0]
    assert masks['neg'].tolist() == [0, 1, 0, 1, 0, 0, 0]


def test_loss_against_a_hand_computation():
    # radius 2: offsets (0, 1), (1, -1), (1, 0), (1, 1); on a 2x3 grid the
    # only "from" position is (0, 1), paired with (0, 2), (1, 0), (1, 1),
    # (1, 2). Image 0: bg, neg, ignored, neg. Image 1: fg, neg, fg, neg.
    labels = torch.tensor([[[0, 0, 0], [1, 255, 2]], [[5, 5, 5], [0, 5, 7]]])
    label_from, label_to = pairs_of(labels)
    assert label_to.shape == (2, 4, 1)
    aff = torch.tensor([[0.9, 0.2, 0.5, 0.3], [0.8, 0.1, 0.7, 0.4]])
    aff = aff[..., None].requires_grad_()
    losses = AffinityLoss()(aff, label_from, label_to)
    assert set(losses) == {'loss_aff_bg', 'loss_aff_fg', 'loss_aff_neg'}
    bg = -math.log(0.9 + EPS)
    fg = -(math.log(0.8 + EPS) + math.log(0.7 + EPS)) / 2
    neg = -sum(math.log(1 + EPS - a) for a in (0.2, 0.3, 0.1, 0.4)) / 4
    assert math.isclose(losses['loss_aff_bg'].item(), bg / 4, rel_tol=1e-5)
    assert math.isclose(losses['loss_aff_fg'].item(), fg / 4, rel_tol=1e-5)
    assert math.isclose(losses['loss_aff_neg'].item(), neg / 2, rel_tol=1e-5)
    sum(losses.values()).backward()
    # the ignored pair (image 0, offset (1, 0)) gets no gradient
    assert aff.grad[0, 2, 0] == 0 and (aff.grad[1] != 0).all()


def test_empty_sets_contribute_zero():
    # only foreground pairs of one class: no bg, no neg
    labels = torch.full((1, 2, 3), 4)
    aff = torch.full((1, 4, 1), 0.5, requires_grad=True)
    losses = AffinityLoss()(aff, *pairs_of(labels))
    assert losses['loss_aff_bg'] == 0 and losses['loss_aff_neg'] == 0
    assert math.isclose(
        losses['loss_aff_fg'].item(), -math.log(0.5 + EPS) / 4, rel_tol=1e-5)
    # everything ignored, or no pair at all: zero, finite gradients
    for labels in (torch.full((1, 2, 3), 255), torch.zeros(1, 1, 1)):
        label_from, label_to = pairs_of(labels)
        aff = torch.rand(label_to.shape, requires_grad=True)
        losses = AffinityLoss()(aff, label_from, label_to)
        total = sum(losses.values())
        assert total == 0
        total.backward()
        assert torch.isfinite(aff.grad).all()


def test_weights_and_name():
    labels = torch.tensor([[[0, 0, 0], [1, 255, 2]]])
    aff = torch.full((1, 4, 1), 0.5)
    loss = AffinityLoss(weights=(1., 1., 1.), loss_weight=2., loss_name='l')
    losses = loss(aff, *pairs_of(labels))
    assert loss.loss_name == 'l' and set(losses) == {'l_bg', 'l_fg', 'l_neg'}
    assert math.isclose(
        losses['l_bg'].item(), -2 * math.log(0.5 + EPS), rel_tol=1e-5)

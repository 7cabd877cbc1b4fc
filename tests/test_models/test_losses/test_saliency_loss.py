import os.path as osp

import pytest
import torch
import torch.nn.functional as F

from mmwsss.models.losses import SaliencyLoss


def test_hand_computed_case():
    """Two classes + background (last), 1 x 4 pixels."""
    # logits chosen so softmax is easy to read: one channel dominates
    big = 20.
    cam = torch.tensor([[
        [[big, big, 0., 0.]],  # class a: pixels 0, 1
        [[0., 0., big, 0.]],  # class b: pixel 2
        [[0., 0., 0., big]]
    ]])  # background: pixel 3
    saliency = torch.tensor([[[[1., 1., 0., 0.]]]])
    labels = torch.tensor([[1., 1.]])
    loss = SaliencyLoss(tau=0.4, lam=0.5, bg_index=-1)(cam, saliency, labels)
    prob = cam.softmax(dim=1)
    # a overlaps saliency fully -> foreground; b not at all -> background
    fg = prob[:, 0:1]
    bg = prob[:, 2:3] + prob[:, 1:2]
    pred = 0.5 * fg + 0.5 * (1 - bg)
    assert loss.item() == pytest.approx(F.mse_loss(pred, saliency).item())
    # ~ [1, 1, 0, 0] vs saliency [1, 1, 0, 0]: nearly zero
    assert loss.item() < 1e-6


def test_absent_classes_do_not_count_and_bg_first_mirrors():
    torch.manual_seed(0)
    cam = torch.randn(2, 4, 6, 6)
    saliency = torch.rand(2, 1, 12, 12)
    labels = torch.tensor([[1., 0., 1.], [0., 1., 0.]])
    last = SaliencyLoss(bg_index=-1)(cam, saliency, labels)
    first = SaliencyLoss(bg_index=0)(cam[:, [3, 0, 1, 2]], saliency, labels)
    assert last.item() == pytest.approx(first.item(), rel=1e-6)
    changed = cam.clone()
    changed[1, 0] += 5  # class 0 is absent in image 1: only its softmax
    assert SaliencyLoss(bg_index=-1)(changed, saliency, labels).item() != \
        pytest.approx(last.item())  # (it still takes probability mass)


def test_gradients_flow_to_the_cam():
    cam = torch.randn(1, 3, 4, 4, requires_grad=True)
    SaliencyLoss(bg_index=-1)(cam, torch.rand(1, 1, 8, 8),
                              torch.tensor([[1., 0.]])).backward()
    assert cam.grad.abs().sum() > 0


def test_background_channel_is_required():
    with pytest.raises(ValueError, match='SaliencyLoss needs bg_index'):
        SaliencyLoss()


AUTHORS = osp.join(
    osp.dirname(__file__), '..', '..', 'data', 'authors', 'eps_loss.pt')


@pytest.mark.parametrize('repo', ['eps', 'eps_ppc'])
def test_equals_the_authors_get_eps_loss(repo):
    """halbielee/EPS and usr922/wseg esp ``get_eps_loss`` on the same
    tensors (``tests/data/authors``): loss and predicted saliency map."""
    authors = torch.load(AUTHORS)
    for case, expected in zip(authors['cases'], authors[repo]):
        loss = SaliencyLoss(tau=case['tau'], lam=case['lam'], bg_index=-1)
        pred, _ = loss.predict_saliency(case['cam'], case['saliency'],
                                        case['label'])
        torch.testing.assert_close(
            pred, expected['sal_pred'], rtol=1e-5, atol=1e-7)
        torch.testing.assert_close(
            loss(case['cam'], case['saliency'], case['label']),
            expected['loss'],
            rtol=1e-5,
            atol=0)


def test_the_overlap_denominator_adds_1e4_per_pixel():
    """The authors' |round(p_c)| + 1e-4 * h * w: a class with 2 confident
    pixels, 1 salient, on a 21 x 21 grid is background at tau 0.49
    (1 / 2.0441 < 0.49) although 1 / 2.0001 > 0.49."""
    cam = torch.zeros(1, 3, 21, 21)
    cam[0, 2] = 5.  # background
    cam[0, 0, 0, :2] = 10.
    saliency = torch.zeros(1, 1, 21, 21)
    saliency[0, 0, 0, 0] = 1.
    labels = torch.tensor([[1., 0.]])
    pred, _ = SaliencyLoss(
        tau=0.49, bg_index=-1).predict_saliency(cam, saliency, labels)
    prob = cam.softmax(dim=1)
    as_bg = 0.5 * (1 - prob[:, 2:] - prob[:, :1])
    torch.testing.assert_close(pred, as_bg)
    pred, _ = SaliencyLoss(
        tau=0.48, bg_index=-1).predict_saliency(cam, saliency, labels)
    torch.testing.assert_close(pred,
                               0.5 * prob[:, :1] + 0.5 * (1 - prob[:, 2:]))

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
    loss = SaliencyLoss(tau=0.4, lam=0.5)(cam, saliency, labels, -1)
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
    last = SaliencyLoss()(cam, saliency, labels, -1)
    first = SaliencyLoss()(cam[:, [3, 0, 1, 2]], saliency, labels, 0)
    assert last.item() == pytest.approx(first.item(), rel=1e-6)
    changed = cam.clone()
    changed[1, 0] += 5  # class 0 is absent in image 1: only its softmax
    assert SaliencyLoss()(changed, saliency, labels, -1).item() != \
        pytest.approx(last.item())  # (it still takes probability mass)


def test_gradients_flow_to_the_cam():
    cam = torch.randn(1, 3, 4, 4, requires_grad=True)
    SaliencyLoss()(cam, torch.rand(1, 1, 8, 8), torch.tensor([[1., 0.]]),
                   -1).backward()
    assert cam.grad.abs().sum() > 0

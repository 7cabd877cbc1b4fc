"""SEAM's losses against values computed by hand on tiny tensors."""
import pytest
import torch

from mmwsss.models.losses import (AdaptiveMinPoolingLoss,
                                  EquivariantCrossRegularizationLoss,
                                  EquivariantRegularizationLoss, max_onehot)


def test_er_is_mean_absolute_difference():
    cam1 = torch.tensor([[[[0.0, 1.0], [0.5, 0.25]]]])
    cam2 = torch.tensor([[[[1.0, 1.0], [0.0, 0.25]]]])
    loss = EquivariantRegularizationLoss()(cam1, cam2)
    assert loss.item() == pytest.approx((1 + 0 + 0.5 + 0) / 4)
    valid = torch.tensor([[[True, True], [False, False]]])
    masked = EquivariantRegularizationLoss(loss_weight=2.)(cam1, cam2, valid)
    assert masked.item() == pytest.approx(2 * (1 + 0) / 2)


def test_max_onehot_keeps_background_and_the_best_class():
    # channels: bg, a, b at two pixels
    cam = torch.tensor([[[[0.3, 0.9]], [[0.5, 0.2]], [[0.4, 0.7]]]])
    out = max_onehot(cam, bg_index=0)
    assert out[0, :, 0, 0].tolist() == pytest.approx([0.3, 0.5, 0.0])
    assert out[0, :, 0, 1].tolist() == pytest.approx([0.9, 0.0, 0.7])
    # background last: the same with the channels rotated
    last = max_onehot(cam[:, [1, 2, 0]], bg_index=-1)
    assert torch.equal(last, out[:, [1, 2, 0]])
    assert torch.equal(cam,
                       torch.tensor([[[[0.3, 0.9]], [[0.5, 0.2]],
                                      [[0.4, 0.7]]]]))  # out of place


def test_ecr_top_fraction_of_both_directions():
    # one image, channels (bg, a), 1 x 5 pixels: 10 values, top 20% = 2
    cam1 = torch.tensor([[[[0.2, 0.4, 0.6, 0.8, 1.0]],
                          [[0.8, 0.6, 0.4, 0.2, 0.0]]]])
    cam2 = torch.zeros_like(cam1)
    rv1 = torch.full_like(cam1, 0.5)
    rv2 = torch.zeros_like(cam1)
    loss = EquivariantCrossRegularizationLoss(bg_index=0)(cam1, cam2, rv1,
                                                          rv2)
    # |0 - 0.5| everywhere -> top-2 mean 0.5; |cam1 - 0| -> top-2 1.0, 0.8
    assert loss.item() == pytest.approx(0.5 + 0.9)


@pytest.mark.parametrize('onehot_bg', ('first', 'model'))
def test_ecr_background_of_max_onehot(onehot_bg):
    """Background-last maps: ``'model'`` equals the background-first loss
    of the same maps with the channels rotated; ``'first'`` (the authors'
    code) takes channel 0 as the background."""
    torch.manual_seed(0)
    maps = [torch.rand(2, 4, 3, 5) for _ in range(4)]  # last = background
    loss = EquivariantCrossRegularizationLoss(
        onehot_bg=onehot_bg, bg_index=-1)
    first = EquivariantCrossRegularizationLoss(onehot_bg='first', bg_index=0)
    rotated = first(*(m[:, [3, 0, 1, 2]] for m in maps))
    if onehot_bg == 'model':
        expected = rotated
    else:  # the maps as they are, channel 0 taken for the background
        expected = first(*maps)
        assert abs(expected - rotated) > 1e-3
    assert loss(*maps).item() == pytest.approx(expected.item())
    with pytest.raises(ValueError, match='onehot_bg'):
        EquivariantCrossRegularizationLoss(onehot_bg='last', bg_index=0)


def test_ecr_needs_the_background_channel():
    with pytest.raises(ValueError, match='needs bg_index'):
        EquivariantCrossRegularizationLoss()


def test_ecr_gradient_only_through_refined_maps():
    cam1 = torch.rand(1, 3, 2, 2, requires_grad=True)
    cam2 = torch.rand(1, 3, 2, 2, requires_grad=True)
    rv1 = torch.rand(1, 3, 2, 2, requires_grad=True)
    rv2 = torch.rand(1, 3, 2, 2, requires_grad=True)
    EquivariantCrossRegularizationLoss(bg_index=0)(cam1, cam2, rv1,
                                                   rv2).backward()
    assert cam1.grad is None and cam2.grad is None
    assert rv1.grad.abs().sum() > 0 and rv2.grad.abs().sum() > 0


def test_min_pooling_lowest_quarter():
    # 1 image, 2 classes, 8 pixels: max over classes, lowest 2 values
    cam = torch.tensor([[[[0.9, -0.5, 0.1, 0.3, 0.8, 0.7, 0.6, 0.2]],
                         [[0.0, -0.1, 0.4, 0.0, 0.0, 0.0, 0.0, 0.0]]]])
    # max: [0.9, -0.1, 0.4, 0.3, 0.8, 0.7, 0.6, 0.2] -> lowest two -0.1, 0.2
    loss = AdaptiveMinPoolingLoss()(cam)
    assert loss.item() == pytest.approx((0 + 0.2) / 2)
    with pytest.raises(ValueError, match='ratio'):
        AdaptiveMinPoolingLoss(ratio=0)

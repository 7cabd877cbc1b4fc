import pytest
import torch
import torch.nn.functional as F

from mmwsss.models.ppc import (PseudoLabelsAndPrototypes,
                               pseudo_labels_and_prototypes)


def _random_case(seed=0, num_imgs=3, num_classes=4, size=4, dim=5):
    generator = torch.Generator().manual_seed(seed)
    cam = torch.randn(
        num_imgs, num_classes + 1, size, size, generator=generator)
    feats = torch.rand(num_imgs, dim, size, size, generator=generator)
    labels = (torch.rand(num_imgs, num_classes, generator=generator)
              > 0.5).float()
    return cam, feats, labels


def test_pseudo_labels_from_min_max_and_bg_score():
    # One image, 2 classes, background channel 0, a 1x4 grid.
    cam = torch.tensor([[
        [[0., 0, 0, 0]],
        [[-1., 1, 2, 5]],  # class 1 (present)
        [[9., 9, 9, 0]]
    ]])  # class 2 (absent)
    feats = torch.ones(1, 2, 1, 4)
    labels = torch.tensor([[1., 0]])
    result = pseudo_labels_and_prototypes(
        cam,
        feats,
        labels,
        bg_index=0,
        pseudo_label_bg_score=0.3,
        topk_divisor=4)
    assert isinstance(result, PseudoLabelsAndPrototypes)
    # Class 1 after ReLU and min-max: 0, 0.2, 0.4, 1 (up to 1e-5); against
    # the constant 0.3: background, background, class 1, class 1. Class 2
    # is absent: never chosen.
    assert result.pseudo_labels.tolist() == [[[0, 0, 1, 1]]]


def test_pseudo_labels_never_absent_classes_and_bg_always_allowed():
    cam, feats, labels = _random_case()
    labels[1] = 0  # an image without foreground label
    result = pseudo_labels_and_prototypes(cam, feats, labels, 0, 0.2, 8)
    for img in range(3):
        chosen = set(result.pseudo_labels[img].unique().tolist())
        allowed = {0} | {c + 1 for c in labels[img].nonzero()[:, 0].tolist()}
        assert chosen <= allowed
    assert (result.pseudo_labels[1] == 0).all()
    # A background score of 1 beats every normalised foreground score.
    result = pseudo_labels_and_prototypes(cam, feats, labels, 0, 1.0, 8)
    assert (result.pseudo_labels == 0).all()


def test_bg_index_first_and_last_mirror():
    cam, feats, labels = _random_case(seed=1)
    first = pseudo_labels_and_prototypes(cam, feats, labels, 0, 0.2, 8)
    cam_last = torch.cat([cam[:, 1:], cam[:, :1]], dim=1)
    num_channels = cam.shape[1]
    last = pseudo_labels_and_prototypes(cam_last, feats, labels, -1, 0.2, 8)
    torch.testing.assert_close(last.pseudo_labels,
                               (first.pseudo_labels - 1) % num_channels)
    torch.testing.assert_close(
        last.prototypes,
        torch.cat([first.prototypes[1:], first.prototypes[:1]]))


def test_prototypes_batch_wide_topk_weighted_mean():
    # Two images of 2x2, one class: K = 4 // 2 = 2 positions of the batch.
    cam = torch.zeros(2, 2, 2, 2)
    cam[0, 1] = torch.tensor([[0., 1], [3, 2]])
    cam[1, 1] = torch.tensor([[4., 0], [2, 1]])
    feats = torch.randn(2, 3, 2, 2)
    labels = torch.ones(2, 1)
    result = pseudo_labels_and_prototypes(cam, feats, labels, 0, 0.2, 2)
    # Normalised per image: image 0 max 3 at (1, 0), image 1 max 4 at
    # (0, 0), both 1 (up to 1e-5); next: 2/3 in image 0 and 1/2 in image 1.
    top = (feats[0, :, 1, 0] + feats[1, :, 0, 0]) / 2
    torch.testing.assert_close(result.prototypes[1], F.normalize(top, dim=0))
    # The constant background takes the first K positions of the batch.
    background = F.normalize(feats[0, :, 0, 0] + feats[0, :, 0, 1], dim=0)
    torch.testing.assert_close(result.prototypes[0], background)
    assert result.prototypes.norm(dim=1).allclose(torch.ones(2))


def test_prototypes_weighted_by_scores():
    cam = torch.zeros(1, 2, 1, 4)
    cam[0, 1, 0] = torch.tensor([0., 4, 1, 2])  # norm 0, 1, .25, .5
    feats = torch.randn(1, 3, 1, 4)
    result = pseudo_labels_and_prototypes(cam, feats, torch.ones(1, 1), 0, 0.2,
                                          1)  # K = 4: every position
    mean = (1 * feats[0, :, 0, 1] + .25 * feats[0, :, 0, 2] +
            .5 * feats[0, :, 0, 3]) / 1.75
    torch.testing.assert_close(
        result.prototypes[1], F.normalize(mean, dim=0), atol=1e-4, rtol=0)


def test_all_zero_channel_is_the_mean_of_the_first_positions():
    # The authors' normalisation turns a channel that is 0 over the whole
    # batch into the constant -1: its top-K are the first K positions and
    # its prototype their plain mean, the same as the constant background.
    cam, feats, labels = _random_case()
    cam[:, 2] = -1.  # zero after ReLU everywhere
    result = pseudo_labels_and_prototypes(cam, feats, labels, 0, 0.2, 8)
    first = feats.permute(0, 2, 3, 1).flatten(0, 2)[:2].mean(0)
    torch.testing.assert_close(result.prototypes[2], F.normalize(first, dim=0))
    torch.testing.assert_close(result.prototypes[2], result.prototypes[0])
    assert result.pseudo_labels.dtype == torch.long
    assert (result.prototypes.norm(dim=1) - 1).abs().max() < 1e-5


def test_prototypes_carry_no_gradient():
    """Targets of the contrast: no gradient path back to the CAMs or the
    features, even when both require grad."""
    cam, feats, labels = _random_case()
    expected = pseudo_labels_and_prototypes(cam, feats, labels, 0, 0.2, 8)
    result = pseudo_labels_and_prototypes(cam.requires_grad_(),
                                          feats.requires_grad_(), labels, 0,
                                          0.2, 8)
    assert not result.prototypes.requires_grad
    torch.testing.assert_close(result.prototypes, expected.prototypes)
    assert torch.equal(result.pseudo_labels, expected.pseudo_labels)


def test_scores_below_min_go_negative():
    # Positions at the minimum score -(min + 1e-5) / (max - min + 1e-5),
    # not 0: they weigh negatively when they enter the top-K.
    cam = torch.zeros(1, 2, 1, 4)
    cam[0, 1, 0] = torch.tensor([1., 3, 2, 1])  # min 1, max 3
    feats = torch.randn(1, 3, 1, 4)
    result = pseudo_labels_and_prototypes(cam, feats, torch.ones(1, 1), 0,
                                          0.2, 1)  # K = 4: every position
    low = -(1 + 1e-5) / (2 + 1e-5)
    weights = torch.tensor([low, (2 - 1e-5) / (2 + 1e-5),
                            (1 - 1e-5) / (2 + 1e-5), low])
    mean = (weights[None] * feats[0, :, 0]).sum(1) / weights.sum()
    torch.testing.assert_close(result.prototypes[1], F.normalize(mean, dim=0))


@pytest.mark.parametrize('ties', ['lowest_index', 'torch'])
def test_tie_orders(ties):
    # 2 images of 8x8, k = 128 // 2 = 64 >= 128 / 64: torch.topk on CPU
    # takes other tied positions of the constant background than the first.
    cam, feats, labels = _random_case(num_imgs=2, size=8)
    result = pseudo_labels_and_prototypes(cam, feats, labels, 0, 0.2, 1, None,
                                          ties)
    flat = feats.permute(0, 2, 3, 1).flatten(0, 2)
    index = (torch.arange(64) if ties == 'lowest_index' else torch.full(
        (1, 128), 0.2).topk(64).indices[0])
    torch.testing.assert_close(result.prototypes[0],
                               F.normalize(flat[index].mean(0), dim=0))
    with pytest.raises(ValueError, match='ties'):
        pseudo_labels_and_prototypes(cam, feats, labels, 0, 0.2, 1, None,
                                     'random')


def test_valid_mask():
    cam, feats, labels = _random_case(num_imgs=2)
    valid = torch.zeros(2, 4, 4, dtype=torch.bool)
    valid[0, :2] = True  # image 1 has no usable position
    result = pseudo_labels_and_prototypes(cam, feats, labels, 0, 0.2, 4, valid)
    assert (result.pseudo_labels[~valid] == -1).all()
    assert (result.pseudo_labels[valid] >= 0).all()
    # Only usable positions: the same as the usable half on its own.
    alone = pseudo_labels_and_prototypes(cam[:1, :, :2], feats[:1, :, :2],
                                         labels[:1], 0, 0.2, 2)
    torch.testing.assert_close(result.pseudo_labels[0, :2],
                               alone.pseudo_labels[0])
    torch.testing.assert_close(result.prototypes, alone.prototypes)
    assert torch.isfinite(result.prototypes).all()


def test_autocast_runs_in_float32():
    cam, feats, labels = _random_case()
    expected = pseudo_labels_and_prototypes(cam, feats, labels, 0, 0.2, 8)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        result = pseudo_labels_and_prototypes(cam, feats, labels, 0, 0.2, 8)
    assert result.prototypes.dtype == torch.float32
    torch.testing.assert_close(result.prototypes, expected.prototypes)
    assert torch.equal(result.pseudo_labels, expected.pseudo_labels)


def test_shape_checks():
    cam, feats, labels = _random_case()
    with pytest.raises(ValueError, match='labels'):
        pseudo_labels_and_prototypes(cam, feats, labels[:, :2], 0, 0.2, 8)
    with pytest.raises(ValueError, match='grid'):
        pseudo_labels_and_prototypes(cam, feats[..., :2], labels, 0, 0.2, 8)
    with pytest.raises(ValueError, match='pseudo_label_bg_score'):
        pseudo_labels_and_prototypes(cam, feats, labels, 0, -0.1, 8)

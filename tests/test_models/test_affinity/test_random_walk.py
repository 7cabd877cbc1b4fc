import pytest
import torch

from mmwsss.models.affinity import (dense_affinity, random_walk,
                                    random_walk_maps, transition_matrix)


def object_map(height, width, box):
    """(h, w) bool map of an object box (y0, y1, x0, x1)."""
    y0, y1, x0, x1 = box
    obj = torch.zeros(height, width, dtype=torch.bool)
    obj[y0:y1, x0:x1] = True
    return obj


def test_transition_matrix_is_column_stochastic():
    torch.manual_seed(0)
    aff = dense_affinity(torch.randn(3, 6, 10), 5)
    trans = transition_matrix(aff, beta=8, logt=3)
    assert torch.allclose(trans.sum(0), torch.ones(60), atol=1e-5)
    assert (trans >= 0).all()
    # logt 0: A^beta normalised per column
    one = transition_matrix(aff, beta=2, logt=0)
    assert torch.allclose(one, aff**2 / (aff**2).sum(0), atol=1e-6)


def test_perfect_seed_is_preserved():
    # two objects on a 4x6 grid: left and right halves; affinity 1 inside
    # an object and 0 across
    obj = object_map(4, 6, (0, 4, 0, 3)).flatten()
    aff = (obj[:, None] == obj[None, :]).float()
    scores = torch.stack([obj, ~obj]).float().view(2, 4, 6)
    out = random_walk(scores, aff, beta=8, logt=6)
    assert torch.allclose(out, scores, atol=1e-5)


def test_partial_seed_spreads_inside_its_object_only():
    # an object box on a 10x14 grid, embedding 0 outside and 30 inside:
    # affinity 1 within the object (and within the background) and
    # exp(-30) across its boundary
    obj = object_map(10, 14, (1, 5, 5, 10))
    feat = (obj * 30.).expand(4, 10, 14)
    aff = dense_affinity(feat, 5)
    seed = obj.clone()
    seed[:, 7:] = False  # the left part of the object only
    scores = torch.stack([torch.full((10, 14), 0.27), seed.float()])
    out = random_walk(scores, aff, beta=8, logt=6)
    # the class score becomes its mean over the object (2 / 5) everywhere
    # in the object and stays 0 outside; the background score is unchanged
    assert torch.allclose(out[1][obj], torch.full((20, ), 0.4), atol=5e-3)
    assert out[1][~obj].abs().max() < 1e-6
    assert torch.allclose(out[0], scores[0], atol=1e-5)
    assert torch.equal(out.argmax(0).bool(), obj)
    assert not torch.equal(scores.argmax(0).bool(), obj)


def test_random_walk_maps_pad_pool_and_crop():
    # two objects aligned with the 8-pixel cells of a 20x30 image
    # (3x4 grid after padding): a perfect full-resolution seed stays
    cells = object_map(3, 4, (0, 3, 0, 2)).flatten()
    aff = (cells[:, None] == cells[None, :]).float()
    left = torch.zeros(20, 30)
    left[:, :16] = 1
    scores = torch.stack([1 - left, left])
    out = random_walk_maps(scores, aff, stride=8)
    assert out.shape == (2, 20, 30)
    assert torch.equal(out.argmax(0), scores.argmax(0))
    with pytest.raises(ValueError, match='grid'):
        random_walk_maps(scores, torch.eye(9), stride=8)

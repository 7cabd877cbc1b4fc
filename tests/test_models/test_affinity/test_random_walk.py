import pytest
import torch

from mmwsss.models.affinity import (dense_affinity, image_pair_affinity,
                                    pair_affinity, random_walk,
                                    random_walk_maps, sparse_affinity,
                                    transition_matrix)
from mmwsss.models.affinity.random_walk import (dense_walk_bytes,
                                                max_dense_positions)


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


def test_sparse_affinity_holds_the_dense_matrix():
    torch.manual_seed(0)
    feat = torch.randn(6, 9, 13)
    aff = sparse_affinity(feat, 5)
    dense = dense_affinity(feat, 5)
    assert aff.is_sparse and aff._nnz() == int((dense > 0).sum())
    # one strip on a small grid: the same values, bit for bit
    assert torch.equal(aff.to_dense(), dense)
    # one row per strip: the same values up to the rounding of the mean
    rows = image_pair_affinity(feat, 5, strip_positions=1)
    assert torch.allclose(rows, pair_affinity(feat[None], 5)[0], atol=1e-6)


@pytest.mark.parametrize('beta,logt', [(8, 6), (2, 3), (1, 0)])
def test_sparse_walk_equals_the_dense_walk(beta, logt):
    # an object box whose embedding differs from the background's, noisy
    torch.manual_seed(0)
    obj = object_map(12, 16, (2, 9, 4, 12))
    feat = obj * 3. + 0.5 * torch.randn(8, 12, 16)
    seed = obj * torch.rand(12, 16)
    scores = torch.stack([torch.full((12, 16), 0.27), seed])
    dense = random_walk(scores, dense_affinity(feat, 5), beta, logt)
    sparse = random_walk(scores, sparse_affinity(feat, 5), beta, logt)
    assert torch.allclose(sparse, dense, atol=1e-5)
    assert torch.equal(sparse.argmax(0), dense.argmax(0))
    assert not torch.equal(sparse.argmax(0), scores.argmax(0))


def test_dense_walk_bytes_and_the_largest_grid_that_fits():
    # three float32 (hw, hw) matrices: 189 MB for a 63x63 grid (500x500)
    assert dense_walk_bytes(63 * 63) == 3 * 4 * 3969**2 == 189_035_532
    fit = max_dense_positions(2**30)
    assert dense_walk_bytes(fit) <= 2**30 < dense_walk_bytes(fit + 1)

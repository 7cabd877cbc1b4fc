import pytest
import torch

from mmwsss.models.affinity import (dense_affinity, gather_pairs,
                                    pair_affinity, pair_indices, pair_offsets)


def naive_pairs(height, width, radius):
    """(from, to) flat index pairs from a double loop over the grid."""
    r = radius - 1
    offsets = [(0, dx) for dx in range(1, radius)]
    for dy in range(1, radius):
        for dx in range(-r, radius):
            if dx * dx + dy * dy < radius * radius:
                offsets.append((dy, dx))
    froms = [(y, x) for y in range(height) for x in range(width) if all(
        0 <= y + dy < height and 0 <= x + dx < width for dy, dx in offsets)]
    return offsets, [[(y * width + x, (y + dy) * width + x + dx)
                      for (y, x) in froms] for dy, dx in offsets]


def test_offsets_are_a_half_disc():
    offsets = pair_offsets(5)
    assert len(offsets) == 34
    assert len(set(offsets)) == 34
    for dy, dx in offsets:
        assert dx * dx + dy * dy < 25
        assert (-dy, -dx) not in offsets  # each unordered pair once
        assert dy > 0 or dx > 0
    # every offset of the disc is an offset or the opposite of one
    disc = {(dy, dx)
            for dy in range(-4, 5)
            for dx in range(-4, 5) if 0 < dy * dy + dx * dx < 25}
    assert disc == set(offsets) | {(-dy, -dx) for dy, dx in offsets}
    for radius in (0, 1):  # no neighbour strictly closer than 1
        with pytest.raises(ValueError, match='at least 2'):
            pair_offsets(radius)


@pytest.mark.parametrize('size,radius', [((9, 13), 5), ((6, 10), 5),
                                         ((7, 7), 3), ((5, 8), 5), ((3, 3), 5),
                                         ((4, 9), 2)])
def test_indices_match_a_double_loop(size, radius):
    offsets, pairs = naive_pairs(*size, radius)
    idx_from, idx_to = pair_indices(*size, radius)
    assert pair_offsets(radius) == tuple(offsets)
    assert idx_to.shape == (len(offsets), len(pairs[0]))
    for k, row in enumerate(pairs):
        expected = torch.tensor(row, dtype=torch.long).view(-1, 2)
        assert torch.equal(idx_from, expected[:, 0])
        assert torch.equal(idx_to[k], expected[:, 1])


def test_indices_are_cached():
    first = pair_indices(8, 12, 5)
    assert pair_indices(8, 12, 5)[1] is first[1]


def test_pair_affinity_matches_the_definition():
    torch.manual_seed(0)
    feat = torch.randn(2, 3, 6, 11)
    aff = pair_affinity(feat, 5)
    idx_from, idx_to = pair_indices(6, 11, 5)
    flat = feat.flatten(2)
    for n in range(2):
        for k in range(idx_to.shape[0]):
            for m in range(idx_to.shape[1]):
                diff = flat[n, :, idx_from[m]] - flat[n, :, idx_to[k, m]]
                expected = torch.exp(-diff.abs().mean())
                assert torch.allclose(aff[n, k, m], expected)
    labels = torch.arange(66.).view(1, 1, 6, 11)
    label_from, label_to = gather_pairs(labels, 5)
    assert torch.equal(label_from[0, 0, 0], idx_from.float())
    assert torch.equal(label_to[0, 0], idx_to.float())


def test_dense_affinity():
    torch.manual_seed(0)
    feat = torch.randn(4, 6, 10)
    dense = dense_affinity(feat, 5)
    aff = pair_affinity(feat[None], 5)[0]
    idx_from, idx_to = pair_indices(6, 10, 5)
    assert dense.shape == (60, 60)
    assert torch.equal(dense, dense.t())
    assert torch.equal(dense.diagonal(), torch.ones(60))
    assert torch.equal(dense[idx_from.expand_as(idx_to), idx_to], aff)
    # nothing but the pairs and the diagonal
    assert (dense > 0).sum() == 60 + 2 * aff.numel()


def test_empty_pair_set():
    idx_from, idx_to = pair_indices(3, 3, 5)
    assert idx_from.numel() == 0 and idx_to.shape == (34, 0)
    dense = dense_affinity(torch.randn(2, 3, 3), 5)
    assert torch.equal(dense, torch.eye(9))

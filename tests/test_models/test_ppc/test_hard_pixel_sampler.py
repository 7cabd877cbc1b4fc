import pytest
import torch

from mmwsss.models.ppc import HardPixelSampler
from mmwsss.registry import TASK_UTILS


def _case():
    """Class 0: 10 pixels, class 1: 7, class 2: 1, class 3: 2, class 4: 3,
    interleaved; similarities all distinct."""
    labels = torch.tensor([0] * 10 + [1] * 7 + [2] + [3] * 2 + [4] * 3)
    labels = labels[torch.randperm(
        23, generator=torch.Generator().manual_seed(1))]
    similarity = torch.rand(23, generator=torch.Generator().manual_seed(2))
    return labels, similarity * 2 - 1


def _sample_twice(sampler, labels, similarity, seed):
    """The weights, and the pixels each part chose, from one seed."""
    torch.manual_seed(seed)
    weights = sampler(labels, similarity)
    torch.manual_seed(seed)
    permutation = torch.randperm(len(labels))
    return weights, permutation


def test_sampler_counts_band_and_overlap():
    sampler = TASK_UTILS.build(dict(type='HardPixelSampler'))
    assert isinstance(sampler, HardPixelSampler)
    labels, similarity = _case()
    weights, permutation = _sample_twice(sampler, labels, similarity, 0)
    assert weights.dtype == torch.long
    for cls, num in [(0, 10), (1, 7), (3, 2), (4, 3)]:
        members = (labels == cls).nonzero()[:, 0]
        # Random part: the class's first num // 2 pixels in the permutation.
        in_order = [m for m in permutation.tolist() if labels[m] == cls]
        random_part = set(in_order[:num // 2])
        # Hard part: ascending similarity ranks int(0.6n) - n // 2 ..
        # int(0.6n) - 1.
        ascending = members[similarity[members].argsort()].tolist()
        end = int(0.6 * num)
        hard_part = set(ascending[end - num // 2:end])
        assert len(random_part) == len(hard_part) == num // 2
        for m in members.tolist():
            assert weights[m] == (m in random_part) + (m in hard_part)
        assert weights[members].sum() == 2 * (num // 2)
    # The class of one pixel is left out.
    assert weights[labels == 2].tolist() == [0]


@pytest.mark.parametrize('num', range(2, 40))
def test_sampler_hard_band_ranks(num):
    # Similarity increasing with the index: rank r is pixel r. A ratio 0
    # random part leaves the hard band alone.
    labels = torch.zeros(num, dtype=torch.long)
    similarity = torch.linspace(-1, 1, num)
    weights = HardPixelSampler(random_ratio=0)(labels, similarity)
    end = int(0.6 * num)
    assert weights.nonzero()[:, 0].tolist() == list(range(end - num // 2, end))


def test_sampler_hard_band_hand_made():
    # n = 10: the 6 least similar are ranks 0..5, the hardest 1 is dropped.
    similarity = torch.tensor([.9, .1, .5, .3, .0, .7, .2, .8, .4, .6])
    weights = HardPixelSampler(random_ratio=0)(torch.zeros(
        10, dtype=torch.long), similarity)
    # Ascending: 4(.0) 1(.1) 6(.2) 3(.3) 8(.4) 2(.5) 9 5 7 0.
    assert weights.nonzero()[:, 0].tolist() == [1, 2, 3, 6, 8]


def test_sampler_generalised_band():
    # hard_range (0.2, 0.8) on 10 pixels: ranks 8 - 6 = 2 .. 7.
    weights = HardPixelSampler(
        random_ratio=0,
        hard_range=(0.2, 0.8))(torch.zeros(10, dtype=torch.long),
                               torch.arange(10.))
    assert weights.nonzero()[:, 0].tolist() == list(range(2, 8))


def test_sampler_random_part_only():
    labels, similarity = _case()
    torch.manual_seed(0)
    weights = HardPixelSampler(hard_range=(0.6, 0.6 + 1e-9))(labels,
                                                             similarity)
    assert weights.max() == 1
    for cls, num in [(0, 10), (1, 7), (3, 2), (4, 3)]:
        assert weights[labels == cls].sum() == num // 2


def test_sampler_min_pixels():
    labels, similarity = _case()
    weights = HardPixelSampler(min_pixels=4)(labels, similarity)
    assert weights[(labels == 3) | (labels == 4) | (labels == 2)].sum() == 0
    assert weights[labels == 1].sum() == 6


def test_sampler_seeded():
    labels, similarity = _case()
    sampler = HardPixelSampler()
    first, _ = _sample_twice(sampler, labels, similarity, 0)
    again, _ = _sample_twice(sampler, labels, similarity, 0)
    other, _ = _sample_twice(sampler, labels, similarity, 1)
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


def test_sampler_checks_arguments():
    with pytest.raises(ValueError, match='hard_range'):
        HardPixelSampler(hard_range=(0.6, 0.1))
    with pytest.raises(ValueError, match='random_ratio'):
        HardPixelSampler(random_ratio=1.5)
    with pytest.raises(ValueError, match='min_pixels'):
        HardPixelSampler(min_pixels=0)

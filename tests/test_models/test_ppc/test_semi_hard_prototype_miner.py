import pytest
import torch

from mmwsss.models.ppc import SemiHardPrototypeMiner
from mmwsss.registry import TASK_UTILS


def test_miner_keeps_ranks_4_to_13():
    miner = TASK_UTILS.build(dict(type='SemiHardPrototypeMiner'))
    assert isinstance(miner, SemiHardPrototypeMiner)
    # Pixel 0: prototype k has similarity k / 20, so the most similar is 20.
    # Pixel 1: the reverse order. Pixel 2: hand-made order.
    order = [
        7, 3, 12, 0, 19, 5, 20, 1, 9, 14, 2, 18, 11, 6, 4, 16, 8, 13, 10, 15,
        17
    ]  # most similar first
    similarity = torch.zeros(3, 21)
    similarity[0] = torch.arange(21) / 20
    similarity[1] = -torch.arange(21) / 20
    similarity[2, order] = torch.linspace(1, -1, 21)
    kept = miner(similarity)
    assert kept.shape == (3, 10)
    assert kept[0].tolist() == list(range(17, 7, -1))  # ranks 4..13
    assert kept[1].tolist() == list(range(3, 13))
    assert kept[2].tolist() == order[3:13]


def test_miner_custom_and_few_prototypes():
    similarity = torch.tensor([[0.1, 0.9, 0.5, 0.7, 0.3]])
    assert SemiHardPrototypeMiner(1, 2)(similarity).tolist() == [[3, 2]]
    # Fewer prototypes than num_skip + num_keep: the ranks that exist.
    assert SemiHardPrototypeMiner(3, 10)(similarity).tolist() == [[4, 0]]
    assert SemiHardPrototypeMiner(5, 10)(similarity).shape == (1, 0)


def test_miner_ties_keep_lower_index():
    similarity = torch.tensor([[0.5, 0.5, 0.9, 0.5, 0.5]])
    assert SemiHardPrototypeMiner(2, 2)(similarity).tolist() == [[1, 3]]


def test_miner_checks_arguments():
    with pytest.raises(ValueError, match='num_keep'):
        SemiHardPrototypeMiner(3, 0)

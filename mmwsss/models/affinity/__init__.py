from .affinity_head import AffinityHead
from .affinity_loss import AffinityLoss, pair_label_masks
from .affinity_net import AffinityNet
from .affinity_pairs import (dense_affinity, gather_pairs, pair_affinity,
                             pair_indices, pair_offsets)
from .random_walk import random_walk, random_walk_maps, transition_matrix

__all__ = [
    'AffinityHead', 'AffinityLoss', 'AffinityNet', 'dense_affinity',
    'gather_pairs', 'pair_affinity', 'pair_indices', 'pair_label_masks',
    'pair_offsets', 'random_walk', 'random_walk_maps', 'transition_matrix'
]

from .affinity_head import AffinityHead
from .affinity_labels import affinity_labels
from .affinity_loss import AffinityLoss, pair_label_masks
from .affinity_net import AffinityNet
from .affinity_pairs import (dense_affinity, gather_pairs,
                             image_pair_affinity, pair_affinity, pair_indices,
                             pair_offsets, sparse_affinity)
from .random_walk import random_walk, random_walk_maps, transition_matrix

__all__ = [
    'AffinityHead', 'affinity_labels', 'AffinityLoss', 'AffinityNet',
    'dense_affinity', 'gather_pairs', 'image_pair_affinity', 'pair_affinity',
    'pair_indices', 'pair_label_masks', 'pair_offsets', 'random_walk',
    'random_walk_maps', 'sparse_affinity', 'transition_matrix'
]

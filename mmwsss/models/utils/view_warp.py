"""Resampling of view 1's maps onto view 2's grid."""
from typing import Dict, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from mmwsss.structures import view2_to_view1_theta


class ViewWarp:
    """Bring maps of view 1 onto the grid of view 2, batched.

    Built once per batch from the ``view_relation`` of each sample; calling it
    resamples any ``(N, K, h1, w1)`` map of view 1 (CAMs, features, at any
    constant stride) onto an ``(N, K, h2, w2)`` grid with bilinear sampling
    in the pixel-centre convention (``align_corners=False``), which for the
    default relation (a pure resize) equals ``F.interpolate(...,
    mode='bilinear', align_corners=False)``.

    Args:
        relations (Sequence[dict]): One ``view_relation`` per sample.
        size (tuple[int, int]): The grid ``(h2, w2)`` of view 2's maps.
        device (torch.device): Device of the maps.
    """

    def __init__(self, relations: Sequence[Dict], size: Tuple[int, int],
                 device: torch.device) -> None:
        theta = torch.from_numpy(
            np.stack([view2_to_view1_theta(r) for r in relations])).float()
        self.grid = F.affine_grid(
            theta.to(device), (len(relations), 1) + tuple(size),
            align_corners=False)  # (N, h2, w2, 2)
        #: (N, h2, w2) bool, positions of view 2 that view 1 covers.
        self.valid = (self.grid.abs() <= 1).all(dim=-1)

    def __call__(self, x: Tensor) -> Tensor:
        """Resample ``x`` (N, K, h1, w1) onto view 2's grid (N, K, h2, w2)."""
        return F.grid_sample(
            x,
            self.grid.to(x.dtype),
            mode='bilinear',
            padding_mode='border',
            align_corners=False)

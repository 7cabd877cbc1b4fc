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
    constant stride) onto an ``(N, K, h2, w2)`` grid with bilinear sampling.

    The relation says which region of view 1 view 2 shows (all of it for a
    pure resize, a part of it for a crop, more than all of it for a pad,
    mirrored for a flip). Two conventions place the samples:

    - ``align_corners=True`` (the authors'): the corner samples of view 2's
      grid fall on the corner samples of that region of view 1's grid, as
      ``F.interpolate(..., align_corners=True)`` does for a whole map.
      For a pure resize the warp equals ``F.interpolate(x, size,
      mode='bilinear', align_corners=True)`` to float precision, which is
      how the SEAM and PPC authors bring view 1 onto view 2.
    - ``align_corners=False``: pixel centres, the sample of a view-2 pixel
      is the view-1 point at the centre of that pixel. For a pure resize it
      equals ``F.interpolate(..., align_corners=False)``.

    Both use the same affine relation in normalised coordinates, with
    ``[-1, 1]`` spanning the corner samples (True) or the map's outer edges
    (False).

    Args:
        relations (Sequence[dict]): One ``view_relation`` per sample.
        size (tuple[int, int]): The grid ``(h2, w2)`` of view 2's maps.
        device (torch.device): Device of the maps.
        align_corners (bool): The convention above. Defaults to True.
    """

    def __init__(self,
                 relations: Sequence[Dict],
                 size: Tuple[int, int],
                 device: torch.device,
                 align_corners: bool = True) -> None:
        # the grid in float64, rounded once to the maps' dtype when sampling
        theta = np.stack([view2_to_view1_theta(r) for r in relations])
        self.align_corners = align_corners
        self.size = tuple(size)
        #: Whether every view 2 is its view 1 resized: the warp is then a
        #: separable bilinear resize, faster than sampling a grid.
        self.is_resize = bool(
            np.allclose(theta, np.eye(2, 3), rtol=0, atol=1e-9))
        theta = torch.from_numpy(theta)
        self.grid = F.affine_grid(
            theta.to(device), (len(relations), 1) + tuple(size),
            align_corners=align_corners)  # (N, h2, w2, 2)
        #: (N, h2, w2) bool, positions of view 2 that view 1 covers (up to
        #: float rounding of the corner samples).
        self.valid = (self.grid.abs() <= 1 + 1e-5).all(dim=-1)

    def __call__(self, x: Tensor) -> Tensor:
        """Resample ``x`` (N, K, h1, w1) onto view 2's grid (N, K, h2, w2)."""
        if self.is_resize:
            return self._resize(x)
        return F.grid_sample(
            x,
            self.grid.to(x.dtype),
            mode='bilinear',
            padding_mode='border',
            align_corners=self.align_corners)

    def _resize(self, x: Tensor) -> Tensor:
        """``F.interpolate(x, self.size, mode='bilinear')`` as two matrix
        products ``rows @ x @ cols.T``.

        The bilinear weights along each axis are those ``F.interpolate``
        gives a 1-D identity, so the result equals it up to float rounding.
        On CPU this is several times faster forward and backward than
        ``upsample_bilinear2d``, which copies a large input into the
        channels-last layout and returns its gradient in that layout.
        """
        rows, cols = (self._axis_weights(n_in, n_out, x)
                      for n_in, n_out in zip(x.shape[-2:], self.size))
        with torch.autocast(x.device.type, enabled=False):
            return rows @ (x @ cols.t())

    def _axis_weights(self, n_in: int, n_out: int, x: Tensor) -> Tensor:
        """(n_out, n_in) linear-interpolation weights of one axis, in the
        dtype and on the device of ``x``."""
        eye = torch.eye(n_in, dtype=x.dtype, device=x.device)[None]
        return F.interpolate(
            eye, n_out, mode='linear',
            align_corners=self.align_corners)[0].t()

"""Random walk of class scores on an affinity matrix (PSA's inference).

The walk runs on the stride-8 grid with a dense ``(hw, hw)`` transition
matrix: memory grows as ``(hw)^2`` (39 MB in float32 for a 56x56 grid,
i.e. a 448 px image) and each of the ``logt`` squarings costs ``(hw)^3``
multiply-adds, which is fine on grids up to about 64x64 (512 px images).
"""
import math

import torch.nn.functional as F
from torch import Tensor


def transition_matrix(affinity: Tensor,
                      beta: float = 8.,
                      logt: int = 6) -> Tensor:
    """The ``2^logt``-step transition matrix of an affinity matrix.

    ``T = A^beta`` (element-wise) normalised so that every column sums to
    1, then squared ``logt`` times.

    Args:
        affinity (Tensor): ``(hw, hw)`` non-negative affinities with a
            positive diagonal.
        beta (float): Sharpening exponent. Defaults to 8.
        logt (int): Number of squarings. Defaults to 6 (64 steps).

    Returns:
        Tensor: ``(hw, hw)`` column-stochastic matrix.
    """
    trans = affinity.float().pow(beta)
    trans = trans / trans.sum(dim=0, keepdim=True)
    for _ in range(logt):
        trans = trans @ trans
    return trans


def random_walk(scores: Tensor,
                affinity: Tensor,
                beta: float = 8.,
                logt: int = 6) -> Tensor:
    """Propagate grid scores along the affinities.

    ``out[:, j] = sum_i scores[:, i] * T[i, j]`` with ``T`` the transition
    matrix of :func:`transition_matrix`.

    Args:
        scores (Tensor): ``(C, h, w)`` scores on the grid.
        affinity (Tensor): ``(h * w, h * w)`` affinity matrix of the grid.
        beta (float): Sharpening exponent. Defaults to 8.
        logt (int): Number of squarings. Defaults to 6.

    Returns:
        Tensor: ``(C, h, w)`` propagated scores.
    """
    c, h, w = scores.shape
    if affinity.shape != (h * w, h * w):
        raise ValueError(f'The affinity matrix {tuple(affinity.shape)} does '
                         f'not match the {h}x{w} grid of the scores.')
    trans = transition_matrix(affinity, beta, logt)
    return (scores.float().reshape(c, h * w) @ trans).view(c, h, w)


def random_walk_maps(scores: Tensor,
                     affinity: Tensor,
                     stride: int = 8,
                     beta: float = 8.,
                     logt: int = 6) -> Tensor:
    """Random walk of full-resolution score maps.

    The maps are zero-padded to a multiple of ``stride``, average-pooled
    onto the grid, propagated by :func:`random_walk`, upsampled bilinearly
    to the padded size and cropped back.

    Args:
        scores (Tensor): ``(C, H, W)`` score maps.
        affinity (Tensor): ``(hw, hw)`` affinity matrix of the
            ``ceil(H / stride)`` x ``ceil(W / stride)`` grid.
        stride (int): Grid stride. Defaults to 8.
        beta (float): Sharpening exponent. Defaults to 8.
        logt (int): Number of squarings. Defaults to 6.

    Returns:
        Tensor: ``(C, H, W)`` propagated scores.
    """
    height, width = scores.shape[-2:]
    h, w = math.ceil(height / stride), math.ceil(width / stride)
    padded = F.pad(scores.float(),
                   (0, w * stride - width, 0, h * stride - height))
    grid = F.avg_pool2d(padded[None], stride)[0]  # (C, h, w)
    walked = random_walk(grid, affinity, beta, logt)
    up = F.interpolate(
        walked[None],
        size=(h * stride, w * stride),
        mode='bilinear',
        align_corners=False)[0]
    return up[:, :height, :width]

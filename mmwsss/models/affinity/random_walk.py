"""Random walk of class scores on an affinity matrix (PSA's inference).

The walk runs on the stride-8 grid in one of two ways, chosen by the
layout of the affinity matrix:

- dense (PSA's): the ``(hw, hw)`` transition matrix is squared ``logt``
  times. It holds three float32 ``(hw, hw)`` matrices at once,
  :func:`dense_walk_bytes` (189 MB for a 63x63 grid, i.e. a 500x500
  image; 1.66 GB for 1000x750), and each squaring costs ``(hw)^3``
  multiply-adds;
- sparse: the one-step transition matrix keeps the affinities within the
  pair radius only and is applied ``2^logt`` times to the ``(C, hw)``
  scores: memory and time grow as ``hw``. The result equals the dense
  walk's up to float32 rounding (the products are summed in another
  order), not bit for bit.
"""
import math
import warnings

import torch
import torch.nn.functional as F
from torch import Tensor


def dense_walk_bytes(num_positions: int) -> int:
    """Peak bytes of the dense walk of a grid of ``num_positions``.

    The affinity matrix, the transition matrix and its square are float32
    ``(hw, hw)`` matrices alive at once.

    Args:
        num_positions (int): ``h * w``.

    Returns:
        int: ``3 * 4 * (hw)^2``.
    """
    return 3 * 4 * num_positions**2


def max_dense_positions(max_bytes: int) -> int:
    """The most grid positions whose dense walk fits in ``max_bytes``.

    Args:
        max_bytes (int): Memory budget of :func:`dense_walk_bytes`.

    Returns:
        int: The largest ``hw`` with ``dense_walk_bytes(hw) <= max_bytes``.
    """
    return math.isqrt(int(max_bytes) // 12)


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


def step_matrix(affinity: Tensor, beta: float = 8.) -> Tensor:
    """The transposed one-step transition matrix of a sparse affinity.

    Row ``j`` holds column ``j`` of ``T = A^beta`` normalised so that
    every column sums to 1 (:func:`transition_matrix` with ``logt`` 0).

    Args:
        affinity (Tensor): ``(hw, hw)`` sparse COO non-negative affinities
            with a positive diagonal.
        beta (float): Sharpening exponent. Defaults to 8.

    Returns:
        Tensor: ``(hw, hw)`` sparse CSR matrix ``T^T``.
    """
    affinity = affinity.coalesce()
    rows, cols = affinity.indices()
    values = affinity.values().float().pow(beta)
    col_sums = values.new_zeros(affinity.shape[1]).index_add_(0, cols, values)
    step = torch.sparse_coo_tensor(
        torch.stack([cols, rows]),
        values / col_sums[cols],
        affinity.shape,
        check_invariants=False).coalesce()
    with warnings.catch_warnings():  # CSR matmul: 4x faster than COO's
        warnings.filterwarnings(
            'ignore', 'Sparse CSR tensor support is in beta')
        return step.to_sparse_csr()


def random_walk(scores: Tensor,
                affinity: Tensor,
                beta: float = 8.,
                logt: int = 6) -> Tensor:
    """Propagate grid scores along the affinities.

    ``out[:, j] = sum_i scores[:, i] * T[i, j]`` with ``T`` the transition
    matrix of :func:`transition_matrix`. A sparse ``affinity`` (e.g. of
    :func:`sparse_affinity`) walks ``2^logt`` single steps of
    :func:`step_matrix` instead of squaring the dense matrix.

    Args:
        scores (Tensor): ``(C, h, w)`` scores on the grid.
        affinity (Tensor): ``(h * w, h * w)`` affinity matrix of the grid,
            dense or sparse COO.
        beta (float): Sharpening exponent. Defaults to 8.
        logt (int): Number of squarings. Defaults to 6.

    Returns:
        Tensor: ``(C, h, w)`` propagated scores.
    """
    c, h, w = scores.shape
    if affinity.shape != (h * w, h * w):
        raise ValueError(f'The affinity matrix {tuple(affinity.shape)} does '
                         f'not match the {h}x{w} grid of the scores.')
    flat = scores.float().reshape(c, h * w)
    if affinity.layout == torch.strided:
        return (flat @ transition_matrix(affinity, beta, logt)).view(c, h, w)
    step = step_matrix(affinity, beta)
    walked = flat.t()
    for _ in range(2**logt):
        walked = step @ walked
    return walked.t().reshape(c, h, w)


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
            ``ceil(H / stride)`` x ``ceil(W / stride)`` grid, dense or
            sparse COO (see :func:`random_walk`).
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

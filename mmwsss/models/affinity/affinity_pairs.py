"""Pairs of feature-grid positions within a radius, AffinityNet's pair set.

AffinityNet (PSA) predicts the affinity of two positions of the stride-8
feature grid that lie closer than a radius ``r``. Every unordered pair is
listed once, from a "from" position to a "to" position at one of the
offsets of a half disc::

    (0, dx)   for dx in 1 .. r-1
    (dy, dx)  for dy in 1 .. r-1, dx in -(r-1) .. r-1, dx^2 + dy^2 < r^2

and only "from" positions whose every offset stays inside the grid are
used: rows ``0 .. h-r`` and columns ``r-1 .. w-r``. Pairs are laid out as
``(P, M)``: offset-major, then the "from" positions in row-major order.
"""
from functools import lru_cache
from typing import Tuple, Union

import torch
from torch import Tensor


@lru_cache(maxsize=None)
def pair_offsets(radius: int) -> Tuple[Tuple[int, int], ...]:
    """The ``(dy, dx)`` offsets of the half disc of ``radius``.

    Args:
        radius (int): Pairs are strictly closer than this (>= 2: within
            radius 1 a position has no neighbour).

    Returns:
        tuple[tuple[int, int], ...]: The P offsets, in the order of the pair
        layout (34 for radius 5).

    Raises:
        ValueError: If ``radius`` is below 2.
    """
    if radius < 2:
        raise ValueError(f'The pair radius must be at least 2 (a position has '
                         f'no neighbour closer than 1), got {radius}.')
    r = radius - 1
    offsets = [(0, dx) for dx in range(1, radius)]
    offsets += [(dy, dx) for dy in range(1, radius)
                for dx in range(-r, radius) if dx * dx + dy * dy < radius**2]
    return tuple(offsets)


@lru_cache(maxsize=64)
def pair_indices(
        height: int,
        width: int,
        radius: int,
        device: Union[str, torch.device] = 'cpu') -> Tuple[Tensor, Tensor]:
    """Flat indices of the pairs of a ``height`` x ``width`` grid.

    The result is cached per grid size, radius and device: treat the
    returned tensors as read-only.

    Args:
        height (int): Grid height.
        width (int): Grid width.
        radius (int): Pair radius.
        device (str | torch.device): Device of the indices. Defaults to
            'cpu'.

    Returns:
        tuple[Tensor, Tensor]: ``idx_from`` ``(M,)`` and ``idx_to``
        ``(P, M)`` long indices into the flattened grid; M is 0 when the
        grid is smaller than the half disc.
    """
    r = radius - 1
    offsets = torch.tensor(pair_offsets(radius), device=device)  # (P, 2)
    ys = torch.arange(max(height - r, 0), device=device)
    xs = torch.arange(r, max(width - r, r), device=device)
    from_y, from_x = (
        g.flatten() for g in torch.meshgrid(ys, xs, indexing='ij'))
    to_y = from_y[None] + offsets[:, :1]  # (P, M)
    to_x = from_x[None] + offsets[:, 1:]
    return from_y * width + from_x, to_y * width + to_x


def gather_pairs(x: Tensor, radius: int) -> Tuple[Tensor, Tensor]:
    """Values of ``x`` at both ends of every pair.

    Args:
        x (Tensor): ``(N, C, h, w)`` map (features or labels).
        radius (int): Pair radius.

    Returns:
        tuple[Tensor, Tensor]: ``(N, C, 1, M)`` values at the "from"
        positions and ``(N, C, P, M)`` values at the "to" positions.
    """
    n, c = x.shape[:2]
    idx_from, idx_to = pair_indices(*x.shape[-2:], radius, x.device)
    flat = x.flatten(2)  # (N, C, h * w)
    # index_select: a faster backward on CPU than advanced indexing
    x_from = flat.index_select(2, idx_from)[:, :, None]
    x_to = flat.index_select(2, idx_to.flatten()).view(n, c, *idx_to.shape)
    return x_from, x_to


def pair_affinity(feat: Tensor, radius: int) -> Tensor:
    """AffinityNet's affinity ``exp(-mean_c |f_i - f_j|)`` of every pair.

    Args:
        feat (Tensor): ``(N, D, h, w)`` pixel embeddings.
        radius (int): Pair radius.

    Returns:
        Tensor: ``(N, P, M)`` affinities in (0, 1].
    """
    feat_from, feat_to = gather_pairs(feat, radius)
    return torch.exp(-(feat_to - feat_from).abs().mean(dim=1))


def image_pair_affinity(feat: Tensor,
                        radius: int,
                        strip_positions: int = 512) -> Tensor:
    """:func:`pair_affinity` of one image, a strip of rows at a time.

    :func:`pair_affinity` holds ``(D, P, M)`` temporaries: 1.9 GB for a
    448-channel 125x94 grid (1000x750 px). Here the "from" positions are
    taken in strips of whole rows of at most ``strip_positions``
    positions (with the ``radius - 1`` rows below them), so that the
    temporaries stay below 94 MB at 448 channels. The values equal
    :func:`pair_affinity`'s up to float32 rounding: the channel mean of a
    narrower tensor may be summed in another order.

    Args:
        feat (Tensor): ``(D, h, w)`` pixel embeddings of one image.
        radius (int): Pair radius.
        strip_positions (int): "From" positions per strip, rounded down to
            whole rows (at least one). Defaults to 512.

    Returns:
        Tensor: ``(P, M)`` affinities, laid out as :func:`pair_affinity`'s.
    """
    height, width = feat.shape[-2:]
    rows = max(1, strip_positions // width)
    reach = radius - 1  # rows below the "from" rows that pairs reach
    strips = [
        pair_affinity(feat[None, :, top:top + rows + reach], radius)[0]
        for top in range(0, max(height - reach, 1), rows)
    ]
    return torch.cat(strips, dim=1)


def dense_affinity(feat: Tensor, radius: int) -> Tensor:
    """The dense affinity matrix of one image's grid.

    The pairs within ``radius`` in both directions, 1 on the diagonal and 0
    elsewhere. It holds ``(h * w)^2`` values: 39 MB in float32 for a 56x56
    grid (448 px at stride 8), 252 MB for 80x80.

    Args:
        feat (Tensor): ``(D, h, w)`` pixel embeddings of one image.
        radius (int): Pair radius.

    Returns:
        Tensor: ``(h * w, h * w)`` symmetric affinity matrix.
    """
    _, h, w = feat.shape
    idx_from, idx_to = pair_indices(h, w, radius, feat.device)
    aff = pair_affinity(feat[None], radius)[0]  # (P, M)
    idx_from = idx_from.expand_as(idx_to)
    dense = torch.eye(h * w, dtype=aff.dtype, device=aff.device)
    dense[idx_from, idx_to] = aff
    dense[idx_to, idx_from] = aff
    return dense


def sparse_affinity(feat: Tensor, radius: int) -> Tensor:
    """The affinity matrix of :func:`dense_affinity` as a sparse tensor.

    It holds the ``2P + 1`` values of every grid position (69 for radius
    5) instead of ``h * w``: 16 MB of indices and values for a 125x94
    grid (1000x750 px), where the dense matrix takes 552 MB. The pair
    affinities come from :func:`image_pair_affinity`, so building it holds
    memory linear in ``h * w`` only.

    Args:
        feat (Tensor): ``(D, h, w)`` pixel embeddings of one image.
        radius (int): Pair radius.

    Returns:
        Tensor: ``(h * w, h * w)`` coalesced sparse COO tensor, equal to
        the dense one up to float32 rounding.
    """
    _, h, w = feat.shape
    idx_from, idx_to = pair_indices(h, w, radius, feat.device)
    aff = image_pair_affinity(feat, radius).flatten()  # (P * M)
    idx_from = idx_from.expand_as(idx_to).flatten()
    idx_to = idx_to.flatten()
    diag = torch.arange(h * w, device=feat.device)
    indices = torch.stack([
        torch.cat([idx_from, idx_to, diag]),
        torch.cat([idx_to, idx_from, diag])
    ])
    values = torch.cat([aff, aff, aff.new_ones(h * w)])
    return torch.sparse_coo_tensor(
        indices, values, (h * w, h * w), check_invariants=False).coalesce()

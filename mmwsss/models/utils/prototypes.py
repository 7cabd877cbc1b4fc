"""Pseudo labels and class prototypes of one view, for prototype contrast."""
from typing import NamedTuple, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmwsss.structures import CAMLayout


class PseudoLabelsAndPrototypes(NamedTuple):
    """The contrast targets of one view (or of several, stacked).

    Attributes:
        pseudo_labels (Tensor): (..., N, h, w) long, the class of each
            position in ``[0, C]``, or -1 where the position is not usable.
        prototypes (Tensor): (..., C + 1, D), one L2-normalised prototype
            per class (absent classes included, they serve as negatives).
    """
    pseudo_labels: Tensor
    prototypes: Tensor


def _order_key(scores: Tensor) -> Tensor:
    """An int64 key per float32 score that orders like the score.

    The bits of a float32 read as an int32 order like the value for
    non-negative floats and in reverse for negative ones; flipping the 31
    low bits of the negative ones makes the whole map monotonic (``-0.0`` is
    first turned into ``+0.0`` so that the two zeros tie).

    Args:
        scores (Tensor): Finite float32 scores.

    Returns:
        Tensor: int64 keys of the same shape.
    """
    bits = (scores + 0.0).view(torch.int32)
    return torch.where(bits < 0, bits ^ 0x7FFFFFFF, bits).long()


def _topk(scores: Tensor, usable: Tensor, k: int,
          ties: str) -> Tuple[Tensor, Tensor]:
    """Top-k per row of float32 scores, unusable positions after all usable
    ones.

    ``torch.topk`` leaves the order of ties to the device and algorithm: on
    CUDA, and on CPU when ``64 * k <= L`` (a partial sort), tied scores are
    taken lowest position first; on CPU otherwise (a selection) another set
    of the tied positions is taken. ``ties='lowest_index'`` defines the
    order on every device: the int64 key ``order_key(score) * 2**32 +
    (2**31 - 1 - position)`` is distinct per position and orders by score,
    then by lower position (a stable sort of the whole row gives the same
    order but is an order of magnitude slower). ``ties='torch'`` calls
    ``torch.topk`` on the scores, as the authors' code.

    Args:
        scores (Tensor): (R, L) float32 scores.
        usable (Tensor): (L,) bool usable positions.
        k (int): Number of positions kept per row, at most L.
        ties (str): ``'lowest_index'`` or ``'torch'``.

    Returns:
        tuple[Tensor, Tensor]: The (R, k) scores and positions, by
        decreasing score.
    """
    if ties == 'torch':
        index = scores.masked_fill(~usable, float('-inf')).topk(
            k, dim=1).indices
    else:
        position = torch.arange(scores.shape[1], device=scores.device)
        key = _order_key(scores) * 2**32 + (2**31 - 1 - position)
        key = key.masked_fill(~usable, torch.iinfo(torch.int64).min)
        index = key.topk(k, dim=1).indices  # (R, k)
    return scores.gather(1, index), index


def pseudo_labels_and_prototypes(
        cam: Tensor,
        feats: Tensor,
        labels: Tensor,
        bg_index: int,
        bg_score: float,
        topk_divisor: int,
        valid: Optional[Tensor] = None,
        ties: str = 'lowest_index') -> PseudoLabelsAndPrototypes:
    """Compute the pseudo labels and the class prototypes of one view.

    Without gradient and in float32 (autocast is disabled inside), as the
    authors' code computes them:

    1. On the ReLU'd CAM, with ``min`` and ``max`` taken per image and
       channel over the usable positions, the scores below ``min + 1e-5``
       are set to 0, then ``norm = (cam - min - 1e-5) / (max - min + 1e-5)``.
       The positions at the minimum thus score ``-(min + 1e-5) / (max - min
       + 1e-5)`` (below 0; -1 for a channel that is 0 over the whole
       image). The background channel is then set to ``bg_score``.
    2. The pseudo label is the argmax of ``softmax(norm * label_with_bg)``
       over the channels, the first maximum on ties: absent classes score 0
       there, so with ``bg_score > 0`` they never win.
    3. For every channel k, the ``K = h * w // topk_divisor`` positions of
       the whole batch with the largest ``norm[:, k]`` (ties broken by the
       lowest flat (n, y, x) index, so that the result is the same on every
       device, or as ``torch.topk`` breaks them, see ``ties``) give the
       prototype: the ``norm``-weighted mean of the
       detached features (sum of weighted features over the sum of the
       weights), L2-normalised. A constant channel thus takes the first K
       usable positions of the batch (with the default ``ties``): the
       background channel, and a class
       whose CAM is 0 over the whole batch (its weights are all -1, so its
       prototype is the plain mean of those positions' features, the same
       as the background's).

    Args:
        cam (Tensor): (..., N, C + 1, h, w) refined CAM, C foreground
            channels and the background channel at ``bg_index``; leading
            dimensions are views, each computed on its own (the top-K is
            batch-wide within a view). Detached here.
        feats (Tensor): (..., N, D, h, w) projected features on the same
            grid.
            Detached here.
        labels (Tensor): (N, C) binary multi-hot image labels.
        bg_index (int): Index of the background channel, 0 or -1.
        bg_score (float): The constant background score, > 0.
        topk_divisor (int): ``K = h * w // topk_divisor`` (at least 1).
        valid (Tensor, optional): (N, h, w) bool, the usable positions.
            Unusable positions are left out of min-max, never enter the
            top-K and get label -1. Defaults to None (all usable).
        ties (str): How tied scores enter the top-K: ``'lowest_index'``
            (lowest position first, on every device; what ``torch.topk``
            does on CUDA and, at the authors' shapes, on CPU) or
            ``'torch'`` (``torch.topk`` of the running device, which on CPU
            takes other tied positions when ``64 * K > N * h * w``).
            Defaults to 'lowest_index'.

    Returns:
        PseudoLabelsAndPrototypes: pseudo labels (..., N, h, w) and
        prototypes (..., C + 1, D), both without gradient.
    """
    num_imgs, num_channels, height, width = cam.shape[-4:]
    lead = cam.shape[:-4]  # views computed at once, each on its own
    if feats.shape[:-4] != lead or feats.shape[-4] != num_imgs or \
            feats.shape[-2:] != cam.shape[-2:]:
        raise ValueError(f'feats {tuple(feats.shape)} and cam '
                         f'{tuple(cam.shape)} must share views, batch and '
                         'grid')
    if labels.shape != (num_imgs, num_channels - 1):
        raise ValueError(f'labels {tuple(labels.shape)} must be '
                         f'({num_imgs}, {num_channels - 1}) for cam '
                         f'{tuple(cam.shape)}')
    if not bg_score > 0:
        raise ValueError(f'bg_score must be > 0, got {bg_score}')
    if ties not in ('lowest_index', 'torch'):
        raise ValueError(f"ties must be 'lowest_index' or 'torch', got "
                         f'{ties!r}')
    layout = CAMLayout(bg_index, dim=2)
    num_pos = height * width

    with torch.no_grad(), torch.autocast(cam.device.type, enabled=False):
        cam = cam.detach().float().reshape(-1, num_imgs, num_channels, height,
                                           width).relu()
        feats = feats.detach().float().reshape(
            len(cam), num_imgs, -1, num_pos)  # (V, N, D, h * w)
        if valid is None:
            high = cam.amax((3, 4), keepdim=True)
            low = cam.amin((3, 4), keepdim=True)  # (V, N, C + 1, 1, 1)
        else:
            usable = valid[:, None]  # (N, 1, h, w)
            high = cam.masked_fill(~usable, 0).amax((3, 4), keepdim=True)
            low = cam.masked_fill(~usable, float('inf')).amin((3, 4),
                                                              keepdim=True)
            # An image without usable position would get low = inf.
            low = torch.minimum(low, high)
        cam = cam.masked_fill(cam < low + 1e-5, 0)
        norm = (cam - low - 1e-5) / (high - low + 1e-5)
        layout.background(norm).fill_(bg_score)  # (V, N, C + 1, h, w)
        label_with_bg = layout.label_with_background(labels)
        scores = (norm * label_with_bg[:, :, None, None].float()).softmax(2)
        pseudo_labels = scores.argmax(dim=2)  # (V, N, h, w)

        topk = max(num_pos // topk_divisor, 1)
        if valid is None:
            usable = cam.new_ones(num_imgs * num_pos, dtype=torch.bool)
        else:
            pseudo_labels = pseudo_labels.masked_fill(~valid, -1)
            norm = norm.masked_fill(~usable, 0)
            usable = valid.flatten()
        flat_norm = norm.transpose(1, 2).reshape(
            -1, num_imgs * num_pos)  # (V * (C + 1), N * h * w)
        top_values, top_index = _topk(flat_norm, usable, topk, ties)
        top_values = top_values.view(-1, num_channels, topk)
        top_index = top_index.view(-1, num_channels, topk)  # (V, C + 1, K)
        # Gather without a (N * h * w, D) copy of the features.
        view = torch.arange(len(feats), device=feats.device)[:, None, None]
        top_feats = feats[view, top_index // num_pos, :,
                          top_index % num_pos]  # (V, C + 1, K, D)
        prototypes = torch.einsum('vck,vckd->vcd', top_values, top_feats)
        prototypes = prototypes / top_values.sum(2, keepdim=True)
        prototypes = F.normalize(prototypes, dim=2)  # (V, C + 1, D)
    return PseudoLabelsAndPrototypes(
        pseudo_labels.view(lead + (num_imgs, height, width)),
        prototypes.view(lead + (num_channels, -1)))

"""Pseudo labels and class prototypes of one view, for prototype contrast."""
from typing import NamedTuple, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor


class PseudoLabelsAndPrototypes(NamedTuple):
    """The contrast targets of one view.

    Attributes:
        pseudo_labels (Tensor): (N, h, w) long, the class of each position
            in ``[0, C]``, or -1 where the position is not usable.
        prototypes (Tensor): (C + 1, D), one L2-normalised prototype per
            class (absent classes included, they serve as negatives). A class
            whose top positions all score 0 gets the zero vector.
    """
    pseudo_labels: Tensor
    prototypes: Tensor


def _topk_lowest_index_first(scores: Tensor, usable: Tensor,
                             k: int) -> Tuple[Tensor, Tensor]:
    """Top-k per row of non-negative float32 scores, ties to the lower
    position, unusable positions after all usable ones.

    ``torch.topk`` leaves the order of ties to the device; a stable sort of
    the whole row gives this order but is an order of magnitude slower. The
    bits of a non-negative float32, read as an integer, order like its
    value, so the int64 key ``bits * 2**31 + (2**31 - 1 - position)`` is
    distinct per position and orders by score, then by lower position.

    Args:
        scores (Tensor): (R, L) float32 scores, >= 0.
        usable (Tensor): (L,) bool usable positions.
        k (int): Number of positions kept per row, at most L.

    Returns:
        tuple[Tensor, Tensor]: The (R, k) scores and positions, by
        decreasing key.
    """
    position = torch.arange(scores.shape[1], device=scores.device)
    key = scores.view(torch.int32).long() * 2**31 + (2**31 - 1 - position)
    key = key.masked_fill(~usable, -1)  # (R, L)
    index = key.topk(k, dim=1).indices
    return scores.gather(1, index), index


def pseudo_labels_and_prototypes(
        cam: Tensor,
        feats: Tensor,
        labels: Tensor,
        bg_index: int,
        bg_score: float,
        topk_divisor: int,
        valid: Optional[Tensor] = None) -> PseudoLabelsAndPrototypes:
    """Compute the pseudo labels and the class prototypes of one view.

    Without gradient and in float32 (autocast is disabled inside):

    1. ``norm = relu(cam - min - 1e-5) / (max - min + 1e-5)`` on the ReLU'd
       CAM, min and max taken per image and channel over the usable
       positions; the background channel is then set to ``bg_score``.
    2. The pseudo label is the argmax of ``norm`` over the classes of the
       image label and background; absent classes are never chosen. With
       ``bg_score > 0`` this is the method's argmax of
       ``softmax(norm * label_with_bg)`` (softmax is monotonic, and an absent
       class, scored 0 there, loses to the background), without the softmax;
       masking the absent classes also keeps them out when ``bg_score = 0``.
    3. For every channel k, the ``K = h * w // topk_divisor`` positions of
       the whole batch with the largest ``norm[:, k]`` (ties broken by the
       lowest flat (n, y, x) index, so the result is the same on every
       device) give the prototype: the ``norm``-weighted mean of the
       detached features, L2-normalised. The mean is taken up to its
       positive scale (the weighted sum), which the normalisation removes,
       so no division by the weight sum is needed: top values that are all
       0 give the zero vector instead of NaN. Note that the background
       channel is constant, so its top-K positions are the first K usable
       positions of the batch.

    Args:
        cam (Tensor): (N, C + 1, h, w) refined CAM, C foreground channels
            and the background channel at ``bg_index``. Detached here.
        feats (Tensor): (N, D, h, w) projected features on the same grid.
            Detached here.
        labels (Tensor): (N, C) binary multi-hot image labels.
        bg_index (int): Index of the background channel, 0 or -1 / C.
        bg_score (float): The constant background score, >= 0.
        topk_divisor (int): ``K = h * w // topk_divisor`` (at least 1).
        valid (Tensor, optional): (N, h, w) bool, the usable positions.
            Unusable positions are left out of min-max, never enter the
            top-K and get label -1. Defaults to None (all usable).

    Returns:
        PseudoLabelsAndPrototypes: pseudo labels (N, h, w) and prototypes
        (C + 1, D), both without gradient.
    """
    num_imgs, num_channels, height, width = cam.shape
    if feats.shape[0] != num_imgs or feats.shape[2:] != cam.shape[2:]:
        raise ValueError(f'feats {tuple(feats.shape)} and cam '
                         f'{tuple(cam.shape)} must share batch and grid')
    if labels.shape != (num_imgs, num_channels - 1):
        raise ValueError(f'labels {tuple(labels.shape)} must be '
                         f'({num_imgs}, {num_channels - 1}) for cam '
                         f'{tuple(cam.shape)}')
    if bg_score < 0:
        raise ValueError(f'bg_score must be >= 0, got {bg_score}')
    bg_index = bg_index % num_channels
    if valid is None:
        valid = cam.new_ones((num_imgs, height, width), dtype=torch.bool)
    usable = valid[:, None]  # (N, 1, h, w)

    with torch.no_grad(), torch.autocast(cam.device.type, enabled=False):
        cam = cam.detach().float().relu()
        high = cam.masked_fill(~usable, 0).amax((2, 3), keepdim=True)
        low = cam.masked_fill(~usable, float('inf')).amin((2, 3), keepdim=True)
        # An image without usable position would get low = inf.
        low = torch.minimum(low, high)  # (N, C + 1, 1, 1)
        norm = (cam - low - 1e-5).relu() / (high - low + 1e-5)
        norm[:, bg_index] = bg_score  # (N, C + 1, h, w)

        ones = labels.new_ones((num_imgs, 1))
        label_with_bg = torch.cat(
            [labels[:, :bg_index], ones, labels[:, bg_index:]], dim=1) > 0
        scores = norm.masked_fill(~label_with_bg[:, :, None, None], -1)
        # max, like argmax, returns the first maximum, and is several times
        # faster than argmax over a non-last dimension on CPU.
        pseudo_labels = scores.max(dim=1).indices.masked_fill(~valid, -1)

        topk = max(height * width // topk_divisor, 1)
        flat_norm = norm.masked_fill(~usable, 0).transpose(0, 1).reshape(
            num_channels, -1)  # (C + 1, N * h * w)
        top_values, top_index = _topk_lowest_index_first(
            flat_norm, valid.flatten(), topk)  # (C + 1, K)
        # Gather without a (N * h * w, D) copy of the features.
        top_feats = feats.detach().float().flatten(
            2)[top_index // (height * width), :,
               top_index % (height * width)]  # (C + 1, K, D)
        prototypes = torch.einsum('ck,ckd->cd', top_values, top_feats)
        prototypes = F.normalize(prototypes, dim=1)  # (C + 1, D)
    return PseudoLabelsAndPrototypes(pseudo_labels, prototypes)

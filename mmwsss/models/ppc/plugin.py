"""Pixel-to-prototype contrast, a plug-in regulariser of WSSS classifiers:
the pseudo labels and class prototypes of each view, and the plug-in that
feeds them with both views' pixel features to the contrast losses."""
from typing import (Callable, Dict, List, NamedTuple, Optional, Sequence,
                    Tuple)

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.utils import ConfigType, OptMultiConfig
from torch import Tensor, nn

from mmwsss.registry import MODELS
from mmwsss.structures import CAMLayout, required_bg_index
from .losses import two_view_similarity


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
        pseudo_label_bg_score: float,
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
       image). The background channel is then set to
       ``pseudo_label_bg_score``.
    2. The pseudo label is the argmax of ``softmax(norm * label_with_bg)``
       over the channels, the first maximum on ties: absent classes score 0
       there, so with ``pseudo_label_bg_score > 0`` they never win.
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
        pseudo_label_bg_score (float): The constant background score, > 0.
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
    if not pseudo_label_bg_score > 0:
        raise ValueError(f'pseudo_label_bg_score must be > 0, got '
                         f'{pseudo_label_bg_score}')
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
        # (V, N, C + 1, h, w)
        layout.background(norm).fill_(pseudo_label_bg_score)
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


def authors_contrast_losses() -> List[dict]:
    """The PPC authors' contrast losses, as configs of MODELS.

    Returns:
        list[dict]: Cross-prototype, cross-pseudo-label and intra-view
        contrast with their defaults, which are the authors' (weight 0.1,
        temperature 0.1; the intra-view one with semi-hard prototype mining
        and hard pixel sampling).
    """
    return [
        dict(type='CrossPrototypeContrastLoss'),
        dict(type='CrossPseudoLabelContrastLoss'),
        dict(type='IntraViewContrastLoss')
    ]


@MODELS.register_module()
class PixelPrototypeContrast(BaseModule):
    """Pixel-to-prototype contrast (PPC) between the two views of a
    classifier.

    Training only: the classifier calls :meth:`loss` with its last features
    and refined CAMs of both views and adds the returned losses to its own;
    it does not call the plug-in at inference.

    Per view, the projected features and the refined CAM give pseudo labels
    and class prototypes (see :func:`pseudo_labels_and_prototypes`), then each
    loss module contrasts the L2-normalised pixel features with them.

    The defaults are the authors': a 128-d projection (+ ReLU) of the
    classifier's last feature, the cross-prototype, cross-pseudo-label and
    intra-view contrast (weights 0.1, temperature 0.1) with semi-hard
    prototype mining (skip 3, keep 10) and hard pixel sampling (half random,
    half from the 10%-60% least similar), and SEAM's constants (background
    score 0.20, top-k ``h * w // 8``); EPS + PPC sets 0.10 and 16.

    Args:
        in_channels (int, optional): Channels of the classifier feature that
            the projection reads, unless ``projection`` names its own; the
            classifier gives its CAM head's input channels. Defaults to None.
        projection (dict, optional): Config of the projection head (MODELS).
            Defaults to None: ``ProjectionHead`` (128 channels).
        losses (Sequence[dict], optional): Configs of the contrast losses
            (MODELS), each called as ``loss(similarity, labels)`` with both
            views' similarities and pseudo labels (:meth:`contrast_inputs`),
            see :class:`BasePrototypeContrastLoss`, and with a distinct
            ``loss_name``. Defaults to None: the authors' three
            (:func:`authors_contrast_losses`).
        pseudo_label_bg_score (float): The constant background score of the
            pseudo labels (0.20 for SEAM, 0.10 for EPS; not the seed
            threshold ``test_cfg.bg_score``). Defaults to 0.20.
        topk_divisor (int): A prototype is made of the ``h * w //
            topk_divisor`` top positions of the batch (8 for SEAM, 16 for
            EPS). Defaults to 8.
        topk_ties (str): How tied CAM scores enter a prototype's top
            positions: ``'lowest_index'`` (the same on every device; what
            ``torch.topk`` does on CUDA, and on CPU at the authors' shapes)
            or ``'torch'`` (``torch.topk`` of the running device, as the
            authors' code), see :func:`pseudo_labels_and_prototypes`.
            Defaults to 'lowest_index'.
        bg_index (int, optional): Index of the background channel of the
            CAMs, 0 or -1; the classifier gives its own. Required.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to None.
    """

    def __init__(self,
                 in_channels: Optional[int] = None,
                 projection: Optional[ConfigType] = None,
                 losses: Optional[Sequence[ConfigType]] = None,
                 pseudo_label_bg_score: float = 0.20,
                 topk_divisor: int = 8,
                 topk_ties: str = 'lowest_index',
                 bg_index: Optional[int] = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg)
        self.bg_index = required_bg_index(bg_index, type(self).__name__)
        projection = dict(projection or dict(type='ProjectionHead'))
        if in_channels is not None:
            projection.setdefault('in_channels', in_channels)
        self.projection = MODELS.build(projection)
        self.losses = nn.ModuleList([
            MODELS.build(cfg)
            for cfg in (losses if losses is not None else
                        authors_contrast_losses())
        ])
        names = [loss.loss_name for loss in self.losses]
        if len(set(names)) != len(names):
            raise ValueError(f'The losses of PixelPrototypeContrast need '
                             f'distinct loss_name values, got {names}')
        self.pseudo_label_bg_score = pseudo_label_bg_score
        self.topk_divisor = topk_divisor
        self.topk_ties = topk_ties

    def loss(self,
             feats: Tuple[Tensor, Tensor],
             cams: Tuple[Tensor, Tensor],
             labels: Tensor,
             warp: Callable[[Tensor], Tensor],
             valid: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Compute the contrast losses of a batch of two views.

        Args:
            feats (tuple[Tensor, Tensor]): The classifier's last features of
                view 1 (N, Cin, h1, w1) and view 2 (N, Cin, h2, w2).
            cams (tuple[Tensor, Tensor]): The refined CAMs of view 1
                (N, C + 1, h1, w1) and view 2 (N, C + 1, h2, w2) at the
                feature stride. They are detached here.
            labels (Tensor): (N, C) multi-hot image labels.
            warp (Callable[[Tensor], Tensor]): Resamples a view-1 map
                (N, K, h1, w1) onto view 2's grid (N, K, h2, w2).
            valid (Tensor, optional): (N, h2, w2) bool, the view-2 positions
                that view 1 covers; the others are left out in both views.
                Defaults to None (all positions).

        Returns:
            dict[str, Tensor]: The weighted loss of each loss module.
        """
        projs = (warp(self.projection(feats[0])), self.projection(feats[1]))
        cams = (warp(cams[0].detach()), cams[1].detach())
        return self.loss_by_proj(projs, cams, labels, valid)

    def loss_by_proj(self,
                     projs: Tuple[Tensor, Tensor],
                     cams: Tuple[Tensor, Tensor],
                     labels: Tensor,
                     valid: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Compute the contrast losses from projected features on one grid.

        Args:
            projs (tuple[Tensor, Tensor]): The projected features of the two
                views on the same grid, (N, D, h, w) each.
            cams (tuple[Tensor, Tensor]): The refined CAMs of the two views
                on that grid, (N, C + 1, h, w) each.
            labels (Tensor): (N, C) multi-hot image labels.
            valid (Tensor, optional): (N, h, w) bool usable positions.
                Defaults to None (all positions).

        Returns:
            dict[str, Tensor]: The weighted loss of each loss module.
        """
        similarity, pixel_labels = self.contrast_inputs(
            projs, cams, labels, valid)
        if pixel_labels.shape[1] == 0:  # no usable position
            zero = projs[0].sum() * 0 + projs[1].sum() * 0
            return {loss.loss_name: zero for loss in self.losses}
        return {
            loss.loss_name: loss(similarity, pixel_labels)
            for loss in self.losses
        }

    def contrast_inputs(self,
                        projs: Tuple[Tensor, Tensor],
                        cams: Tuple[Tensor, Tensor],
                        labels: Tensor,
                        valid: Optional[Tensor] = None
                        ) -> Tuple[Tensor, Tensor]:
        """The similarities and pseudo labels every contrast loss takes.

        Args:
            projs, cams, labels, valid: See :meth:`loss_by_proj`.

        Returns:
            tuple[Tensor, Tensor]: ``similarity`` (2, 2, M, K), ``[v, w]``
            the L2-normalised pixel features of view v against view w's
            prototypes (see :func:`two_view_similarity`), and the pseudo
            labels (2, M), M the usable positions.
        """
        if projs[0].shape != projs[1].shape:
            raise ValueError(f'The two views must be on the same grid, got '
                             f'{tuple(projs[0].shape)} and '
                             f'{tuple(projs[1].shape)}')
        projs, cams = torch.stack(projs), torch.stack(cams)
        targets = pseudo_labels_and_prototypes(cams, projs, labels,
                                               self.bg_index,
                                               self.pseudo_label_bg_score,
                                               self.topk_divisor, valid,
                                               self.topk_ties)
        # (2, N * h * w, D) unit pixel features, in float32 under autocast;
        # normalised along the contiguous last dimension, which is faster
        # forward and backward than along the channels of (2, N, D, h, w).
        feats = projs.float().permute(0, 1, 3, 4, 2).flatten(1, 3)
        feats = F.normalize(feats, dim=2)
        pixel_labels = targets.pseudo_labels.flatten(1)  # (2, N * h * w)
        if valid is not None:
            keep = valid.flatten()  # the same positions in both views
            feats, pixel_labels = feats[:, keep], pixel_labels[:, keep]
        prototypes = targets.prototypes  # (2, C + 1, D)
        return two_view_similarity(feats, prototypes), pixel_labels

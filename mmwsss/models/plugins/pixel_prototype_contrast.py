"""Pixel-to-prototype contrast, a plug-in regulariser of WSSS classifiers."""
from typing import Callable, Dict, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.utils import ConfigType, OptMultiConfig
from torch import Tensor, nn

from mmwsss.registry import MODELS
from ..losses import two_view_similarity
from ..utils import pseudo_labels_and_prototypes


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

    Args:
        projection (dict): Config of the projection head (MODELS).
        losses (Sequence[dict]): Configs of the contrast losses (MODELS),
            each called as ``loss(similarity, labels)`` with both views'
            similarities and pseudo labels (:meth:`contrast_inputs`), see
            :class:`BasePrototypeContrastLoss`, and with a distinct
            ``loss_name``.
        bg_score (float): The constant background score of the pseudo labels
            (0.20 for SEAM, 0.10 for EPS). Defaults to 0.20.
        topk_divisor (int): A prototype is made of the ``h * w //
            topk_divisor`` top positions of the batch (8 for SEAM, 16 for
            EPS). Defaults to 8.
        topk_ties (str): How tied CAM scores enter a prototype's top
            positions: ``'lowest_index'`` (the same on every device; what
            ``torch.topk`` does on CUDA, and on CPU at the authors' shapes)
            or ``'torch'`` (``torch.topk`` of the running device, as the
            authors' code), see :func:`pseudo_labels_and_prototypes`.
            Defaults to 'lowest_index'.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to None.
    """

    def __init__(self,
                 projection: ConfigType,
                 losses: Sequence[ConfigType],
                 bg_score: float = 0.20,
                 topk_divisor: int = 8,
                 topk_ties: str = 'lowest_index',
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg)
        self.projection = MODELS.build(projection)
        self.losses = nn.ModuleList([MODELS.build(cfg) for cfg in losses])
        names = [loss.loss_name for loss in self.losses]
        if len(set(names)) != len(names):
            raise ValueError(f'The losses of PixelPrototypeContrast need '
                             f'distinct loss_name values, got {names}')
        self.bg_score = bg_score
        self.topk_divisor = topk_divisor
        self.topk_ties = topk_ties

    def loss(self,
             feats: Tuple[Tensor, Tensor],
             cams: Tuple[Tensor, Tensor],
             labels: Tensor,
             warp: Callable[[Tensor], Tensor],
             bg_index: int,
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
            bg_index (int): Index of the background channel of the CAMs, 0
                or -1 / C.
            valid (Tensor, optional): (N, h2, w2) bool, the view-2 positions
                that view 1 covers; the others are left out in both views.
                Defaults to None (all positions).

        Returns:
            dict[str, Tensor]: The weighted loss of each loss module.
        """
        projs = (warp(self.projection(feats[0])), self.projection(feats[1]))
        cams = (warp(cams[0].detach()), cams[1].detach())
        return self.loss_by_proj(projs, cams, labels, bg_index, valid)

    def loss_by_proj(self,
                     projs: Tuple[Tensor, Tensor],
                     cams: Tuple[Tensor, Tensor],
                     labels: Tensor,
                     bg_index: int,
                     valid: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Compute the contrast losses from projected features on one grid.

        Args:
            projs (tuple[Tensor, Tensor]): The projected features of the two
                views on the same grid, (N, D, h, w) each.
            cams (tuple[Tensor, Tensor]): The refined CAMs of the two views
                on that grid, (N, C + 1, h, w) each.
            labels (Tensor): (N, C) multi-hot image labels.
            bg_index (int): Index of the background channel of the CAMs.
            valid (Tensor, optional): (N, h, w) bool usable positions.
                Defaults to None (all positions).

        Returns:
            dict[str, Tensor]: The weighted loss of each loss module.
        """
        similarity, pixel_labels = self.contrast_inputs(
            projs, cams, labels, bg_index, valid)
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
                        bg_index: int,
                        valid: Optional[Tensor] = None
                        ) -> Tuple[Tensor, Tensor]:
        """The similarities and pseudo labels every contrast loss takes.

        Args:
            projs, cams, labels, bg_index, valid: See :meth:`loss_by_proj`.

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
        targets = pseudo_labels_and_prototypes(cams, projs, labels, bg_index,
                                               self.bg_score,
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

"""Pixel-to-prototype contrast, a plug-in regulariser of WSSS classifiers."""
from typing import Callable, Dict, Optional, Sequence, Tuple

import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.utils import ConfigType, OptMultiConfig
from torch import Tensor, nn

from mmwsss.registry import MODELS
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
            each called as ``loss(feats, labels, prototypes)`` with two views
            of each, see :class:`BasePrototypeContrastLoss`, and with a
            distinct ``loss_name``.
        bg_score (float): The constant background score of the pseudo labels
            (0.20 for SEAM, 0.10 for EPS). Defaults to 0.20.
        topk_divisor (int): A prototype is made of the ``h * w //
            topk_divisor`` top positions of the batch (8 for SEAM, 16 for
            EPS). Defaults to 8.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to None.
    """

    def __init__(self,
                 projection: ConfigType,
                 losses: Sequence[ConfigType],
                 bg_score: float = 0.20,
                 topk_divisor: int = 8,
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
        if projs[0].shape != projs[1].shape:
            raise ValueError(f'The two views must be on the same grid, got '
                             f'{tuple(projs[0].shape)} and '
                             f'{tuple(projs[1].shape)}')
        targets = [
            pseudo_labels_and_prototypes(cam, proj, labels, bg_index,
                                         self.bg_score, self.topk_divisor,
                                         valid)
            for cam, proj in zip(cams, projs)
        ]
        pixel_feats, pixel_labels = [], []
        for proj, target in zip(projs, targets):
            # (N * h * w, D) unit pixel features, in float32 under autocast.
            proj = F.normalize(proj.float(), dim=1)
            pixel_feats.append(proj.permute(0, 2, 3, 1).flatten(0, 2))
            pixel_labels.append(target.pseudo_labels.flatten())
        if valid is not None:
            keep = valid.flatten()  # the same positions in both views
            if not keep.any():
                zero = projs[0].sum() * 0 + projs[1].sum() * 0
                return {loss.loss_name: zero for loss in self.losses}
            pixel_feats = [feat[keep] for feat in pixel_feats]
            pixel_labels = [label[keep] for label in pixel_labels]
        prototypes = [target.prototypes for target in targets]
        return {
            loss.loss_name: loss(pixel_feats, pixel_labels, prototypes)
            for loss in self.losses
        }

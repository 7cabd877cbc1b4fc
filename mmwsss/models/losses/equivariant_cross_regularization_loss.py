"""SEAM's equivariant cross regularisation (ECR) loss."""
from typing import Optional

import torch.nn as nn
from torch import Tensor

from mmwsss.registry import MODELS
from mmwsss.structures import CAMLayout, required_bg_index


def max_onehot(cam: Tensor, bg_index: int) -> Tensor:
    """Keep, per pixel, the largest foreground value; the background stays.

    Args:
        cam (Tensor): ``(N, C + 1, h, w)`` maps.
        bg_index (int): Index of the background channel.

    Returns:
        Tensor: A new tensor with the non-maximal foreground values zeroed.
    """
    layout = CAMLayout(bg_index)
    fg = layout.foreground(cam)
    fg = fg * (fg == fg.amax(dim=1, keepdim=True))
    return layout.with_background(fg, layout.background(cam))


@MODELS.register_module()
class EquivariantCrossRegularizationLoss(nn.Module):
    """Each view's refined CAM against the other view's one-hot raw CAM.

    ``ecr(a, b) = mean of the top ratio of |max_onehot(cam_b) - cam_rv_a|``
    per image (over all channels and pixels), with ``cam_b`` detached, and
    ``loss = ecr(1, 2) + ecr(2, 1)``. The maps are normalised, label-masked
    (background included), have their background channel filled with ``1 -
    max`` foreground, and lie on view 2's grid. Only the values of the top
    differences enter the mean, so ties among them do not matter.

    :func:`max_onehot` takes the background channel from ``onehot_bg``:
    ``'model'`` uses the model's background channel; ``'first'`` treats
    channel 0 as the background whatever the layout, as all the authors'
    code does (``x[:, 1:]`` are the classes). The two agree for SEAM
    (background first); for the background-last maps of EPS + PPC,
    ``'first'`` keeps class 0 untouched and lets the background compete
    with the other classes, a bug of the authors' code that the EPS + PPC
    VOC config keeps for faithfulness.

    Args:
        top_ratio (float): Fraction of the largest differences averaged.
            Defaults to 0.2.
        onehot_bg (str): ``'model'`` or ``'first'``, see above. Defaults
            to 'model'.
        loss_weight (float): Weight. Defaults to 1.0.
        loss_name (str): Name in the loss dict. Defaults to 'loss_ecr'.
        bg_index (int, optional): Index of the model's background channel,
            0 or -1; the classifier gives its own. Required.
    """

    def __init__(self,
                 top_ratio: float = 0.2,
                 onehot_bg: str = 'model',
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_ecr',
                 bg_index: Optional[int] = None) -> None:
        super().__init__()
        self.bg_index = required_bg_index(bg_index, type(self).__name__)
        if not 0 < top_ratio <= 1:
            raise ValueError(f'top_ratio must be in (0, 1], got {top_ratio}.')
        if onehot_bg not in ('model', 'first'):
            raise ValueError("onehot_bg must be 'model' or 'first', got "
                             f'{onehot_bg!r}.')
        self.top_ratio = top_ratio
        self.onehot_bg = onehot_bg
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def _one_way(self, cam_rv: Tensor, other_cam: Tensor,
                 valid: Optional[Tensor]) -> Tensor:
        onehot_bg = 0 if self.onehot_bg == 'first' else self.bg_index
        diff = (max_onehot(other_cam.detach(), onehot_bg) - cam_rv).abs()
        if valid is not None:
            diff = diff * valid[:, None].to(diff.dtype)
        diff = diff.flatten(1)  # (N, (C + 1) * h * w)
        k = max(1, int(diff.shape[1] * self.top_ratio))
        return diff.topk(k, dim=1).values.mean()

    def forward(self,
                cam1: Tensor,
                cam2: Tensor,
                cam_rv1: Tensor,
                cam_rv2: Tensor,
                valid: Optional[Tensor] = None) -> Tensor:
        """ECR loss of the two views (all ``(N, C + 1, h, w)``).

        Args:
            cam1 (Tensor): View 1's raw CAM.
            cam2 (Tensor): View 2's raw CAM.
            cam_rv1 (Tensor): View 1's refined CAM.
            cam_rv2 (Tensor): View 2's refined CAM.
            valid (Tensor, optional): ``(N, h, w)`` bool positions of view 2
                covered by view 1; the others count as no difference.
                Defaults to None.

        Returns:
            Tensor: The weighted loss.
        """
        return self.loss_weight * (
            self._one_way(cam_rv1, cam2, valid) +
            self._one_way(cam_rv2, cam1, valid))

    @property
    def loss_name(self) -> str:
        """Name of the loss in the loss dict."""
        return self._loss_name

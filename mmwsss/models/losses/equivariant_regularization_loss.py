"""SEAM's equivariant regularisation (ER) loss."""
from typing import Optional

import torch.nn as nn
from torch import Tensor

from mmwsss.registry import MODELS


@MODELS.register_module()
class EquivariantRegularizationLoss(nn.Module):
    """Mean absolute difference of the CAMs of two views on one grid.

    ``loss = mean |cam1 - cam2|`` over the foreground channels, where both
    maps are normalised, masked by the image label and brought onto view 2's
    grid by the classifier (view 1 through the recorded view relation).

    Args:
        loss_weight (float): Weight. Defaults to 1.0.
        loss_name (str): Name in the loss dict. Defaults to 'loss_er'.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_er') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self,
                cam1: Tensor,
                cam2: Tensor,
                valid: Optional[Tensor] = None) -> Tensor:
        """ER loss of foreground maps ``(N, C, h, w)`` of the two views.

        Args:
            cam1 (Tensor): View 1's maps on view 2's grid.
            cam2 (Tensor): View 2's maps.
            valid (Tensor, optional): ``(N, h, w)`` bool positions of view 2
                covered by view 1; the mean is over them. Defaults to None.

        Returns:
            Tensor: The weighted loss.
        """
        diff = (cam1 - cam2).abs()
        if valid is None:
            return self.loss_weight * diff.mean()
        weight = valid[:, None].to(diff.dtype).expand_as(diff)
        return self.loss_weight * (diff *
                                   weight).sum() / weight.sum().clamp(min=1)

    @property
    def loss_name(self) -> str:
        """Name of the loss in the loss dict."""
        return self._loss_name

"""Multi-label soft-margin loss on image scores."""
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmwsss.registry import MODELS


@MODELS.register_module()
class MultiLabelSoftMarginLoss(nn.Module):
    """The image-level classification loss of CAM, SEAM and EPS.

    Args:
        loss_weight (float): Weight of the loss. Defaults to 1.0.
        loss_name (str): Name in the loss dict. Defaults to 'loss_cls'.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_cls') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self, scores: Tensor, labels: Tensor) -> Tensor:
        """Loss of image scores ``(N, C)`` against multi-hot ``(N, C)``."""
        return self.loss_weight * F.multilabel_soft_margin_loss(
            scores, labels.to(scores.dtype))

    @property
    def loss_name(self) -> str:
        """Name of the loss in the loss dict (starts with ``loss_``)."""
        return self._loss_name

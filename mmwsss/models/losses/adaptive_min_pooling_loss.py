"""SEAM's adaptive min-pooling loss on the refined CAM."""
import torch.nn as nn
from torch import Tensor

from mmwsss.registry import MODELS


@MODELS.register_module()
class AdaptiveMinPoolingLoss(nn.Module):
    """Push the least activated pixels of the refined CAM to zero.

    Per image, take the maximum over the foreground channels (masked by the
    image label), keep the ``ratio`` lowest pixels, and average their ReLU
    (only their values enter, so ties among them do not matter). SEAM adds
    it to the classification loss; it mostly moves the best background
    score. The classifier chooses the grid (SEAM's authors: the refined CAM
    upsampled to the input size).

    Args:
        ratio (float): Fraction of pixels pooled. Defaults to 0.25.
        loss_weight (float): Weight. Defaults to 1.0.
        loss_name (str): Name in the loss dict. Defaults to
            'loss_minpool'.
    """

    def __init__(self,
                 ratio: float = 0.25,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_minpool') -> None:
        super().__init__()
        if not 0 < ratio <= 1:
            raise ValueError(f'ratio must be in (0, 1], got {ratio}.')
        self.ratio = ratio
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self, cam: Tensor) -> Tensor:
        """Loss of label-masked foreground maps ``(N, C, h, w)``."""
        x = cam.amax(dim=1).flatten(1)  # (N, h * w)
        k = max(1, int(x.shape[1] * self.ratio))
        low = (-x).topk(k, dim=1).values.neg()
        return self.loss_weight * low.relu().mean()

    @property
    def loss_name(self) -> str:
        """Name of the loss in the loss dict."""
        return self._loss_name

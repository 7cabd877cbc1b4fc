"""Cross-pseudo-label contrast: a view's pixels with the other's labels."""
from torch import Tensor

from mmwsss.registry import MODELS
from .prototype_contrast import BasePrototypeContrastLoss, prototype_nce


@MODELS.register_module()
class CrossPseudoLabelContrastLoss(BasePrototypeContrastLoss):
    """Contrast each view's pixels, with the pseudo labels of the other view
    at the same grid positions, against all of the view's own prototypes;
    mean over pixels, averaged over the two views.

    Args:
        loss_weight (float): Weight of the loss. Defaults to 0.1.
        temperature (float): Temperature of the contrast. Defaults to 0.1.
        loss_name (str): Name of the loss item. Defaults to
            'loss_cross_label'.
    """

    def __init__(self,
                 loss_weight: float = 0.1,
                 temperature: float = 0.1,
                 loss_name: str = 'loss_cross_label') -> None:
        super().__init__(loss_weight, temperature, loss_name)

    def contrast(self, similarity: Tensor, labels: Tensor) -> Tensor:
        """See :meth:`BasePrototypeContrastLoss.contrast`."""
        own = similarity[[0, 1], [0, 1]]  # (2, M, K)
        return prototype_nce(own, labels.flip(0), self.temperature).mean()

"""Cross-prototype contrast: a view's pixels against the other's prototypes."""
from torch import Tensor

from mmwsss.registry import MODELS
from .prototype_contrast import BasePrototypeContrastLoss, prototype_nce


@MODELS.register_module()
class CrossPrototypeContrastLoss(BasePrototypeContrastLoss):
    """Contrast each view's pixels, with their own pseudo labels, against all
    the prototypes of the other view; mean over pixels, averaged over the two
    views.

    Args:
        loss_weight (float): Weight of the loss. Defaults to 0.1.
        temperature (float): Temperature of the contrast. Defaults to 0.1.
        loss_name (str): Name of the loss item. Defaults to
            'loss_cross_proto'.
    """

    def __init__(self,
                 loss_weight: float = 0.1,
                 temperature: float = 0.1,
                 loss_name: str = 'loss_cross_proto') -> None:
        super().__init__(loss_weight, temperature, loss_name)

    def contrast(self, similarity: Tensor, labels: Tensor) -> Tensor:
        """See :meth:`BasePrototypeContrastLoss.contrast`."""
        other = similarity[[0, 1], [1, 0]]  # (2, M, K)
        return prototype_nce(other, labels, self.temperature).mean()

"""Intra-view contrast with semi-hard prototypes and hard pixels."""
import torch
from mmseg.utils import OptConfigType
from torch import Tensor

from mmwsss.registry import MODELS, TASK_UTILS
from .prototype_contrast import BasePrototypeContrastLoss, prototype_nce


@MODELS.register_module()
class IntraViewContrastLoss(BasePrototypeContrastLoss):
    """Contrast each view's pixels, with their own pseudo labels, against
    their own view's prototypes.

    The denominator of each pixel is its positive plus the prototypes chosen
    by ``prototype_miner``; the pixels are weighted by ``pixel_sampler``. The
    loss of a view is the weighted mean over the pixels of each class with a
    non-zero weight (with the default sampler, the classes with at least 2
    pixels), summed, then divided by the number of classes present in the
    pseudo label, as the authors' code does: a class with a single pixel
    adds 0 to the sum but counts in the division. The two views are
    averaged.

    Args:
        loss_weight (float): Weight of the loss. Defaults to 0.1.
        temperature (float): Temperature of the contrast. Defaults to 0.1.
        prototype_miner (dict, optional): Config of the prototype miner
            (TASK_UTILS), called as ``miner(similarity (M, K)) -> (M, k)``
            indices. None: all prototypes form the denominator. Defaults to
            ``dict(type='SemiHardPrototypeMiner')``.
        pixel_sampler (dict, optional): Config of the pixel sampler
            (TASK_UTILS), called as ``sampler(labels (M,), similarity to the
            positive (M,)) -> weights (M,)``. None: every pixel has weight 1.
            Defaults to ``dict(type='HardPixelSampler')``.
        loss_name (str): Name of the loss item. Defaults to 'loss_intra'.
    """

    def __init__(self,
                 loss_weight: float = 0.1,
                 temperature: float = 0.1,
                 prototype_miner: OptConfigType = dict(
                     type='SemiHardPrototypeMiner'),
                 pixel_sampler: OptConfigType = dict(type='HardPixelSampler'),
                 loss_name: str = 'loss_intra') -> None:
        super().__init__(loss_weight, temperature, loss_name)
        self.prototype_miner = (None if prototype_miner is None else
                                TASK_UTILS.build(prototype_miner))
        self.pixel_sampler = (None if pixel_sampler is None else
                              TASK_UTILS.build(pixel_sampler))

    def contrast(self, similarity: Tensor, labels: Tensor) -> Tensor:
        """See :meth:`BasePrototypeContrastLoss.contrast`.

        Both views at once: the classes of view 1 are numbered after those
        of view 0 (``label + K``), so the sampler and the class means treat
        a class of each view as its own group.
        """
        num_protos = similarity.shape[-1]
        own = similarity[[0, 1], [0, 1]].flatten(0, 1)  # (2 M, K)
        pos_index = labels.flatten()  # (2 M,)
        groups = (labels + labels.new_tensor([[0], [num_protos]])).flatten()
        ranking = own.detach()
        neg_index = (None if self.prototype_miner is None else
                     self.prototype_miner(ranking))
        if self.pixel_sampler is None:
            weights = torch.ones_like(groups)
        else:
            weights = self.pixel_sampler(
                groups,
                ranking.gather(1, pos_index[:, None])[:, 0])
        loss = prototype_nce(own, pos_index, self.temperature, neg_index)

        weights = weights.to(loss.dtype)
        class_loss = loss.new_zeros(2 * num_protos).index_add(
            0, groups, loss * weights)
        class_weight = weights.new_zeros(2 * num_protos).index_add(
            0, groups, weights)
        # A class without weight has no loss either: its mean is 0.
        class_mean = class_loss / class_weight.masked_fill(
            class_weight == 0, 1)
        present = torch.bincount(groups, minlength=2 * num_protos) > 0
        view_loss = class_mean.view(2, num_protos).sum(1) / present.view(
            2, num_protos).sum(1).clamp(min=1)
        return view_loss.mean()

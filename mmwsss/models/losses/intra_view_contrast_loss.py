"""Intra-view contrast with semi-hard prototypes and hard pixels."""
from typing import Sequence

import torch
from mmseg.utils import OptConfigType
from torch import Tensor

from mmwsss.registry import MODELS, TASK_UTILS
from .prototype_contrast import (BasePrototypeContrastLoss, prototype_nce,
                                 prototype_similarity)


@MODELS.register_module()
class IntraViewContrastLoss(BasePrototypeContrastLoss):
    """Contrast each view's pixels, with their own pseudo labels, against
    their own view's prototypes.

    The denominator of each pixel is its positive plus the prototypes chosen
    by ``prototype_miner``; the pixels are weighted by ``pixel_sampler``. The
    loss of a view is the weighted mean over the pixels of each class, then
    the mean over the classes with a non-zero weight (with the default
    sampler, the classes with at least 2 pixels); the two views are
    averaged. The authors' code divides instead by the number of classes
    present in the pseudo label, 1-pixel classes included, which lowers the
    loss of views with such classes.

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

    def view_loss(self, feats: Sequence[Tensor], labels: Sequence[Tensor],
                  prototypes: Sequence[Tensor], view: int) -> Tensor:
        """See :meth:`BasePrototypeContrastLoss.view_loss`."""
        labels = labels[view]  # (M,)
        num_classes = prototypes[view].shape[0]
        similarity = prototype_similarity(feats[view], prototypes[view])
        ranking = similarity.detach()  # (M, K)
        neg_index = (None if self.prototype_miner is None else
                     self.prototype_miner(ranking))
        if self.pixel_sampler is None:
            weights = torch.ones_like(labels)
        else:
            weights = self.pixel_sampler(
                labels,
                ranking.gather(1, labels[:, None])[:, 0])
        loss = prototype_nce(similarity, labels, self.temperature, neg_index)

        weights = weights.to(loss.dtype)
        class_loss = loss.new_zeros(num_classes).index_add(
            0, labels, loss * weights)
        class_weight = weights.new_zeros(num_classes).index_add(
            0, labels, weights)
        counted = class_weight > 0  # (K,)
        class_mean = class_loss[counted] / class_weight[counted]
        return class_mean.sum() / counted.sum().clamp(min=1)

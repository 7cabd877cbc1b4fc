"""The pixel-to-prototype contrast losses: their shared core (similarities,
InfoNCE, the two-view base class) and the three terms of PPC
(cross-prototype, cross-pseudo-label and intra-view contrast)."""
from abc import ABCMeta, abstractmethod
from typing import Optional

import torch
from mmseg.utils import OptConfigType
from torch import Tensor, nn

from mmwsss.registry import MODELS, TASK_UTILS


def prototype_similarity(feats: Tensor, prototypes: Tensor) -> Tensor:
    """Dot products of pixel features with prototypes, in float32.

    The contrast divides these by a small temperature (0.1) before the
    exponential, which would amplify half-precision rounding tenfold, so the
    product runs with autocast disabled. It is an (M, D) x (D, K) product
    with K the number of classes: negligible next to the network.

    Args:
        feats (Tensor): (M, D) L2-normalised pixel features.
        prototypes (Tensor): (K, D) L2-normalised prototypes.

    Returns:
        Tensor: (M, K) float32 cosine similarities.
    """
    with torch.autocast(feats.device.type, enabled=False):
        return feats.float() @ prototypes.float().t()


def two_view_similarity(feats: Tensor, prototypes: Tensor) -> Tensor:
    """Similarities of both views' pixels with both views' prototypes.

    One float32 product (autocast disabled, see
    :func:`prototype_similarity`) of the ``(2 M, D)`` pixels with the
    ``(2 K, D)`` prototypes, shared by every contrast term.

    Args:
        feats (Tensor): (2, M, D) L2-normalised pixel features of the two
            views; row m of both views is the same grid position.
        prototypes (Tensor): (2, K, D) L2-normalised prototypes of the two
            views.

    Returns:
        Tensor: (2, 2, M, K), ``[v, w]`` the similarities of view v's
        pixels with view w's prototypes.
    """
    if feats.dim() != 3 or prototypes.dim() != 3 or len(feats) != 2 or len(
            prototypes) != 2:
        raise ValueError(f'Two views of feats (2, M, D) and prototypes '
                         f'(2, K, D) are needed, got {tuple(feats.shape)} '
                         f'and {tuple(prototypes.shape)}')
    num_pixels, num_protos = feats.shape[1], prototypes.shape[1]
    similarity = prototype_similarity(
        feats.flatten(0, 1), prototypes.flatten(0, 1))  # (2 M, 2 K)
    return similarity.view(2, num_pixels, 2, num_protos).transpose(1, 2)


def prototype_nce(similarity: Tensor,
                  pos_index: Tensor,
                  temperature: float = 0.1,
                  neg_index: Optional[Tensor] = None) -> Tensor:
    """Per-pixel InfoNCE loss of pixels against prototypes.

    For a pixel v with positive prototype p+ and prototype set P,
    ``l(v) = -log(exp(v.p+ / t) / sum_{p in P} exp(v.p / t))``, computed as
    ``logsumexp(v.P / t) - v.p+ / t``.

    Args:
        similarity (Tensor): (..., K) similarities ``v.p`` of each pixel
            with every prototype (see :func:`prototype_similarity`).
        pos_index (Tensor): (...) long, the positive prototype of each
            pixel.
        temperature (float): The temperature t. Defaults to 0.1.
        neg_index (Tensor, optional): (..., k) long, the prototypes of each
            pixel's denominator besides its positive: P = {p+} + those k
            (a prototype listed twice counts twice, the positive included).
            Defaults to None: P is all K prototypes.

    Returns:
        Tensor: (...) the loss of each pixel.
    """
    logits = similarity / temperature  # (..., K)
    pos_logits = logits.gather(-1, pos_index[..., None])  # (..., 1)
    if neg_index is not None:
        logits = torch.cat([pos_logits, logits.gather(-1, neg_index)], dim=-1)
    return torch.logsumexp(logits, dim=-1) - pos_logits[..., 0]


class BasePrototypeContrastLoss(nn.Module, metaclass=ABCMeta):
    """Base of the two-view pixel-to-prototype contrast losses.

    A loss contrasts the pixels of each view (view 0 and view 1) with a set
    of prototypes, averages the two directions and is weighted. Every loss
    receives the similarities of both views' pixels with both views'
    prototypes (:func:`two_view_similarity`), computed once for all of
    them.

    Args:
        loss_weight (float): Weight of the loss.
        temperature (float): Temperature of the contrast.
        loss_name (str): Name of the loss item, starting with ``loss_``.
    """

    def __init__(self, loss_weight: float, temperature: float,
                 loss_name: str) -> None:
        super().__init__()
        if not loss_name.startswith('loss_'):
            raise ValueError(f'loss_name must start with "loss_" for the '
                             f'loss to be back-propagated, got {loss_name}')
        self.loss_weight = loss_weight
        self.temperature = temperature
        self._loss_name = loss_name

    @abstractmethod
    def contrast(self, similarity: Tensor, labels: Tensor) -> Tensor:
        """The unweighted loss, averaged over the two views.

        Args:
            similarity, labels: See :meth:`forward`.

        Returns:
            Tensor: The scalar loss.
        """

    def forward(self, similarity: Tensor, labels: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            similarity (Tensor): (2, 2, M, K) float32, ``[v, w]`` the
                similarities of view v's L2-normalised pixel features with
                view w's L2-normalised prototypes (without gradient to the
                prototypes), see :func:`two_view_similarity`. Row m of both
                views is the same grid position.
            labels (Tensor): (2, M) long pseudo labels in ``[0, K)`` of the
                two views.

        Returns:
            Tensor: The weighted loss, averaged over the two views.
        """
        if similarity.dim() != 4 or similarity.shape[:2] != (2, 2) or \
                labels.shape != (2, similarity.shape[2]):
            raise ValueError(f'{self.__class__.__name__} needs two views: '
                             f'similarity (2, 2, M, K) and labels (2, M), '
                             f'got {tuple(similarity.shape)} and '
                             f'{tuple(labels.shape)}')
        return self.loss_weight * self.contrast(similarity, labels)

    @property
    def loss_name(self) -> str:
        """str: Name of the loss item in the loss dict."""
        return self._loss_name


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

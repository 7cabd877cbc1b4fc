"""The core shared by the pixel-to-prototype contrast losses."""
from abc import ABCMeta, abstractmethod
from typing import Optional, Sequence

import torch
from torch import Tensor, nn


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


def prototype_nce(similarity: Tensor,
                  pos_index: Tensor,
                  temperature: float = 0.1,
                  neg_index: Optional[Tensor] = None) -> Tensor:
    """Per-pixel InfoNCE loss of pixels against prototypes.

    For a pixel v with positive prototype p+ and prototype set P,
    ``l(v) = -log(exp(v.p+ / t) / sum_{p in P} exp(v.p / t))``, computed as
    ``logsumexp(v.P / t) - v.p+ / t``.

    Args:
        similarity (Tensor): (M, K) similarities ``v.p`` of each pixel with
            every prototype (see :func:`prototype_similarity`).
        pos_index (Tensor): (M,) long, the positive prototype of each pixel.
        temperature (float): The temperature t. Defaults to 0.1.
        neg_index (Tensor, optional): (M, k) long, the prototypes of each
            pixel's denominator besides its positive: P = {p+} + those k
            (a prototype listed twice counts twice, the positive included).
            Defaults to None: P is all K prototypes.

    Returns:
        Tensor: (M,) the loss of each pixel.
    """
    logits = similarity / temperature  # (M, K)
    pos_logits = logits.gather(1, pos_index[:, None])  # (M, 1)
    if neg_index is not None:
        logits = torch.cat([pos_logits, logits.gather(1, neg_index)], dim=1)
    return torch.logsumexp(logits, dim=1) - pos_logits[:, 0]


class BasePrototypeContrastLoss(nn.Module, metaclass=ABCMeta):
    """Base of the two-view pixel-to-prototype contrast losses.

    A loss is computed in each direction (view 0 and view 1 as the view
    whose pixels are contrasted, see :meth:`view_loss`), averaged over the
    two and weighted.

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
    def view_loss(self, feats: Sequence[Tensor], labels: Sequence[Tensor],
                  prototypes: Sequence[Tensor], view: int) -> Tensor:
        """The unweighted loss of the pixels of view ``view`` (0 or 1).

        Args:
            feats, labels, prototypes: See :meth:`forward`.
            view (int): The view whose pixels are contrasted.

        Returns:
            Tensor: The scalar loss.
        """

    def forward(self, feats: Sequence[Tensor], labels: Sequence[Tensor],
                prototypes: Sequence[Tensor]) -> Tensor:
        """Compute the loss.

        Row m of both views' features and labels is the same grid position.

        Args:
            feats (Sequence[Tensor]): Two (M, D) L2-normalised pixel features,
                one per view.
            labels (Sequence[Tensor]): Two (M,) long pseudo labels in
                ``[0, K)``.
            prototypes (Sequence[Tensor]): Two (K, D) L2-normalised
                prototypes, without gradient.

        Returns:
            Tensor: The weighted loss, averaged over the two directions.
        """
        if not len(feats) == len(labels) == len(prototypes) == 2:
            raise ValueError(f'{self.__class__.__name__} needs two views of '
                             f'feats, labels and prototypes')
        losses = [
            self.view_loss(feats, labels, prototypes, view) for view in (0, 1)
        ]
        return self.loss_weight * (losses[0] + losses[1]) / 2

    @property
    def loss_name(self) -> str:
        """str: Name of the loss item in the loss dict."""
        return self._loss_name

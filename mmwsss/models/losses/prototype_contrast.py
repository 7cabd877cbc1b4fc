"""The core shared by the pixel-to-prototype contrast losses."""
from abc import ABCMeta, abstractmethod
from typing import Optional

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

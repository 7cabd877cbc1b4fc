"""AffinityNet's loss on pairs labelled from CAM-derived affinity labels."""
from typing import Dict

import torch
import torch.nn as nn
from torch import Tensor

from mmwsss.registry import MODELS


def pair_label_masks(label_from: Tensor,
                     label_to: Tensor,
                     ignore_index: int = 255) -> Dict[str, Tensor]:
    """Split labelled pairs into positive background, positive foreground
    and negative pairs.

    A pair is ignored if either end is ``ignore_index``; otherwise it is
    positive background if both ends are 0, positive foreground if both are
    the same class > 0, and negative if the labels differ.

    Args:
        label_from (Tensor): Labels of the "from" ends, broadcastable to
            ``label_to`` (e.g. ``(N, 1, M)``).
        label_to (Tensor): Labels of the "to" ends, e.g. ``(N, P, M)``.
        ignore_index (int): Label of unreliable pixels. Defaults to 255.

    Returns:
        dict[str, Tensor]: Boolean masks ``bg``, ``fg`` and ``neg`` of the
        broadcast shape.
    """
    valid = (label_from != ignore_index) & (label_to != ignore_index)
    same = valid & (label_from == label_to)
    return dict(
        bg=same & (label_from == 0),
        fg=same & (label_from != 0),
        neg=valid & (label_from != label_to))


def masked_mean(x: Tensor, mask: Tensor) -> Tensor:
    """Mean of ``x`` over ``mask``; 0 (with a gradient path) if empty."""
    return (x * mask).sum() / mask.sum().clamp(min=1)


@MODELS.register_module()
class AffinityLoss(nn.Module):
    """The PSA loss of AffinityNet.

    With ``bg``, ``fg`` the means of ``-log(a + eps)`` over the positive
    background and positive foreground pairs, and ``neg`` the mean of
    ``-log(1 + eps - a)`` over the negative pairs (see
    :func:`pair_label_masks`), the loss is ``bg / 4 + fg / 4 + neg / 2``.
    An empty set of pairs contributes 0. The three weighted terms are
    returned separately (their sum is the loss), computed in float32.

    Args:
        weights (tuple[float, float, float]): Weights of the bg, fg and neg
            terms. Defaults to (0.25, 0.25, 0.5).
        eps (float): Stabiliser of the logarithms. Defaults to 1e-5.
        ignore_index (int): Label of unreliable pixels. Defaults to 255.
        loss_weight (float): Multiplier of all terms. Defaults to 1.0.
        loss_name (str): Prefix of the term names (``{loss_name}_bg``,
            ``_fg``, ``_neg``). Defaults to 'loss_aff'.
    """

    def __init__(self,
                 weights: tuple = (0.25, 0.25, 0.5),
                 eps: float = 1e-5,
                 ignore_index: int = 255,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_aff') -> None:
        super().__init__()
        if len(weights) != 3:
            raise ValueError(f'weights must hold the bg, fg and neg weights, '
                             f'got {weights}.')
        self.weights = dict(zip(('bg', 'fg', 'neg'), weights))
        self.eps = eps
        self.ignore_index = ignore_index
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self, aff: Tensor, label_from: Tensor,
                label_to: Tensor) -> Dict[str, Tensor]:
        """Loss terms of pair affinities and the labels of their ends.

        Args:
            aff (Tensor): ``(N, P, M)`` affinities in (0, 1].
            label_from (Tensor): ``(N, 1, M)`` labels of the "from" ends.
            label_to (Tensor): ``(N, P, M)`` labels of the "to" ends.

        Returns:
            dict[str, Tensor]: ``{loss_name}_bg``, ``{loss_name}_fg`` and
            ``{loss_name}_neg``, weighted.
        """
        aff = aff.float()
        masks = pair_label_masks(label_from, label_to, self.ignore_index)
        pos = -torch.log(aff + self.eps)
        terms = dict(
            bg=masked_mean(pos, masks['bg']),
            fg=masked_mean(pos, masks['fg']),
            neg=masked_mean(-torch.log(1 + self.eps - aff), masks['neg']))
        return {
            f'{self.loss_name}_{key}':
            self.loss_weight * self.weights[key] * value
            for key, value in terms.items()
        }

    @property
    def loss_name(self) -> str:
        """Prefix of the loss terms in the loss dict."""
        return self._loss_name

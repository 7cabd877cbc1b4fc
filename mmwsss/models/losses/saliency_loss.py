"""EPS's saliency loss (Lee et al., CVPR 2021)."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmwsss.registry import MODELS
from mmwsss.structures import CAMLayout, required_bg_index


@MODELS.register_module()
class SaliencyLoss(nn.Module):
    """Explicit pseudo-pixel supervision of the CAM by a saliency map.

    With ``p = softmax`` over the C + 1 maps, a labelled class counts as
    foreground when ``|round(p_c) & round(sal)| / |round(p_c)| > tau`` (its
    confident region lies mostly inside the salient region), otherwise as
    background (the denominator adds 1e-4 per pixel, as the authors' code).
    The predicted saliency is ``lam * sum(foreground maps) +
    (1 - lam) * (1 - sum(background maps))``, where the background maps are
    the background channel plus the labelled classes that failed the test;
    the loss is its mean squared error against the saliency map, resized to
    the CAM's grid by nearest neighbour as the authors do.

    Args:
        tau (float): Overlap threshold. Defaults to 0.4.
        lam (float): Weight of the foreground term. Defaults to 0.5.
        loss_weight (float): Weight. Defaults to 1.0.
        loss_name (str): Name in the loss dict. Defaults to 'loss_sal'.
        bg_index (int, optional): Index of the background channel of the
            CAMs, 0 or -1; the classifier gives its own. Required.
    """

    def __init__(self,
                 tau: float = 0.4,
                 lam: float = 0.5,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_sal',
                 bg_index: Optional[int] = None) -> None:
        super().__init__()
        #: Where the background channel of the CAMs lies.
        self.layout = CAMLayout(
            required_bg_index(bg_index, type(self).__name__))
        self.tau = tau
        self.lam = lam
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def predict_saliency(self, cam: Tensor, saliency: Tensor,
                         labels: Tensor) -> Tuple[Tensor, Tensor]:
        """The predicted saliency map and its target on the CAM's grid.

        Args:
            cam (Tensor): ``(N, C + 1, h, w)`` CAM logits.
            saliency (Tensor): ``(N, 1, H, W)`` saliency in [0, 1].
            labels (Tensor): ``(N, C)`` multi-hot image labels.

        Returns:
            tuple[Tensor, Tensor]: ``(N, 1, h, w)`` prediction (with
            gradient) and the saliency map resized to ``(h, w)``.
        """
        saliency = F.interpolate(
            saliency.to(cam.dtype), size=cam.shape[-2:], mode='nearest')
        prob = cam.softmax(dim=1)
        fg_prob = self.layout.foreground(prob)
        with torch.no_grad():
            hard = fg_prob.round()
            # the authors add the 1e-4 to every pixel of the denominator
            overlap = (hard * saliency.round()).flatten(2).sum(-1) / (
                hard + 1e-4).flatten(2).sum(-1)  # (N, C)
            present = labels > 0
            is_fg = present & (overlap > self.tau)
            is_bg = present & ~is_fg
        fg_map = (fg_prob * is_fg[..., None, None]).sum(1, keepdim=True)
        bg_map = self.layout.background(prob) + (
            fg_prob * is_bg[..., None, None]).sum(1, keepdim=True)
        return self.lam * fg_map + (1 - self.lam) * (1 - bg_map), saliency

    def forward(self, cam: Tensor, saliency: Tensor,
                labels: Tensor) -> Tensor:
        """Saliency loss of a batch (arguments of :meth:`predict_saliency`).

        Returns:
            Tensor: The weighted loss.
        """
        pred, saliency = self.predict_saliency(cam, saliency, labels)
        return self.loss_weight * F.mse_loss(pred, saliency)

    @property
    def loss_name(self) -> str:
        """Name of the loss in the loss dict."""
        return self._loss_name

"""The pixel correlation module (PCM) of SEAM."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmwsss.registry import MODELS
from mmwsss.structures import CAMLayout, required_bg_index
from ..utils.embedding_init import embedding_init_cfg


def pcm_input(cam: Tensor, bg_index: int) -> Tensor:
    """The CAM that PCM refines: normalised, background filled, one-hot-ish.

    ReLU, divide each map by its maximum, set the background channel to
    ``1 - max`` of the foreground channels, and zero every foreground value
    that is not the maximum of its pixel. Computed without gradient.

    Args:
        cam (Tensor): ``(N, C + 1, h, w)`` CAM logits.
        bg_index (int): Index of the background channel (0 or -1).

    Returns:
        Tensor: ``(N, C + 1, h, w)`` detached map.
    """
    with torch.no_grad():
        cam = cam.detach().float().relu()
        cam = (cam - 1e-5).relu() / (
            cam.flatten(2).amax(-1)[..., None, None] + 1e-5)
        layout = CAMLayout(bg_index)
        fg = layout.foreground(cam)
        fg_max = fg.amax(dim=1, keepdim=True)
        return layout.with_background(fg * (fg >= fg_max), 1 - fg_max)


@MODELS.register_module()
class PCMHead(BaseModule):
    """SEAM's pixel correlation module.

    Features: the input image resized to the feature grid, and 1x1
    convolutions (with ReLU) of two intermediate backbone stages, are
    concatenated and mapped by a 1x1 convolution to the embedding ``f``; the
    affinity between all positions is ``relu(cos(f_i, f_j))`` normalised so
    that each column sums to 1, and the refined CAM is the input CAM times
    the affinity: ``cam_rv[:, :, j] = sum_i cam[:, :, i] * aff[i, j]``.
    Backbone features are detached (PCM does not train the backbone).

    Args:
        in_channels (Sequence[int]): Channels of the two backbone stages.
            Defaults to ResNet-38d's (512, 1024).
        channels (Sequence[int]): Their reduced channels. Defaults to
            (64, 128).
        out_channels (int): Embedding channels. Defaults to 192.
        img_channels (int): Channels of the image. Defaults to 3.
        bg_index (int, optional): Index of the background channel of the
            CAMs, 0 or -1; the classifier gives its own. Required.
        init_cfg (dict | list[dict], optional): Defaults to the authors':
            Kaiming-normal reductions, Xavier-uniform (gain 4) embedding.
    """

    def __init__(
        self,
        in_channels: Sequence[int] = (512, 1024),
        channels: Sequence[int] = (64, 128),
        out_channels: int = 192,
        img_channels: int = 3,
        bg_index: Optional[int] = None,
        init_cfg: Optional[list] = embedding_init_cfg('embed')
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.bg_index = required_bg_index(bg_index, type(self).__name__)
        if len(in_channels) != len(channels):
            raise ValueError('PCMHead: in_channels and channels must have the '
                             f'same length, got {in_channels}, {channels}.')
        self.reduce = nn.ModuleList(
            nn.Conv2d(i, c, 1, bias=False)
            for i, c in zip(in_channels, channels))
        self.embed = nn.Conv2d(
            img_channels + sum(channels), out_channels, 1, bias=False)

    def affinity(self, feats: Sequence[Tensor], img: Tensor) -> Tensor:
        """Column-normalised affinity ``(N, hw, hw)`` of the positions."""
        h, w = feats[0].shape[-2:]
        img = F.interpolate(
            img, size=(h, w), mode='bilinear', align_corners=True)
        parts = [img] + [
            F.relu(conv(f.detach())) for conv, f in zip(self.reduce, feats)
        ]
        f = self.embed(torch.cat(parts, dim=1)).flatten(2)  # (N, D, hw)
        f = f / (f.norm(dim=1, keepdim=True) + 1e-5)
        aff = F.relu(f.transpose(1, 2) @ f)  # (N, hw, hw)
        return aff / (aff.sum(dim=1, keepdim=True) + 1e-5)

    def forward(self, cam: Tensor, feats: Sequence[Tensor],
                img: Tensor) -> Tensor:
        """Refine ``cam`` by the affinity of the positions.

        Args:
            cam (Tensor): ``(N, C + 1, h, w)`` CAM logits (normalised and
                detached here, see :func:`pcm_input`).
            feats (Sequence[Tensor]): The two backbone stages, on the CAM's
                grid.
            img (Tensor): ``(N, 3, H, W)`` input images.

        Returns:
            Tensor: ``(N, C + 1, h, w)`` refined CAM.
        """
        n, c, h, w = cam.shape
        cam = pcm_input(cam, self.bg_index).to(img.dtype).flatten(2)
        return (cam @ self.affinity(feats, img).to(cam.dtype)).view(n, c, h, w)

"""The pixel embedding head of AffinityNet."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmwsss.registry import MODELS
from ..utils.embedding_init import embedding_init_cfg


@MODELS.register_module()
class AffinityHead(BaseModule):
    """Per-pixel embedding whose L1 distances give AffinityNet's affinity.

    Each backbone stage goes through a bias-free 1x1 convolution and an ELU;
    the results are concatenated and mapped by a bias-free 1x1 convolution
    and an ELU to the embedding. On ResNet-38d the stages are conv4, conv5
    and conv6 (512, 1024, 4096 channels, reduced to 64, 128, 256; embedding
    448 channels). The stages must share one grid (the same stride).

    Args:
        in_channels (Sequence[int]): Channels of the backbone stages.
            Defaults to ResNet-38d's (512, 1024, 4096).
        channels (Sequence[int]): Their reduced channels. Defaults to
            (64, 128, 256).
        out_channels (int, optional): Embedding channels. Defaults to None,
            the sum of ``channels``.
        init_cfg (dict | list[dict], optional): Defaults to the authors':
            Kaiming-normal reductions, Xavier-uniform (gain 4) fusion.
    """

    def __init__(
        self,
        in_channels: Sequence[int] = (512, 1024, 4096),
        channels: Sequence[int] = (64, 128, 256),
        out_channels: Optional[int] = None,
        init_cfg: Optional[list] = embedding_init_cfg('fuse')
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(in_channels) != len(channels):
            raise ValueError('AffinityHead: in_channels and channels must '
                             f'have the same length, got {in_channels}, '
                             f'{channels}.')
        self.in_channels = tuple(in_channels)
        self.out_channels = out_channels or sum(channels)
        self.reduce = nn.ModuleList(
            nn.Conv2d(i, c, 1, bias=False)
            for i, c in zip(in_channels, channels))
        self.fuse = nn.Conv2d(sum(channels), self.out_channels, 1, bias=False)

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        """Embed the backbone stages.

        Args:
            feats (Sequence[Tensor]): ``(N, in_channels[k], h, w)`` stages.

        Returns:
            Tensor: ``(N, out_channels, h, w)`` embedding.
        """
        sizes = {tuple(f.shape[-2:]) for f in feats}
        if len(sizes) != 1:
            raise ValueError('AffinityHead: the backbone stages must share '
                             f'one grid, got sizes {sorted(sizes)}.')
        reduced = [F.elu(conv(f)) for conv, f in zip(self.reduce, feats)]
        return F.elu(self.fuse(torch.cat(reduced, dim=1)))

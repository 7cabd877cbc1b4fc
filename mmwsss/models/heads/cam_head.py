"""The CAM classifier head: a 1x1 convolution, bias-free by default."""
from typing import Optional

import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmwsss.registry import MODELS


@MODELS.register_module()
class CAMHead(BaseModule):
    """Class activation maps from the last feature map.

    A 1x1 convolution maps features to one map per output channel
    (foreground classes, plus a background channel for SEAM and EPS); the
    image score of a class is the spatial mean of its map.

    Args:
        in_channels (int): Feature channels.
        num_channels (int): Output maps, e.g. 20 (CAM) or 21 (SEAM, EPS).
        bias (bool): Whether the convolution has a bias (one constant per
            map). The authors' classifiers have none. Defaults to False.
        init_cfg (dict, optional): Defaults to Xavier-uniform, as the
            authors initialise their classifier.
    """

    def __init__(
        self,
        in_channels: int,
        num_channels: int,
        bias: bool = False,
        init_cfg: Optional[dict] = dict(
            type='Xavier', layer='Conv2d', distribution='uniform')
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.num_channels = num_channels
        self.conv = nn.Conv2d(in_channels, num_channels, 1, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        """Maps ``(N, num_channels, h, w)`` of features ``(N, C, h, w)``."""
        return self.conv(x)

"""Projection head of the pixel-to-prototype contrast."""
from mmengine.model import BaseModule
from mmseg.utils import OptMultiConfig
from torch import Tensor, nn

from mmwsss.registry import MODELS


@MODELS.register_module()
class ProjectionHead(BaseModule):
    """Project features to the embedding of the prototype contrast.

    ``ReLU(conv1x1(x))``; the contrast L2-normalises the output per pixel.

    Args:
        in_channels (int): Channels of the input feature. Defaults to 4096.
        channels (int): Channels of the embedding. Defaults to 128.
        bias (bool): Whether the convolution has a bias. Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to Xavier-uniform convolution weights.
    """

    def __init__(
        self,
        in_channels: int = 4096,
        channels: int = 128,
        bias: bool = False,
        init_cfg: OptMultiConfig = dict(
            type='Xavier', distribution='uniform', layer='Conv2d')
    ) -> None:
        super().__init__(init_cfg)
        self.conv = nn.Conv2d(in_channels, channels, 1, bias=bias)
        self.activate = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        """Project (N, in_channels, h, w) to (N, channels, h, w)."""
        return self.activate(self.conv(x))

"""DeepLab-LargeFOV (DeepLab v1) decode head."""
from typing import List, Sequence, Tuple, Union

from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from torch import Tensor

from mmwsss.registry import MODELS


@MODELS.register_module()
class LargeFOVHead(BaseDecodeHead):
    """DeepLab-LargeFOV head, as used on ResNet-38 for weakly supervised
    segmentation.

    A 3x3 convolution with a large dilation (a large field of view) maps the
    backbone feature to ``channels`` channels, followed by ReLU, dropout
    (``dropout_ratio``) and the 1x1 classifier ``conv_seg``. The output
    keeps the resolution of the input feature.

    Args:
        in_channels (int | Sequence[int]): Channels of the input feature
            (a sequence with ``input_transform='resize_concat'``).
        channels (int): Channels of the dilated convolution. Defaults to 512.
        dilation (int): Dilation, and padding, of the 3x3 convolution.
            Defaults to 12.
        dropout_ratio (float): Dropout probability before the classifier.
            Defaults to 0.5.
        **kwargs: The other arguments of
            :class:`mmseg.models.decode_heads.decode_head.BaseDecodeHead`
            (``num_classes``, ``norm_cfg``, ``act_cfg``, ``loss_decode``,
            ...). ``norm_cfg`` (None by default) adds a norm layer after the
            dilated convolution.
    """

    def __init__(self,
                 in_channels: Union[int, Sequence[int]],
                 channels: int = 512,
                 dilation: int = 12,
                 dropout_ratio: float = 0.5,
                 **kwargs) -> None:
        super().__init__(
            in_channels, channels, dropout_ratio=dropout_ratio, **kwargs)
        self.dilation = dilation
        self.fov_conv = ConvModule(
            self.in_channels,
            self.channels,
            3,
            padding=dilation,
            dilation=dilation,
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)

    def forward(self, inputs: Union[List[Tensor], Tuple[Tensor]]) -> Tensor:
        """Forward function.

        Args:
            inputs (list[Tensor] | tuple[Tensor]): The backbone features.

        Returns:
            Tensor: Class scores, shape (N, out_channels, H, W) at the
            resolution of the selected feature.
        """
        x = self._transform_inputs(inputs)
        return self.cls_seg(self.fov_conv(x))

"""DeepLab v2 ASPP decode head."""
from typing import List, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from torch import Tensor

from mmwsss.registry import MODELS


class ASPPV2Classifier(nn.ModuleList):
    """Parallel dilated 3x3 classifiers whose scores are summed.

    Args:
        in_channels (int): Channels of the input feature.
        out_channels (int): Number of class scores of each branch.
        dilations (Sequence[int]): Dilation, and padding, of each branch.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 dilations: Sequence[int]) -> None:
        super().__init__(
            nn.Conv2d(
                in_channels,
                out_channels,
                3,
                padding=dilation,
                dilation=dilation,
                bias=True) for dilation in dilations)

    def forward(self, x: Tensor) -> Tensor:
        """Forward function.

        Args:
            x (Tensor): The input feature, shape (N, in_channels, H, W).

        Returns:
            Tensor: The sum of the branch scores, shape
            (N, out_channels, H, W).
        """
        return sum(branch(x) for branch in self)


@MODELS.register_module()
class ASPPV2Head(BaseDecodeHead):
    """DeepLab v2 Atrous Spatial Pyramid Pooling head.

    Parallel 3x3 convolutions with different dilation rates map the backbone
    feature directly to class scores, and their outputs are summed (not
    concatenated, unlike the DeepLab v3 :class:`ASPPHead`).

    The branches are the classifier: ``conv_seg`` is an
    :class:`ASPPV2Classifier` instead of a 1x1 convolution, so
    :meth:`cls_seg` applies the dropout (``dropout_ratio``, shared by all
    branches, off by default) to the backbone feature and then the summed
    branches. There is therefore no intermediate feature, and ``channels``
    equals ``in_channels``. The default ``init_cfg`` of
    :class:`BaseDecodeHead` (normal, std 0.01, zero bias on ``conv_seg``)
    initializes every branch.

    Args:
        in_channels (int | Sequence[int]): Channels of the input feature
            (a sequence with ``input_transform='resize_concat'``).
        dilations (Sequence[int]): Dilation, and padding, of each branch.
            Defaults to (6, 12, 18, 24).
        channels (int, optional): Must be None or equal to the channels of
            the (transformed) input; accepted so that configs may spell it
            out. Defaults to None.
        dropout_ratio (float): Dropout probability on the input feature.
            Defaults to 0.
        **kwargs: The other arguments of
            :class:`mmseg.models.decode_heads.decode_head.BaseDecodeHead`
            (``num_classes``, ``loss_decode``, ``align_corners``, ...).
    """

    def __init__(self,
                 in_channels: Union[int, Sequence[int]],
                 dilations: Sequence[int] = (6, 12, 18, 24),
                 channels: Optional[int] = None,
                 dropout_ratio: float = 0.,
                 **kwargs) -> None:
        if len(dilations) == 0:
            raise ValueError('ASPPV2Head needs at least one dilation.')
        if channels is None:
            several = isinstance(in_channels, (list, tuple))
            channels = sum(in_channels) if several else in_channels
        super().__init__(
            in_channels, channels, dropout_ratio=dropout_ratio, **kwargs)
        if not isinstance(self.in_channels, int):
            raise ValueError('ASPPV2Head classifies a single feature map: '
                             'use input_transform None or resize_concat.')
        if channels != self.in_channels:
            raise ValueError(
                'ASPPV2Head has no intermediate feature: channels must be '
                f'None or the input channels ({self.in_channels}), got '
                f'{channels}.')
        self.dilations = tuple(dilations)
        self.conv_seg = ASPPV2Classifier(self.in_channels, self.out_channels,
                                         self.dilations)

    def forward(self, inputs: Union[List[Tensor], Tuple[Tensor]]) -> Tensor:
        """Forward function.

        Args:
            inputs (list[Tensor] | tuple[Tensor]): The backbone features.

        Returns:
            Tensor: Class scores, shape (N, out_channels, H, W) at the
            resolution of the selected feature.
        """
        return self.cls_seg(self._transform_inputs(inputs))

"""A convolution with TensorFlow's 'SAME' padding, padded inside the
convolution wherever that padding is symmetric."""
import torch.nn.functional as F
from mmcv.cnn.bricks import Conv2dAdaptivePadding
from torch import Tensor

from mmwsss.registry import MODELS


@MODELS.register_module()
class SamePaddingConv2d(Conv2dAdaptivePadding):
    """mmcv's ``Conv2dAdaptivePadding`` (TensorFlow's 'SAME' padding) that
    leaves the padding to the convolution where it is symmetric.

    At stride 1 with odd kernel sizes, 'SAME' pads ``dilation * (kernel -
    1) / 2`` on each side, which is the convolution's own zero padding: the
    output is the same, but no padded copy of the input is made, and the
    input gradient is not computed over the padding. For the dilated
    depthwise convolutions of an EfficientNet at output stride 8 this about
    halves their forward + backward time on CPU. Other strides and kernels
    (where 'SAME' pads one more row or column at the bottom or right), and
    a convolution given its own ``padding``, pad as
    ``Conv2dAdaptivePadding``. The parameters are those of
    ``nn.Conv2d``, so checkpoints load unchanged.
    """

    def forward(self, x: Tensor) -> Tensor:
        """Convolve ``x`` (N, C, H, W) with 'SAME' padding."""
        kernel = self.weight.shape[-2:]
        if self.stride != (1, 1) or self.padding != (0, 0) or not all(
                k % 2 for k in kernel):
            return super().forward(x)
        padding = tuple(d * (k - 1) // 2
                        for d, k in zip(self.dilation, kernel))
        return F.conv2d(x, self.weight, self.bias, 1, padding, self.dilation,
                        self.groups)

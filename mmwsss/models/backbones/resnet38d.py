"""The wide ResNet-38 backbone ("ResNet-38d") with output stride 8.

ResNet-38 (Wu et al., "Wider or Deeper: Revisiting the ResNet Model for
Visual Recognition") is built from pre-activation residual blocks: every block
starts with a BN + ReLU of its input, and the two last stages are bottleneck
blocks. The "d" variant replaces the strides of the last stages by dilations,
so the deepest feature map has 1/8 of the input resolution. It is the
backbone of many weakly supervised segmentation methods (PSA, SEAM, PPC).

The module names follow the ones of the ImageNet weights converted by
``tools/model_converters/mxnet2torch.py`` so that such a checkpoint loads with
``init_cfg=dict(type='Pretrained', checkpoint=...)``.
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from mmwsss.registry import MODELS


class ResBlock(nn.Module):
    """Pre-activation residual block with two 3x3 convolutions.

    ``x -> BN -> ReLU (x_bn_relu) -> conv 3x3 (stride) -> BN -> ReLU ->
    conv 3x3``, plus a shortcut that is a 1x1 convolution of ``x_bn_relu``
    when the block changes the shape of its input and the raw input
    otherwise.

    Args:
        in_channels (int): Channels of the input.
        mid_channels (int): Channels after the first 3x3 convolution.
        out_channels (int): Channels of the output.
        stride (int): Stride of the first 3x3 convolution and of the
            shortcut. Defaults to 1.
        first_dilation (int, optional): Dilation (and padding) of the first
            3x3 convolution. Defaults to None, meaning ``dilation``.
        dilation (int): Dilation (and padding) of the second 3x3 convolution.
            Defaults to 1.
    """

    def __init__(self,
                 in_channels: int,
                 mid_channels: int,
                 out_channels: int,
                 stride: int = 1,
                 first_dilation: Optional[int] = None,
                 dilation: int = 1) -> None:
        super().__init__()
        if first_dilation is None:
            first_dilation = dilation
        self.same_shape = in_channels == out_channels and stride == 1

        self.bn_branch2a = nn.BatchNorm2d(in_channels)
        self.conv_branch2a = nn.Conv2d(
            in_channels,
            mid_channels,
            3,
            stride=stride,
            padding=first_dilation,
            dilation=first_dilation,
            bias=False)
        self.bn_branch2b1 = nn.BatchNorm2d(mid_channels)
        self.conv_branch2b1 = nn.Conv2d(
            mid_channels,
            out_channels,
            3,
            padding=dilation,
            dilation=dilation,
            bias=False)
        if not self.same_shape:
            self.conv_branch1 = nn.Conv2d(
                in_channels, out_channels, 1, stride=stride, bias=False)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """Forward function.

        Args:
            x (Tensor): The input, shape (N, in_channels, H, W).

        Returns:
            tuple[Tensor, Tensor]: The output of the block and the
            pre-activated input ``x_bn_relu``.
        """
        x_bn_relu = F.relu(self.bn_branch2a(x))
        shortcut = x if self.same_shape else self.conv_branch1(x_bn_relu)
        out = self.conv_branch2a(x_bn_relu)
        out = F.relu(self.bn_branch2b1(out))
        out = self.conv_branch2b1(out)
        return out + shortcut, x_bn_relu


class ResBlockBot(nn.Module):
    """Pre-activation bottleneck residual block.

    ``x -> BN -> ReLU (x_bn_relu) -> conv 1x1 (stride, out/4) -> BN -> ReLU
    -> Dropout2d -> conv 3x3 (dilation, out/2) -> BN -> ReLU -> Dropout2d ->
    conv 1x1 (out)``, plus a 1x1 convolution of ``x_bn_relu`` as shortcut.

    Args:
        in_channels (int): Channels of the input.
        out_channels (int): Channels of the output, a multiple of 4.
        stride (int): Stride of the first 1x1 convolution and of the
            shortcut. Defaults to 1.
        dilation (int): Dilation (and padding) of the 3x3 convolution.
            Defaults to 1.
        dropout (float): Probability of the two channel dropouts. Defaults
            to 0.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int = 1,
                 dilation: int = 1,
                 dropout: float = 0.) -> None:
        super().__init__()
        self.bn_branch2a = nn.BatchNorm2d(in_channels)
        self.conv_branch2a = nn.Conv2d(
            in_channels, out_channels // 4, 1, stride=stride, bias=False)
        self.bn_branch2b1 = nn.BatchNorm2d(out_channels // 4)
        self.dropout_2b1 = nn.Dropout2d(dropout)
        self.conv_branch2b1 = nn.Conv2d(
            out_channels // 4,
            out_channels // 2,
            3,
            padding=dilation,
            dilation=dilation,
            bias=False)
        self.bn_branch2b2 = nn.BatchNorm2d(out_channels // 2)
        self.dropout_2b2 = nn.Dropout2d(dropout)
        self.conv_branch2b2 = nn.Conv2d(
            out_channels // 2, out_channels, 1, bias=False)
        self.conv_branch1 = nn.Conv2d(
            in_channels, out_channels, 1, stride=stride, bias=False)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """Forward function.

        Args:
            x (Tensor): The input, shape (N, in_channels, H, W).

        Returns:
            tuple[Tensor, Tensor]: The output of the block and the
            pre-activated input ``x_bn_relu``.
        """
        x_bn_relu = F.relu(self.bn_branch2a(x))
        shortcut = self.conv_branch1(x_bn_relu)
        out = self.conv_branch2a(x_bn_relu)
        out = self.dropout_2b1(F.relu(self.bn_branch2b1(out)))
        out = self.conv_branch2b1(out)
        out = self.dropout_2b2(F.relu(self.bn_branch2b2(out)))
        out = self.conv_branch2b2(out)
        return out + shortcut, x_bn_relu


@MODELS.register_module()
class ResNet38d(BaseModule):
    """Wide ResNet-38 with dilated last stages (output stride 8).

    The network is ``conv1a`` followed by six stages of residual blocks and
    a final BN + ReLU:

    =====  ==============================  ============  ======  ========
    stage  modules                         out channels  stride  dilation
    =====  ==============================  ============  ======  ========
    0      ``conv1a``                      64            1       1
    1      ``b2``, ``b2_1``, ``b2_2``      128           2       1
    2      ``b3``, ``b3_1``, ``b3_2``      256           4       1
    3      ``b4``, ``b4_1`` ... ``b4_5``   512           8       1
    4      ``b5``, ``b5_1``, ``b5_2``      1024          8       2
    5      ``b6`` (bottleneck)             2048          8       4
    6      ``b7`` (bottleneck), ``bn7``    4096          8       4
    =====  ==============================  ============  ======  ========

    The features it can return are, by name:

    - ``conv3``: the pre-activated input of ``b4`` (256 channels, stride 4);
    - ``conv4``: the pre-activated input of ``b5`` (512 channels, stride 8);
    - ``conv5``: the pre-activated input of ``b6`` (1024 channels, stride 8);
    - ``conv6``: ``ReLU(bn7(b7 output))`` (4096 channels, stride 8).

    The channel counts above are divided by ``width_div``. The forward pass
    stops after the deepest requested feature, so the modules after it get
    no gradient.

    Args:
        out_keys (Sequence[str]): Names of the features :meth:`forward`
            returns, in that order. Defaults to ``('conv4', 'conv5',
            'conv6')``.
        frozen_stages (int): Stages ``0..frozen_stages`` (numbered as in the
            table above: ``conv1a`` is 0, the ``b2`` blocks are 1, ...) get
            ``requires_grad=False`` and stay in eval mode. -1 freezes
            nothing. Defaults to 1 (``conv1a`` and the ``b2`` stage), as the
            original training recipes do.
        norm_eval (bool): Whether to keep every BN layer in eval mode (using
            and not updating its running statistics) in :meth:`train`.
            Defaults to True.
        freeze_norm (bool): Whether to set ``requires_grad=False`` on the
            affine weight and bias of every BN layer. Defaults to True.
        dropout (Sequence[float]): Channel dropout probabilities inside
            ``b6`` and ``b7``. Defaults to ``(0.3, 0.5)``.
        width_div (int): Every channel count is divided by this number,
            which must divide 64. Values above 1 give small networks for
            tests; 1 gives the real network. Defaults to 1.
        init_cfg (dict | list[dict], optional): mmengine initialization
            config, e.g. ``dict(type='Pretrained', checkpoint='x.pth')``.
            Defaults to None (PyTorch's default initialization).
    """

    FEATURE_CHANNELS = {
        'conv3': 256,
        'conv4': 512,
        'conv5': 1024,
        'conv6': 4096
    }
    STAGES = (
        ('conv1a', ),
        ('b2', 'b2_1', 'b2_2'),
        ('b3', 'b3_1', 'b3_2'),
        ('b4', 'b4_1', 'b4_2', 'b4_3', 'b4_4', 'b4_5'),
        ('b5', 'b5_1', 'b5_2'),
        ('b6', ),
        ('b7', 'bn7'),
    )
    # block whose pre-activated input is a named feature
    _TAPS = {'b4': 'conv3', 'b5': 'conv4', 'b6': 'conv5'}

    def __init__(self,
                 out_keys: Sequence[str] = ('conv4', 'conv5', 'conv6'),
                 frozen_stages: int = 1,
                 norm_eval: bool = True,
                 freeze_norm: bool = True,
                 dropout: Sequence[float] = (0.3, 0.5),
                 width_div: int = 1,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg)
        out_keys = tuple(out_keys)
        unknown = [k for k in out_keys if k not in self.FEATURE_CHANNELS]
        if not out_keys or unknown:
            raise ValueError(f'out_keys must be a non-empty subset of '
                             f'{tuple(self.FEATURE_CHANNELS)}, got '
                             f'{out_keys}.')
        if not -1 <= frozen_stages < len(self.STAGES):
            raise ValueError(f'frozen_stages must be in [-1, '
                             f'{len(self.STAGES) - 1}], got {frozen_stages}.')
        if len(dropout) != 2:
            raise ValueError(f'dropout must hold two probabilities (b6, b7), '
                             f'got {dropout}.')
        if not isinstance(width_div, int) or width_div < 1 \
                or 64 % width_div:
            raise ValueError(
                f'width_div must be a positive divisor of 64, got '
                f'{width_div}.')
        self.out_keys = out_keys
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.freeze_norm = freeze_norm
        self.width_div = width_div
        self.feat_channels: Dict[str, int] = {
            k: c // width_div
            for k, c in self.FEATURE_CHANNELS.items()
        }

        def w(channels: int) -> int:
            return channels // width_div

        self.conv1a = nn.Conv2d(3, w(64), 3, padding=1, bias=False)

        self.b2 = ResBlock(w(64), w(128), w(128), stride=2)
        self.b2_1 = ResBlock(w(128), w(128), w(128))
        self.b2_2 = ResBlock(w(128), w(128), w(128))

        self.b3 = ResBlock(w(128), w(256), w(256), stride=2)
        self.b3_1 = ResBlock(w(256), w(256), w(256))
        self.b3_2 = ResBlock(w(256), w(256), w(256))

        self.b4 = ResBlock(w(256), w(512), w(512), stride=2)
        for i in range(1, 6):
            self.add_module(f'b4_{i}', ResBlock(w(512), w(512), w(512)))

        self.b5 = ResBlock(
            w(512), w(512), w(1024), first_dilation=1, dilation=2)
        self.b5_1 = ResBlock(w(1024), w(512), w(1024), dilation=2)
        self.b5_2 = ResBlock(w(1024), w(512), w(1024), dilation=2)

        self.b6 = ResBlockBot(w(1024), w(2048), dilation=4, dropout=dropout[0])
        self.b7 = ResBlockBot(w(2048), w(4096), dilation=4, dropout=dropout[1])
        self.bn7 = nn.BatchNorm2d(w(4096))

        self._blocks = [
            name for stage in self.STAGES[1:] for name in stage
            if name != 'bn7'
        ]
        self._freeze()

    def _freeze(self) -> None:
        """Freeze the first stages and, if asked, the BN affine params."""
        for stage in self.STAGES[:self.frozen_stages + 1]:
            for name in stage:
                module = getattr(self, name)
                module.eval()
                for param in module.parameters():
                    param.requires_grad = False
        if self.freeze_norm:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    for param in m.parameters():
                        param.requires_grad = False

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Forward function.

        Args:
            x (Tensor): Images, shape (N, 3, H, W).

        Returns:
            tuple[Tensor]: The features named by ``out_keys``, in that
            order.
        """
        wanted = set(self.out_keys)
        feats = {}
        x = self.conv1a(x)
        for name in self._blocks:
            x, x_bn_relu = getattr(self, name)(x)
            key = self._TAPS.get(name)
            if key in wanted:
                feats[key] = x_bn_relu
            if wanted.issubset(feats):
                break
        if 'conv6' in wanted:
            feats['conv6'] = F.relu(self.bn7(x))
        return tuple(feats[k] for k in self.out_keys)

    def train(self, mode: bool = True) -> 'ResNet38d':
        """Set the training mode, keeping the frozen parts frozen.

        The frozen stages stay in eval mode and, with ``norm_eval``, so do
        all BN layers.

        Args:
            mode (bool): Whether to set training mode. Defaults to True.

        Returns:
            ResNet38d: The module itself.
        """
        super().train(mode)
        self._freeze()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self

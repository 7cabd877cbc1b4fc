"""EfficientNet-Lite, with TensorFlow's 'SAME' padding and a dilated mode.

EfficientNet-Lite (Tan and Le, "EfficientNet: Rethinking Model Scaling for
Convolutional Neural Networks"; the Lite variants drop squeeze-excitation and
use ReLU6 for quantisation) is a stem convolution followed by seven stages of
MBConv blocks (mmseg's ``InvertedResidualV3`` without SE: 1x1 expansion,
depthwise kxk, 1x1 linear projection, each followed by BN; a shortcut where
a block keeps its shape). Its ImageNet weights come from TensorFlow, so every
convolution pads like TensorFlow's 'SAME' (:class:`SamePaddingConv2d`, after
mmcv's ``Conv2dAdaptivePadding``: one more row and column at the bottom and
right where a stride 2 convolution meets an even size) and BN uses eps
1e-3. The module order equals the tensor order of the weights converted by
``tools/model_converters/efficientnet_lite0.py``, whose checkpoint loads
with ``init_cfg=dict(type='Pretrained', checkpoint=...)``.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.models.utils import InvertedResidualV3
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from mmwsss.registry import MODELS
from ..layers import SamePaddingConv2d


@MODELS.register_module()
class EfficientNetLite(BaseModule):
    """EfficientNet-Lite backbone with output stride 32, 16 or 8.

    The network is ``conv1`` (3x3 convolution, stride 2, 32 channels, BN,
    ReLU6), the stages ``layer1`` ... ``layer7`` and, with ``with_head``,
    ``conv2`` (1x1 convolution to 1280 channels, BN, ReLU6: the last layer
    before the ImageNet classifier's pooling). For ``lite0``:

    =====  ======  ======  ======  ======  ========  =====  =====  =====
    index  module  expand  kernel  blocks  channels  OS 32  OS 16  OS 8
    =====  ======  ======  ======  ======  ========  =====  =====  =====
    0      layer1  1       3       1       16        2      2      2
    1      layer2  6       3       2       24        4      4      4
    2      layer3  6       5       2       40        8      8      8
    3      layer4  6       3       3       80        16     16     8/2
    4      layer5  6       5       3       112       16     16     8/2
    5      layer6  6       5       4       192       32     16/2   8/4
    6      layer7  6       3       1       320       32     16/2   8/4
    7      conv2           1               1280      32     16     8
    =====  ======  ======  ======  ======  ========  =====  =====  =====

    The last columns give the output stride of each stage and, after a
    slash, the dilation of its depthwise convolutions. Below output stride
    32, each stride 2 depthwise convolution that would exceed
    ``output_stride`` gets stride 1 and keeps the dilation it had (1 in
    ``layer4`` at OS 8), and every later depthwise convolution has its
    dilation doubled (DeepLab's rule, like mmseg's ResNet with
    ``contract_dilation=True``): the pretrained filters then see the same
    input pixels as at their trained stride. 'SAME' padding keeps the size
    at stride 1 whatever the dilation, so an (H, W) input gives features of
    (ceil(H / s), ceil(W / s)) at output stride s.

    The outputs of the stages are those of their last block's projection:
    linear (BN without activation). Without ``with_head`` (the default,
    like TensorFlow's ``features_only`` model) the deepest feature is
    that of ``layer7`` (320 channels for ``lite0``); ``with_head`` adds
    ``conv2``, which the package ``efficientnet-lite-pytorch``'s
    ``extract_features`` includes.

    Training differs from the reference in one point: the blocks have no
    stochastic depth (drop connect), which mmseg's ``InvertedResidualV3``
    does not implement; inference is the same.

    Args:
        arch (str): Key of :attr:`arch_settings`. Defaults to ``'lite0'``.
        out_indices (Sequence[int]): Indices (table above) of the stages
            whose outputs :meth:`forward` returns, in stage order. Index 7
            needs ``with_head``. Defaults to ``(6, )``.
        output_stride (int): 32, 16 or 8. Defaults to 32.
        with_head (bool): Whether to build ``conv2``. Defaults to False.
        frozen_stages (int): -1 freezes nothing; ``k >= 0`` freezes
            ``conv1`` and the first ``k`` stages (``requires_grad=False``,
            eval mode), as in mmseg's MobileNetV2. Defaults to -1.
        norm_cfg (dict): Normalisation layers. Defaults to BN with the
            reference's eps 1e-3 and momentum 0.01 (TensorFlow's 0.99).
        act_cfg (dict): Activation layers. Defaults to ReLU6.
        norm_eval (bool): Whether to keep every BN layer in eval mode in
            :meth:`train`. Defaults to False.
        init_cfg (dict | list[dict], optional): mmengine initialisation
            config, e.g. ``dict(type='Pretrained', checkpoint='x.pth')``.
            Defaults to None (mmcv's ``ConvModule`` initialisation).

    Example:
        >>> import torch
        >>> from mmwsss.models.backbones import EfficientNetLite
        >>> model = EfficientNetLite(out_indices=(2, 6), output_stride=8)
        >>> feats = model.eval()(torch.rand(1, 3, 64, 72))
        >>> [tuple(feat.shape) for feat in feats]
        [(1, 40, 8, 9), (1, 320, 8, 9)]
    """

    #: Stages of each architecture: ``[expand_ratio, kernel_size, stride,
    #: out_channels, num_blocks]``, as the model definitions of the package
    #: ``efficientnet-lite-pytorch`` scale them (stem and head unscaled).
    arch_settings = {
        'lite0': [[1, 3, 1, 16, 1], [6, 3, 2, 24, 2], [6, 5, 2, 40, 2],
                  [6, 3, 2, 80, 3], [6, 5, 1, 112, 3], [6, 5, 2, 192, 4],
                  [6, 3, 1, 320, 1]],
        'lite1': [[1, 3, 1, 16, 1], [6, 3, 2, 24, 3], [6, 5, 2, 40, 3],
                  [6, 3, 2, 80, 4], [6, 5, 1, 112, 4], [6, 5, 2, 192, 5],
                  [6, 3, 1, 320, 1]],
        'lite2': [[1, 3, 1, 16, 1], [6, 3, 2, 24, 3], [6, 5, 2, 48, 3],
                  [6, 3, 2, 88, 4], [6, 5, 1, 120, 4], [6, 5, 2, 208, 5],
                  [6, 3, 1, 352, 1]],
        'lite3': [[1, 3, 1, 24, 1], [6, 3, 2, 32, 3], [6, 5, 2, 48, 3],
                  [6, 3, 2, 96, 5], [6, 5, 1, 136, 5], [6, 5, 2, 232, 6],
                  [6, 3, 1, 384, 1]],
        'lite4': [[1, 3, 1, 24, 1], [6, 3, 2, 32, 4], [6, 5, 2, 56, 4],
                  [6, 3, 2, 112, 6], [6, 5, 1, 160, 6], [6, 5, 2, 272, 8],
                  [6, 3, 1, 448, 1]],
    }  # yapf: disable
    stem_channels = 32
    head_channels = 1280
    #: TensorFlow's 'SAME' padding, computed at run time.
    conv_cfg = dict(type=SamePaddingConv2d)

    def __init__(self,
                 arch: str = 'lite0',
                 out_indices: Sequence[int] = (6, ),
                 output_stride: int = 32,
                 with_head: bool = False,
                 frozen_stages: int = -1,
                 norm_cfg: dict = dict(type='BN', eps=1e-3, momentum=0.01),
                 act_cfg: dict = dict(type='ReLU6'),
                 norm_eval: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg)
        if arch not in self.arch_settings:
            raise ValueError(f'arch must be one of '
                             f'{sorted(self.arch_settings)}, got {arch!r}.')
        if output_stride not in (8, 16, 32):
            raise ValueError(
                f'output_stride must be 8, 16 or 32, got {output_stride}.')
        num_layers = len(self.arch_settings[arch]) + with_head
        out_indices = tuple(out_indices)
        if not out_indices or not set(out_indices) <= set(range(num_layers)):
            raise ValueError(f'out_indices must be a non-empty subset of '
                             f'range({num_layers}) (with_head={with_head}), '
                             f'got {out_indices}.')
        if frozen_stages not in range(-1, num_layers + 1):
            raise ValueError(f'frozen_stages must be in [-1, {num_layers}], '
                             f'got {frozen_stages}.')
        self.out_indices = out_indices
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval

        self.conv1 = ConvModule(
            3,
            self.stem_channels,
            3,
            stride=2,
            conv_cfg=self.conv_cfg,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)
        self.layers: List[str] = []
        in_channels, stride, dilation = self.stem_channels, 2, 1
        for i, (expand_ratio, kernel_size, layer_stride, out_channels,
                num_blocks) in enumerate(self.arch_settings[arch]):
            dilate = stride * layer_stride > output_stride
            first_dilation = dilation
            if dilate:
                dilation *= layer_stride
            else:
                stride *= layer_stride
            blocks = []
            for j in range(num_blocks):
                block = InvertedResidualV3(
                    in_channels,
                    out_channels,
                    in_channels * expand_ratio,
                    kernel_size=kernel_size,
                    stride=layer_stride if j == 0 else 1,
                    with_expand_conv=expand_ratio != 1,
                    conv_cfg=self.conv_cfg,
                    norm_cfg=norm_cfg,
                    act_cfg=act_cfg)
                # built with the pretrained stride, so that the shortcuts
                # stay where they were trained; then dilated
                conv = block.depthwise_conv.conv
                conv.dilation = (first_dilation if j == 0 else dilation, ) * 2
                if dilate:
                    conv.stride = (1, 1)
                blocks.append(block)
                in_channels = out_channels
            self.add_module(f'layer{i + 1}', nn.Sequential(*blocks))
            self.layers.append(f'layer{i + 1}')
        if with_head:
            self.conv2 = ConvModule(
                in_channels,
                self.head_channels,
                1,
                conv_cfg=self.conv_cfg,
                norm_cfg=norm_cfg,
                act_cfg=act_cfg)
            self.layers.append('conv2')
        self._freeze_stages()

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Forward function.

        Args:
            x (Tensor): Images, shape (N, 3, H, W), normalised as the
                pretrained weights expect.

        Returns:
            tuple[Tensor]: The outputs of the stages of ``out_indices``, in
            stage order, each of shape (N, C_i, ceil(H / s_i),
            ceil(W / s_i)) with the channels and strides of the table above.
        """
        x = self.conv1(x)
        outs = []
        for i, name in enumerate(self.layers):
            x = getattr(self, name)(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def _freeze_stages(self) -> None:
        """Freeze ``conv1`` and the first ``frozen_stages`` stages."""
        if self.frozen_stages < 0:
            return
        for name in ['conv1', *self.layers[:self.frozen_stages]]:
            module = getattr(self, name)
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> 'EfficientNetLite':
        """Set the training mode, keeping the frozen parts frozen.

        Args:
            mode (bool): Whether to set training mode. Defaults to True.

        Returns:
            EfficientNetLite: The module itself.
        """
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self

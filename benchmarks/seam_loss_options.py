"""What SEAM's loss options change in its losses, on given CAMs.

Builds the models of the shipped VOC configs of SEAM, SEAM + PPC and
EPS + PPC (their loss settings; a tiny backbone replaces ResNet-38d and the
PPC plug-in is left out, as no network is run) and computes SEAM's losses
(classification and min-pooling of each view, ER, ECR) on given CAM
outputs of two views: the authors' cases of
``tests/data/authors_seam_losses.pt`` (the defaults are checked against
the authors' losses stored there) and seeded smooth synthetic CAMs of
realistic shapes (views of 448 and 128 px, feature grids 56x56 and 16x16;
SEAM + PPC and EPS + PPC). Each option is switched from the config's value
to its other one; the markdown table gives the relative change of every
loss against the config's defaults::

    python benchmarks/seam_loss_options.py [--seed 0]
"""
import argparse
import copy
import inspect
import os.path as osp
from typing import Dict, List, NamedTuple, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.config import Config, ConfigDict
from torch import Tensor

from mmwsss.models.classifiers import SEAM
from mmwsss.registry import MODELS
from mmwsss.structures import WSSSDataSample
from mmwsss.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: variant -> (shipped config, its case in the fixture)
VARIANTS = {
    'SEAM': ('configs/seam/seam_r38d_1xb8-8e_voc12aug-448x448.py', 'seam'),
    'SEAM + PPC':
    ('configs/ppc/ppc-seam_r38d_1xb8-8e_voc12aug-448x448.py', 'seam_ppc'),
    'EPS + PPC':
    ('configs/ppc/ppc-eps_r38d_1xb8-20k_voc12aug-448x448.py', 'eps_ppc'),
}
#: the variants fed the synthetic CAMs (in this order: each draws its own)
SYNTHETIC_VARIANTS = ('SEAM + PPC', 'EPS + PPC')
#: option (model argument.key) -> its two values
OPTIONS = {
    'train_cfg.align_corners': (True, False),
    'train_cfg.view_loss_grid': ('input', 'feature'),
    'train_cfg.cross_view_norm': ('before_warp', 'after_warp'),
    'loss_ecr.onehot_bg': ('first', 'model'),
}
#: table column -> loss key (1, 2: the view)
COLUMNS = {
    'cls 1': 'loss_cls1',
    'cls 2': 'loss_cls2',
    'min-pool 1': 'loss_minpool1',
    'min-pool 2': 'loss_minpool2',
    'ER': 'loss_er',
    'ECR': 'loss_ecr',
}
#: never run: the losses only see the given CAMs
TINY_BACKBONE = dict(type='ResNet', depth=18, base_channels=8)
#: synthetic batch: the classes of each image, input sizes, feature grids
SYNTHETIC_CLASSES = ((0, 7), (3, 14, 19), (11, ), (4, 8))
SYNTHETIC_SIZES = ((448, 448), (128, 128))
SYNTHETIC_GRIDS = ((56, 56), (16, 16))
NUM_CLASSES = 20


class Batch(NamedTuple):
    """The arguments of :meth:`TwoViewClassifier.view_losses` and
    ``cross_view_losses``: the maps of both views as
    :meth:`TwoViewClassifier.view_forward` gives them."""
    outs: List[dict]
    views: List[Tensor]
    labels: Tensor
    samples: List[WSSSDataSample]


def make_batch(maps: Sequence[Tuple[Tensor, Tensor]],
               sizes: Sequence[Tuple[int, int]], labels: Tensor) -> Batch:
    """Two views, view 2 being view 1 resized.

    Args:
        maps (Sequence[tuple[Tensor, Tensor]]): Per view, the CAM and the
            refined CAM on the feature grid.
        sizes (Sequence[tuple[int, int]]): Per view, the input size.
        labels (Tensor): ``(N, C)`` image labels.

    Returns:
        Batch: The views' outputs, inputs (zeros), labels and samples.
    """
    outs = [
        dict(feat=None, cam=cam, cam_rv=cam_rv, input_size=size)
        for (cam, cam_rv), size in zip(maps, sizes)
    ]
    (h1, w1), (h2, w2) = sizes
    relation = dict(
        src_shape=(h1, w1),
        dst_shape=(h2, w2),
        scale=(h2 / h1, w2 / w1),
        offset=(0, 0),
        flip=False)
    samples = [
        WSSSDataSample(metainfo=dict(view_relation=relation)) for _ in labels
    ]
    views = [labels.new_zeros(len(labels), 3, *size) for size in sizes]
    return Batch(outs, views, labels, samples)


def fixture_batch(fixture: dict, case: str) -> Batch:
    """The CAMs and refined CAMs of a case of the authors' fixture."""
    inputs, expected = fixture['inputs'], fixture['cases'][case]
    maps = [(inputs['view1']['conv6'], expected['cam_rv1']),
            (inputs[expected['view2']]['conv6'], expected['cam_rv2'])]
    sizes = (tuple(inputs['img1'].shape[-2:]), tuple(expected['view2_size']))
    return make_batch(maps, sizes, inputs['labels'])


def synthetic_batch(latent: Tensor, labels: Tensor,
                    generator: torch.Generator) -> Batch:
    """Smooth CAMs: the latent maps upsampled to each grid, plus noise.

    Args:
        latent (Tensor): ``(N, C + 1, h, w)`` low-resolution maps shared by
            the two views.
        labels (Tensor): ``(N, C)`` image labels.
        generator (torch.Generator): The noise's generator.

    Returns:
        Batch: Raw CAMs and (non-negative) refined CAMs of both views.
    """

    def noisy(grid: Tuple[int, int]) -> Tensor:
        smooth = F.interpolate(
            latent, grid, mode='bilinear', align_corners=True)
        return smooth + 0.5 * torch.randn(smooth.shape, generator=generator)

    maps = [(noisy(grid), noisy(grid).relu() / 4) for grid in SYNTHETIC_GRIDS]
    return make_batch(maps, SYNTHETIC_SIZES, labels)


def model_cfg(path: str) -> ConfigDict:
    """A shipped config's model, with the tiny backbone and no PPC."""
    cfg = Config.fromfile(osp.join(ROOT, path)).model
    cfg.backbone = TINY_BACKBONE
    cfg.contrast = None
    return cfg


def with_option(cfg: ConfigDict, option: str, value: object) -> ConfigDict:
    """``cfg`` with ``option`` (``'argument.key'``) set to ``value``; an
    argument the config leaves out starts from the class's default."""
    argument, key = option.split('.')
    default = inspect.signature(MODELS.get(
        cfg.type)).parameters[argument].default
    cfg = copy.deepcopy(cfg)
    cfg[argument] = {**(cfg.get(argument) or default or {}), key: value}
    return cfg


def option_value(model: SEAM, option: str) -> object:
    """The value of ``option`` in a built model."""
    argument, key = option.split('.')
    return getattr(getattr(model, argument), key)


@torch.no_grad()
def losses(model: SEAM, batch: Batch) -> Dict[str, float]:
    """SEAM's losses of both views (view number appended to the per-view
    ones); EPS's saliency loss is not part of them."""
    # fresh dicts: the maps upsampled to the input size are cached in them
    outs = [dict(out) for out in batch.outs]
    result = {}
    for view, out in enumerate(outs):
        view_losses = SEAM.view_losses(model, out, batch.labels, batch.samples,
                                       view)
        for name, value in view_losses.items():
            result[f'{name}{view + 1}'] = value.item()
    cross = model.cross_view_losses(outs, batch.views, batch.labels,
                                    batch.samples)
    result.update({name: value.item() for name, value in cross.items()})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--fixture',
        default=osp.join(ROOT, 'tests', 'data', 'authors_seam_losses.pt'),
        help='the authors\' SEAM losses (see authors_seam_losses.md)')
    parser.add_argument(
        '--seed', type=int, default=0, help='seed of the synthetic CAMs')
    args = parser.parse_args()
    register_all_modules()

    fixture = torch.load(args.fixture, weights_only=True)
    generator = torch.Generator().manual_seed(args.seed)
    labels = torch.zeros(len(SYNTHETIC_CLASSES), NUM_CLASSES)
    for i, classes in enumerate(SYNTHETIC_CLASSES):
        labels[i, list(classes)] = 1
    latent = 3 * torch.randn(
        len(labels), NUM_CLASSES + 1, 6, 6, generator=generator)
    data = {
        'fixture': {
            variant: fixture_batch(fixture, case)
            for variant, (_, case) in VARIANTS.items()
        },
        'synthetic': {
            variant: synthetic_batch(latent, labels, generator)
            for variant in SYNTHETIC_VARIANTS
        },
    }

    rows = {source: [] for source in data}
    checks = []
    for variant, (path, case) in VARIANTS.items():
        cfg = model_cfg(path)
        default = MODELS.build(cfg)
        switched = {}
        for option, values in OPTIONS.items():
            other = values[1 - values.index(option_value(default, option))]
            switched[f'{option}={other!r}'] = MODELS.build(
                with_option(cfg, option, other))
        for source, batches in data.items():
            if variant not in batches:
                continue
            base = losses(default, batches[variant])
            if source == 'fixture':
                authors = fixture['cases'][case]
                error = max(
                    abs(value / authors[key].item() - 1)
                    for key, value in base.items())
                checks.append(f'{variant} {error:.1e}')
            for name, model in switched.items():
                result = losses(model, batches[variant])
                cells = [
                    f'{100 * (result[key] / base[key] - 1):+.2f} %'
                    for key in COLUMNS.values()
                ]
                rows[source].append(f'| {source} | {variant} | `{name}` | ' +
                                    ' | '.join(cells) + ' |')

    print('Largest relative difference of the defaults from the authors\' '
          'losses (fixture): ' + ', '.join(checks) + '\n')
    print('| CAMs | variant | option | ' + ' | '.join(COLUMNS) + ' |')
    print('|---|---|---|' + '---|' * len(COLUMNS))
    print('\n'.join(sum(rows.values(), [])))


if __name__ == '__main__':
    main()

"""Measure each inference option against the authors' choice.

    python tests/data/authors/measure.py [--images 16] [--nets 2]

For the methods of ``inference.pt`` (the mmwsss classifiers on the tiny
stand-in network of ``tests/test_models/test_utils/authors_standin.py``,
``--nets`` seeded weights as ``generate.py`` draws them), on ``--images``
generated images of the synthetic benchmark (112-160 px, their labels),
prints the fraction of seed pixels that an option changes against the
authors' inference (the mmwsss default), over the background scores 0.00,
0.01, ..., 0.59 of the seed sweep, and the largest CAM difference. Also
measures the padding to a multiple of 8 that mmwsss did before (the authors
infer each image alone, unpadded).
"""
import argparse
import os.path as osp
import sys
from typing import List, Tuple

import numpy as np
import torch

HERE = osp.dirname(osp.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, osp.join(HERE, '..', '..', 'test_models', 'test_utils'))
from authors_standin import build_standin_classifier  # noqa: E402
from generate import make_weights  # noqa: E402

from mmwsss.datasets.synthetic.shapes import render_scene  # noqa: E402
from mmwsss.models.utils.multiscale_cam import (  # noqa: E402
    multiscale_cam, normalize_cam)
from mmwsss.structures import argmax_background  # noqa: E402
from mmwsss.utils import register_all_modules  # noqa: E402

SEAM_CFG = dict(cam_norm='minmax', cam_upsample='via_input')
CASES = [
    ('cam', dict(cam_norm='minmax_clamp')),
    ('cam', dict(img_resize='bilinear')),
    ('eps', dict(cam_norm='minmax_clamp')),
    ('eps', dict(cam_norm='minmax')),
    ('eps', dict(img_resize='bilinear')),
    ('seam', dict(cam_norm='minmax_clamp')),
    ('seam', dict(cam_upsample='direct')),
    ('seam', dict(img_resize='bilinear')),
]  # and, for each method, the padding
THRESHOLDS = torch.arange(60) / 100


def images(count: int) -> Tuple[List[torch.Tensor], List[torch.Tensor]]:
    """RGB uint8 images of the synthetic benchmark and their labels."""
    imgs, labels = [], []
    for number in range(count):
        scene = render_scene(
            np.random.default_rng([0, number]), 20, (112, 160))
        imgs.append(torch.from_numpy(scene.image))
        present = np.unique(scene.mask)
        present = present[(present > 0) & (present < 255)]
        labels.append(torch.from_numpy(present.astype(np.int64) - 1))
    return imgs, labels


def cams(model,
         img: torch.Tensor,
         label: torch.Tensor,
         pad: bool = False) -> torch.Tensor:
    """Normalised CAMs of one image (optionally padded to a multiple of 8
    and cropped back, as mmwsss's earlier inference)."""
    dp = model.data_preprocessor
    x = ((img.permute(2, 0, 1).float() - dp.mean) / dp.std)[None]
    h, w = x.shape[-2:]
    out_size = (h, w)
    if pad:
        out_size = (-(-h // 8) * 8, -(-w // 8) * 8)
        x = torch.nn.functional.pad(x,
                                    (0, out_size[1] - w, 0, out_size[0] - h))
    cfg = model.test_cfg
    with torch.no_grad():
        cam = multiscale_cam(
            model.inference_cam,
            x,
            cfg.scales,
            cfg.flip,
            out_size=out_size,
            img_resize=cfg.img_resize,
            cam_upsample=cfg.cam_upsample,
            mean=dp.mean,
            std=dp.std)[..., :h, :w]
    labels = torch.zeros(1, model.num_classes).index_fill_(1, label, 1.)
    return normalize_cam(cam, labels, cfg.cam_norm)[0]


def seed_change(a: torch.Tensor, b: torch.Tensor) -> float:
    """Fraction of seed pixels that differ, over the threshold sweep."""
    return float(
        np.mean([(argmax_background(a, t) != argmax_background(b, t))
                 .float().mean() for t in THRESHOLDS.tolist()]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--images', type=int, default=16)
    parser.add_argument('--nets', type=int, default=2)
    args = parser.parse_args()
    register_all_modules()
    imgs, labels = images(args.images)
    rows = {}
    for seed in range(args.nets):
        weights = make_weights(seed)
        for method in dict(CASES):
            base = SEAM_CFG if method == 'seam' else {}
            ours = build_standin_classifier(method, weights, **base)
            authors = [cams(ours, *x) for x in zip(imgs, labels)]
            print(f'net {seed}: {method}', file=sys.stderr, flush=True)
            for change in [c for m, c in CASES if m == method] + ['pad']:
                other = ours if change == 'pad' else build_standin_classifier(
                    method, weights, **{
                        **base,
                        **change
                    })
                row = rows.setdefault((method, str(change)), [[], []])
                for a, img, label in zip(authors, imgs, labels):
                    b = cams(other, img, label, pad=change == 'pad')
                    row[0].append(seed_change(a, b))
                    row[1].append(float((a - b).abs().max()))
    print('| method | option | seed pixels changed | max CAM difference |')
    print('|---|---|---|---|')
    for (method, change), (seeds, diffs) in rows.items():
        print(f'| {method} | {change} | {100 * np.mean(seeds):.2f}% '
              f'(max {100 * np.max(seeds):.2f}%) | {np.max(diffs):.4f} |')


if __name__ == '__main__':
    main()

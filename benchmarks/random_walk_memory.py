"""Peak memory and time of AffinityNet's random walk against image size.

    python benchmarks/random_walk_memory.py [--sizes 250x188 500x375 ...]

For every image size (width x height) and walk (the dense walk under the
default ``max_walk_bytes``, the dense walk under a raised budget where the
default refuses it, and the sparse walk), a fresh process builds the
AffinityNet of the VOC config
(``configs/affinity/affinity_r38d_1xb8-8e_voc12aug-448x448.py``, random
initialisation: no pretrained weights are read) and runs its ``predict`` on
one image with 2 labelled classes and smooth random CAMs. The backbone is
replaced by a random embedding of its output shape (448 channels on the
stride-8 grid): the ResNet-38d forward takes 30 s at 500x375 on 2 cores and
does not depend on the walk. Each process reports the time of ``predict``
and the growth of its peak resident memory during it
(``resource.getrusage`` ``ru_maxrss``: torch's allocations included); the
sparse walk's masks are compared with the dense walk's of the same size.
"""
import argparse
import json
import math
import os.path as osp
import resource
import subprocess
import sys
import tempfile
import time
from typing import List, Optional

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.structures import PixelData

from mmwsss.models.affinity.random_walk import dense_walk_bytes
from mmwsss.registry import MODELS
from mmwsss.structures import WSSSDataSample
from mmwsss.utils import register_all_modules

CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs', 'affinity',
    'affinity_r38d_1xb8-8e_voc12aug-448x448.py')
SIZES = ('250x188', '500x375', '1000x750', '2000x1500')
STRIDE = 8


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--sizes',
        nargs='+',
        default=SIZES,
        help='image sizes WIDTHxHEIGHT (default: %(default)s)')
    parser.add_argument(
        '--raised-budget',
        type=int,
        default=2**31,
        help='max_walk_bytes of a second dense run where the default '
        'refuses the image and this budget holds it (default: %(default)s)')
    parser.add_argument(
        '--child',
        nargs=4,
        metavar=('SIZE', 'WALK', 'BUDGET', 'OUT'),
        help=argparse.SUPPRESS)
    return parser.parse_args()


def parse_size(size: str) -> tuple:
    """``'WIDTHxHEIGHT'`` -> ``(height, width)``."""
    width, height = (int(v) for v in size.split('x'))
    return height, width


def child(size: str, walk: str, budget: int, out: str) -> None:
    """Run one ``predict`` and write its figures (and mask) under ``out``."""
    register_all_modules()
    height, width = parse_size(size)
    cfg = Config.fromfile(CONFIG)
    test_cfg = dict(cfg.model.test_cfg, walk=walk)
    if budget:
        test_cfg['max_walk_bytes'] = budget
    model = MODELS.build(dict(cfg.model, test_cfg=test_cfg)).eval()
    torch.manual_seed(0)
    grid = (math.ceil(height / STRIDE), math.ceil(width / STRIDE))
    embed = torch.rand(1, model.aff_head.out_channels, *grid)
    model._forward = lambda inputs, data_samples=None: embed
    inputs = torch.zeros(1, 3, grid[0] * STRIDE, grid[1] * STRIDE)
    label = torch.zeros(20)
    label[[4, 14]] = 1
    sample = WSSSDataSample(
        metainfo=dict(img_path=f'{size}.jpg', img_shape=(height, width)))
    sample.gt_label = label
    sample.pred_cam = PixelData(data=F.interpolate(
        torch.rand(1, 20, 4, 5), size=(height, width), mode='bilinear')[0])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    error = None
    try:
        with torch.no_grad():
            mask = model.predict(inputs, [sample])[0].pred_sem_seg.data[0]
        np.save(out + '.npy', mask.numpy())
    except ValueError as e:
        error = str(e)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(out + '.json', 'w') as f:
        json.dump(
            dict(
                seconds=seconds,
                peak_mb=peak / 1024,
                growth_mb=(peak - before) / 1024,
                budget=model.test_cfg.max_walk_bytes,
                error=error), f)


def run(size: str, walk: str, budget: int, tmp: str) -> dict:
    """Run :func:`child` in a fresh process and read its figures."""
    out = osp.join(tmp, f'{size}_{walk}_{budget}')
    subprocess.run(
        [sys.executable, __file__, '--child', size, walk,
         str(budget), out],
        check=True)
    with open(out + '.json') as f:
        result = json.load(f)
    result['mask'] = (
        np.load(out + '.npy') if result['error'] is None else None)
    return result


def row(size: str, walk: str, result: dict,
        dense_mask: Optional[np.ndarray]) -> List[str]:
    """One table row."""
    height, width = parse_size(size)
    grid = math.ceil(height / STRIDE) * math.ceil(width / STRIDE)
    if result['error'] is not None:
        outcome = 'refused'
    elif walk == 'sparse' and dense_mask is not None:
        differ = int((result['mask'] != dense_mask).sum())
        outcome = 'masks = dense' if differ == 0 else (
            f'{differ:,} of {dense_mask.size:,} pixels differ')
    else:
        outcome = 'ran'
    budget = (f'{result["budget"] / 1e9:.2f} GB' if walk == 'dense' else '-')
    return [
        f'{width}x{height}', f'{grid}', walk, budget,
        f'{dense_walk_bytes(grid) / 1e6:,.0f}', outcome,
        f'{result["seconds"]:.2f}', f'{result["growth_mb"]:,.0f}',
        f'{result["peak_mb"]:,.0f}'
    ]


def main() -> None:
    """Run every size and walk, print the table and any refusal."""
    args = parse_args()
    if args.child:
        size, walk, budget, out = args.child
        child(size, walk, int(budget), out)
        return
    header = [
        'image (W x H)', 'grid positions', 'walk', 'max_walk_bytes',
        'dense estimate (MB)', 'result', 'predict (s)',
        'peak RSS growth (MB)', 'peak RSS (MB)'
    ]
    rows, refusals = [], []

    def add(cells: List[str]) -> None:
        rows.append(cells)
        print(' | '.join(cells), flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            height, width = parse_size(size)
            need = dense_walk_bytes(
                math.ceil(height / STRIDE) * math.ceil(width / STRIDE))
            dense = run(size, 'dense', 0, tmp)
            add(row(size, 'dense', dense, None))
            if dense['error'] is not None:
                refusals.append(dense['error'])
                if need <= args.raised_budget:
                    dense = run(size, 'dense', args.raised_budget, tmp)
                    add(row(size, 'dense', dense, None))
            sparse = run(size, 'sparse', 0, tmp)
            add(row(size, 'sparse', sparse, dense['mask']))
    print()
    print('| ' + ' | '.join(header) + ' |')
    print('|' + '---|' * len(header))
    for cells in rows:
        print('| ' + ' | '.join(cells) + ' |')
    for message in refusals:
        print(f'\n{message}')


if __name__ == '__main__':
    main()

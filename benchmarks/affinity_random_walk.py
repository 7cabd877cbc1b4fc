"""Seed mIoU against random-walk-refined mIoU on the synthetic benchmark.

From a trained stage-1 classifier, runs the PSA refinement with the
project's tools (each step resumable, outputs under ``--work-dir``):

1. ``tools/pseudo_masks.py --save-cam`` on train_aug: seeds and CAMs;
2. ``tools/affinity_labels.py``: affinity labels of train_aug (unless
   ``--aff-labels`` gives a folder of label maps, e.g. the ground truth);
3. ``tools/train.py`` on the AffinityNet config;
4. ``tools/random_walk.py`` on train, once per background score;

then evaluates the seeds and every refined mask folder on train against
its ground truth with :func:`mmwsss.evaluation.evaluate_mask_folder`
(mmseg's ``IoUMetric``) and prints the table (also saved as
``results.json`` in the work dir).

Usage::

    python benchmarks/affinity_random_walk.py STAGE1_CONFIG STAGE1_CKPT \
        [--aff-config CONFIG] [--work-dir DIR] [--bg-scores 0.27 ...] \
        [--aff-labels DIR] [--beta 8] [--logt 6]
"""
import argparse
import json
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List

from mmengine.config import Config

from mmwsss.evaluation import evaluate_mask_folder
from mmwsss.utils import atomic_write_bytes, register_all_modules

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
AFF_CONFIG = osp.join(REPO, 'configs', 'affinity',
                      'affinity_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py')


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('stage1_config', help='stage-1 config')
    parser.add_argument('stage1_checkpoint', help='stage-1 checkpoint')
    parser.add_argument(
        '--aff-config', default=AFF_CONFIG, help='AffinityNet config')
    parser.add_argument(
        '--work-dir',
        default='work_dirs/affinity_random_walk',
        help='folder of every output')
    parser.add_argument(
        '--bg-scores',
        type=float,
        nargs='+',
        default=[0.27],
        help='background scores of the random walk')
    parser.add_argument(
        '--aff-labels',
        help='train AffinityNet on these label maps instead of the ones '
        'derived from the CAMs (e.g. the ground truth, for an upper bound)')
    parser.add_argument('--beta', type=float, default=8.)
    parser.add_argument('--logt', type=int, default=6)
    return parser.parse_args()


def tool(script: str, *args: str) -> float:
    """Run ``tools/{script}``; return its wall time in seconds."""
    start = time.time()
    cmd = [sys.executable, osp.join(REPO, 'tools', script), *args]
    print('$', ' '.join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=REPO)
    return time.time() - start


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint of mmengine's ``last_checkpoint`` pointer, or ''."""
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return ''
    with open(pointer) as f:
        return f.read().strip()


def evaluate(name: str, mask_dir: str, dataset_cfg: dict) -> Dict:
    """A results row: mmseg's metrics of a mask folder."""
    metrics = evaluate_mask_folder(mask_dir, dataset_cfg)
    return dict(masks=name, **{k: float(v) for k, v in metrics.items()})


def main() -> None:
    """Run the steps and print seed and refined mIoU."""
    args = parse_args()
    work_dir = osp.abspath(args.work_dir)
    cams = osp.join(work_dir, 'cams')
    labels = args.aff_labels or osp.join(work_dir, 'affinity_labels')
    aff_dir = osp.join(work_dir, 'affinitynet')
    times: Dict[str, float] = {}
    times['cams'] = tool('pseudo_masks.py', args.stage1_config,
                         args.stage1_checkpoint, '--out', cams, '--save-cam',
                         '--split', 'train_aug')
    if not args.aff_labels:
        times['affinity_labels'] = tool('affinity_labels.py', args.aff_config,
                                        '--cams', cams, '--out', labels)
    train_args = [
        args.aff_config, '--work-dir', aff_dir, '--cfg-options',
        f'train_dataloader.dataset.pipeline.1.label_dir={labels}'
    ]
    if last_checkpoint(aff_dir):
        train_args.append('--resume')
    times['train'] = tool('train.py', *train_args)
    checkpoint = last_checkpoint(aff_dir)

    register_all_modules()
    eval_cfg = Config.fromfile(args.stage1_config).val_dataloader.dataset
    rows: List[Dict] = [evaluate('seeds', cams, eval_cfg)]
    for bg_score in args.bg_scores:
        out = osp.join(work_dir, f'refined_bg{bg_score:.2f}')
        walk_args = [
            args.aff_config, checkpoint, '--cams', cams, '--out', out,
            '--split', 'train', f'--walk-bg-score={bg_score}',
            f'--beta={args.beta}', f'--logt={args.logt}'
        ]
        times[f'random_walk_{bg_score:.2f}'] = tool('random_walk.py',
                                                    *walk_args)
        rows.append(
            evaluate(f'random walk (bg {bg_score:.2f})', out, eval_cfg))
    print(f'\n{"masks":<26} {"mIoU":>6} {"mAcc":>6} {"aAcc":>6}')
    for row in rows:
        print(f'{row["masks"]:<26} {row["mIoU"]:6.2f} {row["mAcc"]:6.2f} '
              f'{row["aAcc"]:6.2f}')
    atomic_write_bytes(
        osp.join(work_dir, 'results.json'),
        json.dumps(
            dict(rows=rows, seconds=times, checkpoint=checkpoint),
            indent=2).encode())


if __name__ == '__main__':
    main()

"""Evaluate a checkpoint (seed mIoU of a stage-1 classifier, mIoU of a
segmentation network).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--tta]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse
import json
import os
import os.path as osp

from mmengine.config import DictAction
from mmengine.runner import Runner

from mmwsss.apis import load_config
from mmwsss.registry import RUNNERS
from mmwsss.utils import atomic_write_bytes, load_model_weights


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description='Evaluate a checkpoint')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir', help='the dir to save logs and evaluation summaries')
    parser.add_argument(
        '--tta',
        action='store_true',
        help='test-time augmentation (tta_pipeline, tta_model) of the config')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value pairs')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(
        '--trust-checkpoint',
        nargs='+',
        default=[],
        metavar='PATH',
        help='checkpoints trusted to run code when loaded (by default every '
        'checkpoint is loaded with torch.load(weights_only=True))')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main() -> None:
    """Evaluate the checkpoint on the test split; save ``metrics.json``."""
    args = parse_args()
    cfg = load_config(args.config, args.work_dir, args.cfg_options,
                      args.launcher, args.trust_checkpoint)
    if args.tta:
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
        cfg.tta_model.module = cfg.model
        cfg.model = cfg.tta_model
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg \
        else RUNNERS.build(cfg)
    load_model_weights(runner.model, args.checkpoint)
    metrics = runner.test()
    if runner.rank == 0:
        atomic_write_bytes(
            osp.join(cfg.work_dir, 'metrics.json'),
            json.dumps({
                k: float(v)
                for k, v in metrics.items()
            }, indent=2).encode())


if __name__ == '__main__':
    main()

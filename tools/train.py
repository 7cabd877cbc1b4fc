"""Train a model (stage-1 classifier, AffinityNet or segmentation network).

    python tools/train.py CONFIG [--work-dir DIR] [--resume] [--amp]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse
import os

import torch
from mmengine.config import DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner

from mmwsss.apis import load_config
from mmwsss.registry import RUNNERS


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        action='store_true',
        default=False,
        help='resume from the latest checkpoint in the work_dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training')
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
    """Build the Runner from the config and train."""
    args = parse_args()
    cfg = load_config(args.config, args.work_dir, args.cfg_options,
                      args.launcher, args.trust_checkpoint)
    if args.amp:
        if cfg.optim_wrapper.type in ('AmpOptimWrapper', 'BF16OptimWrapper'):
            print_log(
                'AMP training is already enabled in your config.',
                logger='current')
        elif torch.cuda.is_available():
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'
        else:  # mmengine's AmpOptimWrapper needs a GPU; bfloat16 does not
            cfg.optim_wrapper.type = 'BF16OptimWrapper'
    cfg.resume = args.resume
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg \
        else RUNNERS.build(cfg)
    runner.train()


if __name__ == '__main__':
    main()

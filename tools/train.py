"""Train a model (stage-1 classifier, AffinityNet or segmentation network).

    python tools/train.py CONFIG [--work-dir DIR] [--resume] [--amp]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]
        [--debug]

With --resume, training continues from the newest complete checkpoint of
the work dir (the one ``last_checkpoint`` names, else the newest complete
``epoch_N.pth`` / ``iter_N.pth``). Input errors are printed as one line;
--debug shows their traceback.
"""
import argparse
import os

import torch
from mmengine.logging import print_log

from mmwsss.apis.cli import (add_runner_args, build_runner, load_tool_config,
                             parse_runner_args, run_tool)
from mmwsss.utils import find_resume_checkpoint, remove_temporaries


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
    add_runner_args(parser)
    return parse_runner_args(parser)


def main() -> None:
    """Build the Runner from the config and train."""
    args = parse_args()
    cfg = load_tool_config(args)
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
    if args.resume:
        if int(os.environ.get('RANK', 0)) == 0:
            remove_temporaries(cfg.work_dir)  # of a save that was killed
        if cfg.get('load_from') is None:
            cfg.load_from = find_resume_checkpoint(cfg.work_dir)
    build_runner(cfg).train()


if __name__ == '__main__':
    run_tool(main)

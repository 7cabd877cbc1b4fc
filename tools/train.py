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

from mmwsss.apis.cli import (add_runner_args, load_tool_config,
                             parse_runner_args, run_tool)
from mmwsss.apis.stages import train


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
    train(load_tool_config(args), resume=args.resume, amp=args.amp)


if __name__ == '__main__':
    run_tool(main)

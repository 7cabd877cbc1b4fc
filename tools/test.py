"""Evaluate a checkpoint (seed mIoU of a stage-1 classifier, mIoU of a
segmentation network).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--tta]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse

from mmwsss.apis.cli import (add_runner_args, load_tool_config,
                             parse_runner_args, run_tool)
from mmwsss.apis.stages import evaluate


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
    add_runner_args(parser)
    return parse_runner_args(parser)


def main() -> None:
    """Evaluate the checkpoint on the test split; save ``metrics.json``."""
    args = parse_args()
    evaluate(load_tool_config(args), args.checkpoint, tta=args.tta)


if __name__ == '__main__':
    run_tool(main)

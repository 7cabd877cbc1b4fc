"""Evaluate a checkpoint (seed mIoU of a stage-1 classifier, mIoU of a
segmentation network).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--tta]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse
import json
import os.path as osp

from mmwsss.apis.cli import (add_runner_args, build_runner, load_tool_config,
                             parse_runner_args, run_tool)
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
    add_runner_args(parser)
    return parse_runner_args(parser)


def main() -> None:
    """Evaluate the checkpoint on the test split; save ``metrics.json``."""
    args = parse_args()
    cfg = load_tool_config(args)
    if args.tta:
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
        cfg.tta_model.module = cfg.model
        cfg.model = cfg.tta_model
    runner = build_runner(cfg)
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
    run_tool(main)

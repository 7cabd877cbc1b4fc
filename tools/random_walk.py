"""Refine stage-1 CAMs into pseudo masks with a trained AffinityNet.

    python tools/random_walk.py CONFIG CHECKPOINT [--cams DIR] [--out DIR]
        [--split SPLIT] [--beta 8] [--logt 6] [--walk-bg-score 0.27]
        [--overwrite] [--cfg-options k=v ...] [--launcher {none,pytorch}]
        [--debug]

CONFIG is the AffinityNet config; --cams and --out default to its
``cam_dir`` and ``refined_mask_dir`` keys, --beta, --logt and
--walk-bg-score to its ``model.test_cfg``. The CAMs are the ``{id}.npy``
files of ``tools/pseudo_masks.py --save-cam``. Images go one per batch
through the ``pseudo_mask_dataloader``; one VOC palette PNG per image is
written atomically into the output folder, and a rerun skips finished
images; the folder's manifest.json (checkpoint SHA-256, the CAM files'
SHA-256, parameters, config digest) makes a rerun with other inputs fail
unless --overwrite.
"""
import argparse
import os.path as osp

from mmwsss.apis.cli import (add_overwrite_arg, add_runner_args, folder_arg,
                             load_tool_config, parse_runner_args,
                             positive_float, run_tool, unit_interval)
from mmwsss.apis.stages import refine_masks


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description='Random-walk refinement')
    parser.add_argument('config', help='AffinityNet config file')
    parser.add_argument('checkpoint', help='AffinityNet checkpoint')
    parser.add_argument('--cams', help='folder of the CAMs (.npy)')
    parser.add_argument('--out', help='output folder')
    parser.add_argument(
        '--split',
        help='a named split of the dataset (VOC: a list under '
        'ImageSets/Segmentation, e.g. train_aug); default: the split of the '
        "config's pseudo_mask_dataloader")
    parser.add_argument(
        '--beta',
        type=positive_float,
        help='affinity exponent (default: config)')
    parser.add_argument(
        '--logt',
        type=int,
        choices=range(0, 17),
        metavar='{0..16}',
        help='number of squarings (default: config)')
    parser.add_argument(
        '--walk-bg-score',
        type=unit_interval,
        help='constant background score of the walk (default: config)')
    parser.add_argument('--work-dir', help='the dir to save logs')
    add_overwrite_arg(parser)
    add_runner_args(parser)
    return parse_runner_args(parser)


def main() -> None:
    """Load AffinityNet and write the refined masks of the split."""
    args = parse_args()
    cfg = load_tool_config(args)
    cam_dir = folder_arg(args.cams, cfg, 'cam_dir')
    out_dir = folder_arg(args.out, cfg, 'refined_mask_dir')
    if args.work_dir is None:
        cfg.work_dir = osp.join(out_dir, 'logs')
    refine_masks(
        cfg,
        args.checkpoint,
        cam_dir,
        out_dir,
        split=args.split,
        beta=args.beta,
        logt=args.logt,
        walk_bg_score=args.walk_bg_score,
        overwrite=args.overwrite)


if __name__ == '__main__':
    run_tool(main)

"""Write the pseudo masks of a split with a trained stage-1 classifier.

    python tools/pseudo_masks.py CONFIG CHECKPOINT --out DIR
        [--split SPLIT] [--bg-score {SCORE,SEED_METRIC_JSON}] [--save-cam]
        [--crf]
        [--overwrite] [--cfg-options k=v ...] [--launcher {none,pytorch}]
        [--debug]

One VOC palette PNG per image (and with --save-cam the CAMs as .npy) is
written atomically into DIR; a rerun skips finished images and removes the
temporary files of a killed run. DIR/manifest.json records what produced
the masks (checkpoint SHA-256, background score, CRF, config digest); a
rerun with other inputs is refused unless --overwrite. The background
score is --bg-score: a number in [0, 1], or the seed_metric.json of a seed
evaluation (tools/test.py writes it into its work dir) to take its best
score; without it, the model's test_cfg.bg_score.
"""
import argparse
import os.path as osp

from mmwsss.apis.cli import (add_overwrite_arg, add_runner_args,
                             bg_score_arg, load_tool_config,
                             parse_runner_args, run_tool)
from mmwsss.apis.stages import make_pseudo_masks


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description='Write pseudo masks')
    parser.add_argument('config', help='stage-1 config file')
    parser.add_argument('checkpoint', help='stage-1 checkpoint')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--split',
        help='a named split of the dataset (VOC: a list under '
        'ImageSets/Segmentation, e.g. train_aug); default: the split of the '
        "config's pseudo_mask_dataloader")
    parser.add_argument(
        '--bg-score',
        type=bg_score_arg,
        default=None,
        help='background score, in [0, 1], or a seed_metric.json (its best '
        "score); default: the model's test_cfg.bg_score")
    parser.add_argument(
        '--save-cam', action='store_true', help='also write the CAMs (.npy)')
    parser.add_argument(
        '--crf',
        action='store_true',
        help='refine with a dense CRF (needs pydensecrf2)')
    parser.add_argument('--work-dir', help='the dir to save logs')
    add_overwrite_arg(parser)
    add_runner_args(parser)
    return parse_runner_args(parser)


def main() -> None:
    """Load the classifier and write the pseudo masks."""
    args = parse_args()
    work_dir = args.work_dir or osp.join(args.out, 'logs')
    make_pseudo_masks(
        load_tool_config(args, work_dir),
        args.checkpoint,
        args.out,
        split=args.split,
        bg_score=args.bg_score,
        save_cam=args.save_cam,
        crf=args.crf,
        overwrite=args.overwrite)


if __name__ == '__main__':
    run_tool(main)

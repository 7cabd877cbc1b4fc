"""Write the pseudo masks of a split with a trained stage-1 classifier.

    python tools/pseudo_masks.py CONFIG CHECKPOINT --out DIR
        [--split train_aug] [--bg-score SCORE] [--save-cam] [--crf]
        [--overwrite] [--cfg-options k=v ...] [--launcher {none,pytorch}]
        [--debug]

One VOC palette PNG per image (and with --save-cam the CAMs as .npy) is
written atomically into DIR; a rerun skips finished images and removes the
temporary files of a killed run. DIR/manifest.json records what produced
the masks (checkpoint SHA-256, background score, CRF, config digest); a
rerun with other inputs is refused unless --overwrite. The background
score (in [0, 1]) is --bg-score, else the best one of the seed evaluation
saved beside the checkpoint (seed_metric.json), else the model's
test_cfg.bg_score.
"""
import argparse
import json
import os.path as osp
from typing import Optional

from mmengine.logging import print_log

from mmwsss.apis.cli import (add_overwrite_arg, add_runner_args, build_runner,
                             config_section, load_tool_config,
                             parse_runner_args, run_tool, split_ann_file,
                             unit_interval)
from mmwsss.engine.pseudo_masks import (prepare_pseudo_masks,
                                        resolve_bg_score, write_pseudo_masks)
from mmwsss.engine.resumable import file_digest, text_digest
from mmwsss.utils import load_model_weights


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description='Write pseudo masks')
    parser.add_argument('config', help='stage-1 config file')
    parser.add_argument('checkpoint', help='stage-1 checkpoint')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--split',
        default='train_aug',
        help='split list name under ImageSets/Segmentation')
    parser.add_argument(
        '--bg-score',
        type=unit_interval,
        default=None,
        help='background score, in [0, 1]')
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


def best_bg_score(checkpoint: str) -> Optional[float]:
    """The best background score of the seed evaluation saved next to the
    checkpoint (``seed_metric.json``), or None without one."""
    summary = osp.join(osp.dirname(osp.abspath(checkpoint)),
                       'seed_metric.json')
    if not osp.isfile(summary):
        return None
    with open(summary) as f:
        return float(json.load(f)['bg_score'])


def main() -> None:
    """Load the classifier and write the pseudo masks."""
    args = parse_args()
    work_dir = args.work_dir or osp.join(args.out, 'logs')
    cfg = load_tool_config(args, work_dir)
    dataloader_cfg = config_section(cfg, 'pseudo_mask_dataloader')
    dataloader_cfg.dataset.ann_file = split_ann_file(args.split)
    runner = build_runner(cfg)
    load_model_weights(runner.model, args.checkpoint)
    model = getattr(runner.model, 'module', runner.model)
    bg_score, source = resolve_bg_score(args.bg_score,
                                        best_bg_score(args.checkpoint), model)
    print_log(
        f'Background score {bg_score:.2f} (from {source})', logger='current')
    writer, dataloader = prepare_pseudo_masks(
        dataloader_cfg,
        args.out,
        bg_score,
        save_cam=args.save_cam,
        crf=dict() if args.crf else None,
        manifest=dict(
            checkpoint_sha256=file_digest(args.checkpoint),
            config_sha256=text_digest(
                dict(
                    model=cfg.model.to_dict(),
                    pipeline=dataloader_cfg.dataset.get('pipeline')))),
        overwrite=args.overwrite)
    if dataloader is None:
        print_log(
            f'Every pseudo mask of {args.split} is already in '
            f'{args.out}.',
            logger='current')
        return
    count = write_pseudo_masks(runner.model, dataloader, writer)
    print_log(f'Wrote {count} pseudo masks into {args.out}', logger='current')


if __name__ == '__main__':
    run_tool(main)

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

from mmengine.logging import print_log

from mmwsss.apis.cli import (add_overwrite_arg, add_runner_args, build_runner,
                             config_section, load_tool_config,
                             parse_runner_args, run_tool, split_ann_file,
                             unit_interval)
from mmwsss.engine.pseudo_masks import prepare_pseudo_masks, write_pseudo_masks
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


def background_score(args: argparse.Namespace, cfg) -> float:
    """The background score: argument, seed summary, or the model's."""
    if args.bg_score is not None:
        return args.bg_score
    summary = osp.join(
        osp.dirname(osp.abspath(args.checkpoint)), 'seed_metric.json')
    if osp.isfile(summary):
        with open(summary) as f:
            bg_score = float(json.load(f)['bg_score'])
        print_log(
            f'Background score {bg_score:.2f} from {summary}',
            logger='current')
        return bg_score
    bg_score = cfg.model.get('test_cfg', {}).get('bg_score', 0.2)
    print_log(
        f'No --bg-score and no {summary}: using the model default '
        f'{bg_score:.2f}',
        logger='current')
    return bg_score


def main() -> None:
    """Load the classifier and write the pseudo masks."""
    args = parse_args()
    work_dir = args.work_dir or osp.join(args.out, 'logs')
    cfg = load_tool_config(args, work_dir)
    dataloader_cfg = config_section(cfg, 'pseudo_mask_dataloader')
    dataloader_cfg.dataset.ann_file = split_ann_file(args.split)
    runner = build_runner(cfg)
    load_model_weights(runner.model, args.checkpoint)
    writer, dataloader = prepare_pseudo_masks(
        dataloader_cfg,
        args.out,
        background_score(args, cfg),
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

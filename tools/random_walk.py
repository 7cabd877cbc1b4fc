"""Refine stage-1 CAMs into pseudo masks with a trained AffinityNet.

    python tools/random_walk.py CONFIG CHECKPOINT [--cams DIR] [--out DIR]
        [--split train_aug] [--beta 8] [--logt 6] [--bg-score 0.27]
        [--cfg-options k=v ...] [--launcher {none,pytorch}]

CONFIG is the AffinityNet config; --cams and --out default to its
``cam_dir`` and ``refined_mask_dir`` keys, --beta, --logt and --bg-score to
its ``model.test_cfg``. The CAMs are the ``{id}.npy`` files of
``tools/pseudo_masks.py --save-cam``. Images go one per batch through the
``pseudo_mask_dataloader``; one VOC palette PNG per image is written
atomically into the output folder, and a rerun skips finished images.
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner

from mmwsss.apis import load_config
from mmwsss.apis.affinity import prepare_random_walk, write_refined_masks


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description='Random-walk refinement')
    parser.add_argument('config', help='AffinityNet config file')
    parser.add_argument('checkpoint', help='AffinityNet checkpoint')
    parser.add_argument('--cams', help='folder of the CAMs (.npy)')
    parser.add_argument('--out', help='output folder')
    parser.add_argument(
        '--split',
        default='train_aug',
        help='split list name under ImageSets/Segmentation')
    parser.add_argument(
        '--beta', type=float, help='affinity exponent (default: config)')
    parser.add_argument(
        '--logt', type=int, help='number of squarings (default: config)')
    parser.add_argument(
        '--bg-score',
        type=float,
        help='constant background score (default: config)')
    parser.add_argument('--work-dir', help='the dir to save logs')
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
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main() -> None:
    """Load AffinityNet and write the refined masks of the split."""
    args = parse_args()
    cfg = load_config(args.config, args.work_dir, args.cfg_options,
                      args.launcher)
    cam_dir = args.cams or cfg.get('cam_dir')
    out_dir = args.out or cfg.get('refined_mask_dir')
    if not cam_dir or not out_dir:
        raise SystemExit('Pass --cams and --out or set cam_dir and '
                         'refined_mask_dir in the config.')
    if args.work_dir is None:
        cfg.work_dir = osp.join(out_dir, 'logs')
    test_cfg = cfg.model.setdefault('test_cfg', {})
    for key in ('beta', 'logt', 'bg_score'):
        if getattr(args, key) is not None:
            test_cfg[key] = getattr(args, key)
    dataloader_cfg = cfg.pseudo_mask_dataloader
    dataloader_cfg.dataset.ann_file = osp.join('ImageSets', 'Segmentation',
                                               f'{args.split}.txt')
    runner = Runner.from_cfg(cfg)
    runner.load_checkpoint(args.checkpoint)
    palette, dataloader = prepare_random_walk(dataloader_cfg, out_dir)
    if dataloader is None:
        print_log(
            f'Every refined mask of {args.split} is already in {out_dir}.',
            logger='current')
        return
    count = write_refined_masks(runner.model, dataloader, cam_dir, out_dir,
                                palette)
    print_log(f'Wrote {count} refined masks into {out_dir}', logger='current')


if __name__ == '__main__':
    main()

"""Write the affinity labels that train AffinityNet, from stage-1 CAMs.

    python tools/affinity_labels.py CONFIG [--cams DIR] [--out DIR]
        [--split SPLIT] [--low-alpha 4] [--high-alpha 24] [--crf]
        [--overwrite] [--cfg-options k=v ...] [--debug]

CONFIG is any config with a ``pseudo_mask_dataloader`` (image ids and
labels); --cams and --out default to its ``cam_dir`` and
``affinity_label_dir`` keys. The CAMs are the ``{id}.npy`` files of
``tools/pseudo_masks.py --save-cam``. One VOC palette PNG per image (0
background, classes, 255 unreliable) is written atomically into the output
folder; a rerun skips finished images, and the folder's manifest.json (CAM
folder, exponents, CRF) makes a rerun with other inputs fail unless
--overwrite.
"""
import argparse

from mmengine.registry import init_default_scope

from mmwsss.apis import load_config
from mmwsss.apis.cli import (add_cfg_options_arg, add_debug_arg,
                             add_overwrite_arg, folder_arg, positive_float,
                             run_tool)
from mmwsss.apis.stages import make_affinity_labels


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description='Write affinity labels')
    parser.add_argument('config', help='config with pseudo_mask_dataloader')
    parser.add_argument('--cams', help='folder of the CAMs (.npy)')
    parser.add_argument('--out', help='output folder')
    parser.add_argument(
        '--split',
        help='a named split of the dataset (VOC: a list under '
        'ImageSets/Segmentation, e.g. train_aug); default: the split of the '
        "config's pseudo_mask_dataloader")
    parser.add_argument(
        '--low-alpha',
        type=positive_float,
        default=4.,
        help='exponent of the strong background (confident foreground)')
    parser.add_argument(
        '--high-alpha',
        type=positive_float,
        default=24.,
        help='exponent of the weak background (confident background)')
    parser.add_argument(
        '--crf',
        action='store_true',
        help='refine both argmaxes with a dense CRF (needs pydensecrf2)')
    add_overwrite_arg(parser)
    add_cfg_options_arg(parser)
    add_debug_arg(parser)
    return parser.parse_args()


def main() -> None:
    """Build the dataset of the split and write its affinity labels."""
    args = parse_args()
    cfg = load_config(args.config, cfg_options=args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmwsss'))
    make_affinity_labels(
        cfg,
        folder_arg(args.cams, cfg, 'cam_dir'),
        folder_arg(args.out, cfg, 'affinity_label_dir'),
        split=args.split,
        low_alpha=args.low_alpha,
        high_alpha=args.high_alpha,
        crf=args.crf,
        overwrite=args.overwrite)


if __name__ == '__main__':
    run_tool(main)

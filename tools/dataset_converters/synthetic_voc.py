"""Write the synthetic benchmark in the PASCAL VOC or the MS COCO layout
(see synthetic_voc.md).

Example::

    python tools/dataset_converters/synthetic_voc.py \
        --out data/synthetic_voc --seed 0
    python tools/dataset_converters/synthetic_voc.py --version 2 \
        --out data/synthetic_voc_v2 --seed 0
    python tools/dataset_converters/synthetic_voc.py --layout coco \
        --out data/synthetic_coco --seed 0
"""
import argparse
import json

from mmwsss.datasets.synthetic import write_synthetic_coco, write_synthetic_voc


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = argparse.ArgumentParser(
        description='Write a synthetic dataset in the PASCAL VOC 2012 layout '
        '(JPEGImages, SegmentationClass(Aug), ImageSets, cls_labels.npy, '
        'saliency) or in the MS COCO 2014 layout (train2014, val2014, '
        'annotations/instances_*.json, SALImages).')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--layout',
        choices=('voc', 'coco'),
        default='voc',
        help='folder layout and annotation format')
    parser.add_argument('--seed', type=int, default=0, help='data seed')
    parser.add_argument(
        '--version',
        type=int,
        choices=(1, 2),
        default=1,
        help='VOC: scene style, 1 (bodies alike for all classes) or 2 '
        '(class-correlated body materials and context regions)')
    parser.add_argument(
        '--num-train',
        type=int,
        help='images in train (VOC, default 200) or train2014 (COCO, '
        'default 800)')
    parser.add_argument(
        '--num-train-aug',
        type=int,
        default=800,
        help='VOC: images in train_aug (a superset of train)')
    parser.add_argument(
        '--num-val', type=int, default=100, help='images in val')
    parser.add_argument(
        '--min-size', type=int, default=112, help='smallest image side (px)')
    parser.add_argument(
        '--max-size', type=int, default=160, help='largest image side (px)')
    parser.add_argument(
        '--num-classes',
        type=int,
        default=20,
        help='foreground classes, at most 20')
    parser.add_argument(
        '--jpeg-quality', type=int, default=90, help='JPEG quality')
    parser.add_argument(
        '--empty-every',
        type=int,
        default=20,
        help='COCO: every N-th image has no object (0: none)')
    return parser


def main() -> None:
    parser = build_parser()
    args = parser.parse_args()
    common = dict(
        seed=args.seed,
        num_val=args.num_val,
        image_size=(args.min_size, args.max_size),
        num_classes=args.num_classes,
        jpeg_quality=args.jpeg_quality)
    if args.num_train is not None:  # else the layout's default
        common['num_train'] = args.num_train
    if args.layout == 'coco' and args.version != 1:
        parser.error('--version 2 is for the VOC layout only.')
    try:
        if args.layout == 'coco':
            summary = write_synthetic_coco(
                args.out, empty_every=args.empty_every, **common)
        else:
            summary = write_synthetic_voc(
                args.out,
                num_train_aug=args.num_train_aug,
                version=args.version,
                **common)
    except (FileExistsError, TypeError, ValueError) as error:
        parser.error(str(error))
    print(json.dumps(summary, indent=2))


if __name__ == '__main__':
    main()

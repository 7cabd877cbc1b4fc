"""Derive the class-index masks of MS COCO's 80 classes from an instances
file, once, into a cache folder (the one a config's
``data_prefix.seg_map_path`` names).

COCOClsDataset does the same when a config first needs the masks; running
it beforehand, in one process, keeps a distributed run from waiting on it.
Rules and cache format: mmwsss/datasets/coco_masks.py.

Example::

    python tools/dataset_converters/coco_masks.py \\
        data/coco2014/annotations/instances_train2014.json \\
        data/coco2014/SegmentationClass/train2014
"""
import argparse

from mmwsss.datasets.coco_masks import load_coco, write_coco_masks


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = argparse.ArgumentParser(
        description='Write the 81-class (background + 80) masks of the '
        'images of a COCO instances file into a folder; rerunning resumes.')
    parser.add_argument('ann_file', help='COCO instances_*.json')
    parser.add_argument('out_dir', help='mask folder (the cache)')
    parser.add_argument(
        '--keep-empty',
        action='store_true',
        help='also write the (all-background) masks of the images without '
        'any annotation, which the datasets skip by default')
    return parser


def main() -> None:
    parser = build_parser()
    args = parser.parse_args()
    try:
        coco = load_coco(args.ann_file)
        image_ids = [
            i for i in sorted(coco.imgs)
            if coco.imgToAnns[i] or args.keep_empty
        ]
        written = write_coco_masks(coco, args.ann_file, image_ids,
                                   args.out_dir)
    except (FileNotFoundError, FileExistsError, ValueError) as error:
        parser.error(str(error))
    print(f'{written} masks written, {len(image_ids) - written} were there '
          f'already, in {args.out_dir}')


if __name__ == '__main__':
    main()

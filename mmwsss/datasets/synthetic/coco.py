"""The synthetic benchmark's scenes in the MS COCO 2014 layout.

The same scenes as :mod:`.voc` (image number ``n`` is drawn from
``numpy.random.default_rng([seed, n])``, so a non-empty COCO image is the VOC
image of the same number), stored the way COCO is: JPEG images per split and
one instances JSON per split, read with pycocotools. Synthetic class ``k``
is COCO's ``k``-th object category (``person``, ``bicycle``, ...; category
ids 1..11, 13..21 for the 20 classes, so the gap at id 12 is exercised), and
every ``empty_every``-th image is background clutter without any object, as
about 1% of COCO's images are. There are no mask files: masks are derived
from the JSON (:mod:`mmwsss.datasets.coco_masks`), which is what the layout
is for.

Layout under the output folder::

    train2014/COCO_train2014_{12-digit id}.jpg
    val2014/COCO_val2014_{12-digit id}.jpg
    annotations/instances_{train,val}2014.json
    SALImages/{stem}.png               every image (grayscale PNG)
    synthetic_coco.json                the arguments (manifest)

The instances files hold ``images`` (id, file_name, height, width),
``categories`` (COCO's 80, with their ids and names) and ``annotations``: one
per visible instance, its visible pixels as a compressed RLE (COCO's result
format), except that the second instance of a class in an image is a crowd
annotation (``iscrowd=1``, uncompressed RLE, as COCO stores crowds). COCO
image id ``n + 1`` is image number ``n``.
"""
import json
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np
from pycocotools import mask as mask_utils

from ..coco_masks import COCO_CATEGORY_IDS, COCO_CLASSES
from ..mask_png import encode_png
from .shapes import SyntheticScene, render_scene
from .voc import (MAX_IMAGES_PER_SET, VAL_NUMBER_OFFSET, YEAR, _check_int,
                  _Writer, check_arguments, check_manifest, encode_jpeg)

MANIFEST_NAME = 'synthetic_coco.json'
SALIENCY_FOLDER = 'SALImages'
SPLIT_FOLDERS = dict(train='train2014', val='val2014')
FORMAT_VERSION = 1


def split_numbers(num_train: int, num_val: int) -> Dict[str, List[int]]:
    """Image numbers of ``train`` and ``val`` (those of VOC's ``train_aug``
    and ``val``: the same scenes)."""
    return dict(
        train=list(range(num_train)),
        val=list(range(VAL_NUMBER_OFFSET, VAL_NUMBER_OFFSET + num_val)))


def is_empty(number: int, empty_every: int) -> bool:
    """Whether image ``number`` is drawn without objects (every
    ``empty_every``-th image; never if ``empty_every`` is 0)."""
    return empty_every > 0 and number % empty_every == empty_every - 1


def image_stem(split: str, number: int) -> str:
    """File name stem of image ``number``, e.g.
    ``COCO_train2014_000000000001``."""
    return f'COCO_{SPLIT_FOLDERS[split]}_{number + 1:012d}'


def coco_scene(seed: int, number: int, num_classes: int,
               image_size: Sequence[int], empty_every: int) -> SyntheticScene:
    """The scene of image ``number`` (what the writer stores)."""
    return render_scene(
        np.random.default_rng([seed, number]),
        num_classes,
        tuple(image_size),
        empty=is_empty(number, empty_every))


def uncompressed_rle(mask: np.ndarray) -> dict:
    """COCO's uncompressed RLE of a bool mask (column-major run lengths,
    starting with a run of zeros)."""
    flat = mask.ravel(order='F')
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    runs = np.diff(np.concatenate([[0], change, [flat.size]]))
    if flat[0]:
        runs = np.concatenate([[0], runs])
    return dict(size=list(mask.shape), counts=runs.tolist())


def scene_annotations(scene: SyntheticScene, image_id: int,
                      first_id: int) -> List[dict]:
    """COCO annotations of the visible instances of a scene.

    Args:
        scene (SyntheticScene): The scene.
        image_id (int): Its COCO image id.
        first_id (int): Id of its first annotation.

    Returns:
        list[dict]: One annotation per instance, in drawing order.
    """
    annotations, seen = [], set()
    for index, label in enumerate(scene.classes, 1):
        region = scene.instances == index
        rle = mask_utils.encode(np.asfortranarray(region.astype(np.uint8)))
        crowd = label in seen
        seen.add(label)
        segmentation = uncompressed_rle(region) if crowd else dict(
            size=rle['size'], counts=rle['counts'].decode('ascii'))
        annotations.append(
            dict(
                id=first_id + len(annotations),
                image_id=image_id,
                category_id=COCO_CATEGORY_IDS[label - 1],
                segmentation=segmentation,
                area=float(region.sum()),
                bbox=mask_utils.toBbox(rle).tolist(),
                iscrowd=int(crowd)))
    return annotations


def write_synthetic_coco(out_dir: str,
                         seed: int = 0,
                         num_train: int = 800,
                         num_val: int = 100,
                         image_size: Tuple[int, int] = (112, 160),
                         num_classes: int = 20,
                         jpeg_quality: int = 90,
                         empty_every: int = 20) -> dict:
    """Write a synthetic dataset in the MS COCO 2014 layout.

    Args:
        out_dir (str): The output folder, created if missing. It must be
            empty or hold a dataset written with the same arguments.
        seed (int): Seed of the data; the same seed and arguments give
            byte-identical files. Defaults to 0.
        num_train (int): Images in ``train2014``. Defaults to 800.
        num_val (int): Images in ``val2014``. Defaults to 100.
        image_size (tuple[int, int]): Range ``(min, max)`` of the height and
            of the width in pixels, drawn per image. Defaults to (112, 160).
        num_classes (int): Foreground classes used, at most 20 (COCO's first
            categories). Defaults to 20.
        jpeg_quality (int): Quality of the JPEG images. Defaults to 90.
        empty_every (int): Every ``empty_every``-th image has no object; 0
            for none. Defaults to 20.

    Returns:
        dict: A summary: the arguments, the number of images and of empty
        images of each split, the mean number of classes per image, and the
        number of files written and left unchanged.
    """
    check_arguments(seed, num_train, num_train, num_val, image_size,
                    num_classes, jpeg_quality)
    _check_int('empty_every', empty_every, 0, MAX_IMAGES_PER_SET)
    manifest = dict(
        format_version=FORMAT_VERSION,
        seed=int(seed),
        num_train=int(num_train),
        num_val=int(num_val),
        image_size=[int(s) for s in image_size],
        num_classes=int(num_classes),
        jpeg_quality=int(jpeg_quality),
        empty_every=int(empty_every))
    check_manifest(out_dir, manifest, MANIFEST_NAME)
    write = _Writer(out_dir)
    write('', MANIFEST_NAME,
          (json.dumps(manifest, indent=2, sort_keys=True) + '\n').encode())

    categories = [
        dict(id=cat_id, name=name)
        for cat_id, name in zip(COCO_CATEGORY_IDS, COCO_CLASSES[1:])
    ]
    summary = dict(out_dir=out_dir, **manifest)
    del summary['format_version']
    num_images, num_empty, classes_per_image = {}, {}, []
    for split, numbers in split_numbers(num_train, num_val).items():
        images, annotations = [], []
        for number in numbers:
            scene = coco_scene(seed, number, num_classes, image_size,
                               empty_every)
            stem = image_stem(split, number)
            write(SPLIT_FOLDERS[split], stem + '.jpg',
                  encode_jpeg(scene.image, jpeg_quality))
            write(SALIENCY_FOLDER, stem + '.png', encode_png(scene.saliency))
            height, width = scene.mask.shape
            images.append(
                dict(
                    id=number + 1,
                    file_name=stem + '.jpg',
                    height=height,
                    width=width))
            annotations += scene_annotations(scene, number + 1,
                                             len(annotations) + 1)
            classes_per_image.append(len(set(scene.classes)))
        data = dict(
            info=dict(
                description='mmwsss synthetic benchmark, COCO layout',
                year=YEAR),
            licenses=[],
            images=images,
            annotations=annotations,
            categories=categories)
        write('annotations', f'instances_{SPLIT_FOLDERS[split]}.json',
              json.dumps(data, sort_keys=True).encode())
        num_images[SPLIT_FOLDERS[split]] = len(numbers)
        num_empty[SPLIT_FOLDERS[split]] = sum(
            is_empty(n, empty_every) for n in numbers)
    summary.update(
        num_images=num_images,
        num_empty_images=num_empty,
        mean_classes_per_image=round(float(np.mean(classes_per_image)), 3),
        files_written=write.written,
        files_unchanged=write.unchanged)
    return summary


def annotation_path(out_dir: str, split: str) -> str:
    """The instances file of ``split`` ('train' or 'val')."""
    return osp.join(out_dir, 'annotations',
                    f'instances_{SPLIT_FOLDERS[split]}.json')

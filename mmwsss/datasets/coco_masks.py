"""Semantic masks of MS COCO's 80 object classes, derived from instances.

COCO ships instance annotations (polygons and RLEs in
``instances_{train,val}2014.json``), not the class-index masks that WSSS
evaluation and the segmentation stage read. This module derives them with
pycocotools and caches them as PNG files, one per image, once.

The rule (:func:`semantic_mask`) is the one of the COCO masks that the common
WSSS repositories evaluate against (generated with the ``coco2voc`` converter
that ToCo, DuPL and others point to):

- the 80 categories map to contiguous indices 1..80 in increasing COCO
  category id (``person`` = 1 ... ``toothbrush`` = 80), 0 is background;
- where instances overlap, the one with the smaller annotated ``area`` wins
  (instances are painted from the smallest up, a pixel keeps the first class
  painted on it; equal areas keep the order of the file), so a small object
  in front of a large one is not painted over;
- crowd annotations (``iscrowd=1``) are painted with their class like any
  instance;
- no pixel is ignored: COCO has no boundary band, so the masks never hold
  255.

:func:`write_coco_masks` writes the cache: every file through a temporary
file and a rename, images with a finished file skipped (a rerun resumes an
interrupted one), temporary files of killed runs removed, one writer at a
time (a lock file), a progress bar. A manifest ``coco_masks.json`` records the
annotation file the masks come from; a cache written from another file, or a
folder of other files, is refused.
"""
import contextlib
import fcntl
import io
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Sequence

import numpy as np
from mmengine.logging import print_log
from mmengine.utils import ProgressBar
from mmseg.datasets import COCOStuffDataset
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from mmwsss.utils import atomic_write_bytes, remove_temporaries, safe_join
from .mask_png import IGNORE_COLOUR, encode_png

#: The COCO ids of the 80 object categories (2014 and 2017), increasing.
COCO_CATEGORY_IDS = (
    tuple(range(1, 12)) + tuple(range(13, 26)) + (27, 28) +
    tuple(range(31, 45)) + tuple(range(46, 66)) + (67, 70) +
    tuple(range(72, 83)) + tuple(range(84, 91)))
#: Background and the 80 object classes, in contiguous-index order (the
#: first 80 classes of mmseg's COCO-Stuff are COCO's objects, in id order).
COCO_CLASSES = ('background', ) + COCOStuffDataset.METAINFO['classes'][:80]
MANIFEST_NAME = 'coco_masks.json'
LOCK_NAME = '.lock'
FORMAT_VERSION = 1


def bit_palette(num_colours: int) -> List[List[int]]:
    """The PASCAL VOC colour map extended to ``num_colours`` entries.

    The bits of an index are spread over the high bits of R, G and B (VOC's
    devkit rule), so the first 21 colours are VOC's and all are distinct.

    Args:
        num_colours (int): Number of colours, at most 256.

    Returns:
        list[list[int]]: ``[r, g, b]`` of each index.
    """
    index = np.arange(num_colours)
    palette = np.zeros((num_colours, 3), np.int64)
    for bit in range(8):
        for channel in range(3):
            palette[:, channel] |= ((index >> (3 * bit + channel)) & 1) \
                << (7 - bit)
    return palette.tolist()


COCO_PALETTE = bit_palette(len(COCO_CLASSES))


def mask_palette() -> List[int]:
    """The 768 palette ints of the mask PNGs (255 = VOC's ignore colour)."""
    palette = np.zeros((256, 3), np.uint8)
    palette[:len(COCO_PALETTE)] = COCO_PALETTE
    palette[255] = IGNORE_COLOUR
    return palette.ravel().tolist()


def load_coco(path: str) -> COCO:
    """Load a COCO instances file with pycocotools, without its prints.

    Args:
        path (str): The ``instances_*.json`` file.

    Returns:
        COCO: The indexed annotations.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it is not a COCO instances file.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'The COCO annotation file {path} does not '
                                'exist.')
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            coco = COCO(path)
    except (ValueError, KeyError, TypeError, AssertionError) as e:
        raise ValueError(f'{path} is not a COCO instances file: {e!r}') from e
    for key in ('images', 'annotations', 'categories'):
        if key not in coco.dataset:
            raise ValueError(f'{path} is not a COCO instances file: it has '
                             f'no {key!r}.')
    return coco


def category_indices(coco: COCO, path: str) -> Dict[int, int]:
    """Map COCO category ids to contiguous class indices 1..80.

    Args:
        coco (COCO): The annotations.
        path (str): Their file, for error messages.

    Returns:
        dict[int, int]: Category id -> index in :data:`COCO_CLASSES`.

    Raises:
        ValueError: If the file does not hold exactly COCO's 80 object
            categories (ids and names).
    """
    found = {cat['id']: cat['name'] for cat in coco.dataset['categories']}
    expected = dict(zip(COCO_CATEGORY_IDS, COCO_CLASSES[1:]))
    if found != expected:
        cat_id = min(
            i for i in set(found) | set(expected)
            if found.get(i) != expected.get(i))
        raise ValueError(
            f'{path} does not hold the 80 COCO object categories: its '
            f'category id {cat_id} is {found.get(cat_id)!r}, COCO\'s is '
            f'{expected.get(cat_id)!r}.')
    return {cat_id: i for i, cat_id in enumerate(COCO_CATEGORY_IDS, 1)}


def semantic_mask(coco: COCO, image_id: int,
                  cat_index: Dict[int, int]) -> np.ndarray:
    """The class-index mask of an image (see the module's rule).

    Args:
        coco (COCO): The annotations.
        image_id (int): The COCO image id.
        cat_index (dict[int, int]): Category id -> class index (from
            :func:`category_indices`).

    Returns:
        np.ndarray: ``(height, width)`` uint8 mask, 0 = background.
    """
    image = coco.imgs[image_id]
    anns = sorted(coco.imgToAnns[image_id], key=lambda ann: ann['area'])
    if not anns:
        return np.zeros((image['height'], image['width']), np.uint8)
    masks = mask_utils.decode([coco.annToRLE(ann) for ann in anns]) > 0
    classes = np.array([0] + [cat_index[ann['category_id']] for ann in anns],
                       np.uint8)
    # the first (smallest) instance covering a pixel, 0 where none does
    first = np.where(masks.any(axis=2), masks.argmax(axis=2) + 1, 0)
    return classes[first]


def _check_cache_folder(out_dir: str, manifest: dict) -> None:
    """Refuse a folder that is not (yet) this cache; write the manifest."""
    path = osp.join(out_dir, MANIFEST_NAME)
    if osp.isfile(path):
        with open(path, encoding='utf-8') as f:
            found = json.load(f)
        if found != manifest:
            keys = sorted(
                k for k in set(found) | set(manifest)
                if found.get(k) != manifest.get(k))
            diff = ', '.join(f'{k}: {found.get(k)!r} there, '
                             f'{manifest.get(k)!r} now' for k in keys)
            raise FileExistsError(
                f'{out_dir} holds COCO masks derived from another annotation '
                f'file ({diff}); remove the folder or use another one.')
        return
    others = [
        name for name in os.listdir(out_dir)
        if name != LOCK_NAME and not name.endswith('.tmp')
    ]
    if others:
        raise FileExistsError(
            f'{out_dir} holds files ({others[0]}, ...) but no '
            f'{MANIFEST_NAME}: refusing to write COCO masks among them. To '
            'read masks made elsewhere as they are, do not generate masks '
            '(generate_masks=False).')
    atomic_write_bytes(path, (json.dumps(manifest, indent=2, sort_keys=True) +
                              '\n').encode())


def write_coco_masks(coco: COCO, ann_file: str, image_ids: Sequence[int],
                     out_dir: str) -> int:
    """Write the missing masks of ``image_ids`` into the cache ``out_dir``.

    Mask ``{out_dir}/{stem}.png`` (``stem``: the image's ``file_name``
    without its extension) is a palette PNG of the class indices of
    :data:`COCO_CLASSES`. Images whose file exists are skipped (a file only
    appears once complete); temporary files left by a killed run are
    removed first. Concurrent callers (e.g. the processes of a distributed
    run) take turns on a lock file: the first writes, the others then find
    every mask done.

    Args:
        coco (COCO): The annotations.
        ann_file (str): Their file (recorded in the manifest).
        image_ids (Sequence[int]): COCO ids of the images to write.
        out_dir (str): The cache folder, created if missing.

    Returns:
        int: The number of masks written.

    Raises:
        FileExistsError: If ``out_dir`` holds masks of another annotation
            file, or other files and no manifest.
    """
    cat_index = category_indices(coco, ann_file)
    manifest = dict(
        format_version=FORMAT_VERSION,
        annotation_file=osp.basename(ann_file),
        annotation_bytes=osp.getsize(ann_file),
        rule='smallest area on top, crowd as its class, no ignore')
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, LOCK_NAME), 'a') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _check_cache_folder(out_dir, manifest)
            remove_temporaries(out_dir)
            todo = []
            for image_id in image_ids:
                stem = osp.splitext(coco.imgs[image_id]['file_name'])[0]
                path = safe_join(out_dir, stem, '.png')
                if not osp.isfile(path):
                    todo.append((image_id, path))
            if not todo:
                return 0
            print_log(
                f'Deriving {len(todo)} COCO masks from {ann_file} into '
                f'{out_dir} ...',
                logger='current')
            palette = mask_palette()
            bar = ProgressBar(len(todo), file=sys.stdout)
            for image_id, path in todo:
                atomic_write_bytes(
                    path,
                    encode_png(
                        semantic_mask(coco, image_id, cat_index), palette))
                bar.update()
            bar.file.write('\n')
            return len(todo)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

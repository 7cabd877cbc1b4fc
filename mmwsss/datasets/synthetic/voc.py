"""A small synthetic dataset in the exact PASCAL VOC 2012 layout.

It is the project's own CPU benchmark and test data for weakly supervised
semantic segmentation: every object is recognisable mainly from a small
class-specific head on a body shared by all classes, on textured clutter, with
imperfect soft saliency maps (see :mod:`.shapes`); version 2 scenes give
bodies class-correlated materials and add context regions (see
:mod:`.scenes_v2`). The files are a function of the arguments only: each
image is drawn from a generator seeded with ``(seed, image number)``, so an
image does not depend on the others nor on the split sizes, and a rerun gives
byte-identical files.

Layout under the output folder::

    JPEGImages/{id}.jpg                    train_aug and val
    SegmentationClass/{id}.png             train and val (palette PNG)
    SegmentationClassAug/{id}.png          train_aug and val (palette PNG)
    ImageSets/Segmentation/{split}.txt     train, train_aug, val
    cls_labels.npy                         {id: multi-hot float32}
    saliency/{id}.png                      every id (grayscale PNG)
    synthetic_voc.json                     the arguments (manifest)
"""
import io
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np

from mmwsss.utils.io import atomic_write_bytes, safe_join
from ..mask_png import IGNORE_COLOUR, encode_png
from .scenes_v2 import render_scene_v2
from .shapes import IGNORE_INDEX, MAX_CLASSES, SyntheticScene, render_scene

YEAR = 2026
VAL_NUMBER_OFFSET = 500000
MAX_IMAGES_PER_SET = 500000
MIN_IMAGE_SIDE = 32
MANIFEST_NAME = 'synthetic_voc.json'
FORMAT_VERSION = 2
# scene style -> (rng, num_classes, image_size) -> SyntheticScene
SCENE_VERSIONS = {1: render_scene, 2: render_scene_v2}


def voc_palette() -> List[int]:
    """The PASCAL VOC palette as 768 ints for ``PIL.Image.putpalette``.

    The 21 class colours come from ``PascalVOCDataset.METAINFO``; the other
    entries are black except ``IGNORE_INDEX``, which is VOC's ignore colour.
    """
    from mmseg.datasets import PascalVOCDataset
    palette = np.zeros((256, 3), np.uint8)
    colours = PascalVOCDataset.METAINFO['palette']
    palette[:len(colours)] = colours
    palette[IGNORE_INDEX] = IGNORE_COLOUR
    return palette.ravel().tolist()


def image_id(number: int) -> str:
    """The VOC-style id of an image number, e.g. ``2026_000042``."""
    return f'{YEAR}_{number:06d}'


def split_numbers(num_train: int, num_train_aug: int,
                  num_val: int) -> Dict[str, List[int]]:
    """Image numbers of each split.

    ``train`` is the first ``num_train`` numbers of ``train_aug``; ``val``
    numbers start at ``VAL_NUMBER_OFFSET``, so the splits never overlap and
    growing one split leaves the images of the others unchanged.
    """
    return dict(
        train=list(range(num_train)),
        train_aug=list(range(num_train_aug)),
        val=list(range(VAL_NUMBER_OFFSET, VAL_NUMBER_OFFSET + num_val)))


def _check_int(name: str, value: int, low: int, high: int) -> None:
    """Raise a ValueError naming ``name`` unless ``low <= value <= high``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f'{name} must be an int, got {value!r}.')
    if not low <= value <= high:
        raise ValueError(f'{name} must be in [{low}, {high}], got {value}.')


def check_arguments(seed: int, num_train: int, num_train_aug: int,
                    num_val: int,
                    image_size: Sequence[int],
                    num_classes: int,
                    jpeg_quality: int,
                    version: int = 1) -> None:
    """Validate the arguments of :func:`write_synthetic_voc`.

    Raises:
        TypeError | ValueError: Naming the first bad argument.
    """
    _check_int('seed', seed, 0, 2**63 - 1)
    _check_int('num_train', num_train, 1, MAX_IMAGES_PER_SET)
    _check_int('num_train_aug', num_train_aug, 1, MAX_IMAGES_PER_SET)
    _check_int('num_val', num_val, 1, MAX_IMAGES_PER_SET)
    if num_train > num_train_aug:
        raise ValueError(f'num_train ({num_train}) must not exceed '
                         f'num_train_aug ({num_train_aug}): train is a '
                         'subset of train_aug.')
    if len(image_size) != 2:
        raise ValueError(f'image_size must be (min, max), got {image_size!r}.')
    for side in image_size:
        _check_int('image_size', side, MIN_IMAGE_SIDE, 4096)
    if image_size[0] > image_size[1]:
        raise ValueError(f'image_size must be (min, max) with min <= max, '
                         f'got {tuple(image_size)}.')
    _check_int('num_classes', num_classes, 1, MAX_CLASSES)
    _check_int('jpeg_quality', jpeg_quality, 1, 100)
    _check_int('version', version, 1, max(SCENE_VERSIONS))


def check_manifest(out_dir: str,
                   manifest: dict,
                   name: str = MANIFEST_NAME) -> None:
    """Refuse an output folder that holds another dataset.

    A folder is accepted if it is missing or empty, or if its manifest
    equals ``manifest`` (a rerun, possibly of an interrupted run).

    Args:
        out_dir (str): The output folder.
        manifest (dict): The arguments of this run.
        name (str): File name of the manifest. Defaults to
            ``MANIFEST_NAME``.

    Raises:
        FileExistsError: If the folder holds files but no manifest, or a
            manifest written with other arguments.
    """
    path = osp.join(out_dir, name)
    if not osp.exists(path):
        if osp.isdir(out_dir) and os.listdir(out_dir):
            raise FileExistsError(
                f'{out_dir} is not empty and has no {name}: refusing '
                'to write a synthetic dataset over other files.')
        return
    with open(path, encoding='utf-8') as f:
        found = json.load(f)
    if found != manifest:
        keys = sorted(
            k for k in set(found) | set(manifest)
            if found.get(k) != manifest.get(k))
        diff = ', '.join(f'{k}: {found.get(k)!r} there, {manifest.get(k)!r} '
                         'asked' for k in keys)
        raise FileExistsError(
            f'{out_dir} holds a synthetic dataset written with other '
            f'arguments ({diff}); use another folder or remove it.')


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    """JPEG bytes of a ``(H, W, 3)`` uint8 RGB image."""
    ok, data = cv2.imencode('.jpg', cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
                            [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError('cv2.imencode failed to encode a JPEG.')
    return data.tobytes()


def multi_hot(mask: np.ndarray, num_classes: int) -> np.ndarray:
    """float32 multi-hot of the classes in ``mask`` (index 0 = class 1)."""
    present = np.bincount(mask.ravel(), minlength=256)[1:num_classes + 1] > 0
    return present.astype(np.float32)


class _Writer:
    """Writes files atomically, skipping those already holding the bytes."""

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        self.written = 0
        self.unchanged = 0

    def __call__(self, folder: str, name: str, data: bytes) -> None:
        path = safe_join(osp.join(self.out_dir, folder), name)
        if osp.isfile(path) and osp.getsize(path) == len(data):
            with open(path, 'rb') as f:
                if f.read() == data:
                    self.unchanged += 1
                    return
        atomic_write_bytes(path, data)
        self.written += 1


def write_scene(write: _Writer, name: str, scene: SyntheticScene,
                palette: List[int], jpeg_quality: int,
                mask_folders: Sequence[str]) -> None:
    """Write the image, the masks and the saliency map of one scene.

    Args:
        write (_Writer): The file writer.
        name (str): The image id.
        scene (SyntheticScene): The scene.
        palette (list[int]): The palette of the masks.
        jpeg_quality (int): Quality of the JPEG image.
        mask_folders (Sequence[str]): Folders that get the mask.
    """
    write('JPEGImages', name + '.jpg', encode_jpeg(scene.image, jpeg_quality))
    mask = encode_png(scene.mask, palette)
    for folder in mask_folders:
        write(folder, name + '.png', mask)
    write('saliency', name + '.png', encode_png(scene.saliency))


def write_synthetic_voc(out_dir: str,
                        seed: int = 0,
                        num_train: int = 200,
                        num_train_aug: int = 800,
                        num_val: int = 100,
                        image_size: Tuple[int, int] = (112, 160),
                        num_classes: int = 20,
                        jpeg_quality: int = 90,
                        version: int = 1) -> dict:
    """Write a synthetic dataset in the PASCAL VOC 2012 layout.

    Args:
        out_dir (str): The output folder, created if missing. It must be
            empty or hold a dataset written with the same arguments.
        seed (int): Seed of the data; the same seed and arguments give
            byte-identical files. Defaults to 0.
        num_train (int): Images in ``train`` (and ``SegmentationClass``), a
            subset of ``train_aug``. Defaults to 200.
        num_train_aug (int): Images in ``train_aug``. Defaults to 800.
        num_val (int): Images in ``val``. Defaults to 100.
        image_size (tuple[int, int]): Range ``(min, max)`` of the height and
            of the width in pixels, drawn per image. Defaults to (112, 160).
        num_classes (int): Foreground classes, at most 20 (VOC's palette).
            Defaults to 20.
        jpeg_quality (int): Quality of the JPEG images. Defaults to 90.
        version (int): Scene style, a key of ``SCENE_VERSIONS``: 1 (bodies
            alike for all classes) or 2 (class-correlated body materials and
            context regions). The manifest records it unless it is 1, so the
            files of version 1 are those written before the option existed.
            Defaults to 1.

    Returns:
        dict: A summary: the arguments, the number of images of each split,
        the mean number of classes per image, the mean foreground fraction
        and the number of files written and left unchanged.
    """
    check_arguments(seed, num_train, num_train_aug, num_val, image_size,
                    num_classes, jpeg_quality, version)
    manifest = dict(
        format_version=FORMAT_VERSION,
        seed=int(seed),
        num_train=int(num_train),
        num_train_aug=int(num_train_aug),
        num_val=int(num_val),
        image_size=[int(s) for s in image_size],
        num_classes=int(num_classes),
        jpeg_quality=int(jpeg_quality))
    if version != 1:
        manifest['version'] = int(version)
    check_manifest(out_dir, manifest)
    write = _Writer(out_dir)
    write('', MANIFEST_NAME,
          (json.dumps(manifest, indent=2, sort_keys=True) + '\n').encode())

    splits = split_numbers(num_train, num_train_aug, num_val)
    with_class = set(splits['train'] + splits['val'])
    palette = voc_palette()
    cls_labels = {}
    foreground = []
    for number in splits['train_aug'] + splits['val']:
        scene = SCENE_VERSIONS[version](
            np.random.default_rng([seed, number]), num_classes,
            tuple(image_size))
        name = image_id(number)
        folders = ['SegmentationClassAug']
        if number in with_class:
            folders.append('SegmentationClass')
        write_scene(write, name, scene, palette, jpeg_quality, folders)
        cls_labels[name] = multi_hot(scene.mask, num_classes)
        foreground.append(np.mean(scene.instances > 0))

    for split, numbers in splits.items():
        text = ''.join(image_id(n) + '\n' for n in numbers)
        write(
            osp.join('ImageSets', 'Segmentation'), split + '.txt',
            text.encode())
    buffer = io.BytesIO()
    np.save(buffer, np.array(cls_labels, dtype=object), allow_pickle=True)
    write('', 'cls_labels.npy', buffer.getvalue())

    summary = dict(out_dir=out_dir, **manifest)
    del summary['format_version']
    summary.setdefault('version', 1)
    labels = np.stack(list(cls_labels.values()))
    summary.update(
        num_images={
            split: len(ids)
            for split, ids in splits.items()
        },
        mean_classes_per_image=round(float(labels.sum(1).mean()), 3),
        mean_foreground_fraction=round(float(np.mean(foreground)), 3),
        files_written=write.written,
        files_unchanged=write.unchanged)
    return summary

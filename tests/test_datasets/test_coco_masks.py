import json
import os

import numpy as np
import pytest
from coco_helpers import class_map, tiny_scenes
from mmseg.datasets import PascalVOCDataset
from PIL import Image
from pycocotools import mask as mask_utils

import mmwsss.datasets.coco_masks as coco_masks
from mmwsss.datasets.coco_masks import (COCO_CATEGORY_IDS, COCO_CLASSES,
                                        COCO_PALETTE, MANIFEST_NAME,
                                        category_indices, load_coco,
                                        semantic_mask, write_coco_masks)
from mmwsss.datasets.synthetic.coco import annotation_path, image_stem

CATEGORIES = [
    dict(id=i, name=n) for i, n in zip(COCO_CATEGORY_IDS, COCO_CLASSES[1:])
]


def rle(mask):
    encoded = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return dict(size=encoded['size'], counts=encoded['counts'].decode())


def box(top, left, bottom, right, shape=(10, 12)):
    mask = np.zeros(shape, bool)
    mask[top:bottom, left:right] = True
    return mask


def write_json(path, annotations, categories=CATEGORIES, shape=(10, 12)):
    """One image (id 5) with the given ``(category id, mask or polygon,
    iscrowd)`` annotations, ``area`` the mask's pixel count."""
    anns = []
    for i, (cat, segmentation, crowd) in enumerate(annotations, 1):
        if isinstance(segmentation, np.ndarray):
            area = float(segmentation.sum())
            segmentation = rle(segmentation)
        else:
            area = 1.0
        anns.append(
            dict(
                id=i,
                image_id=5,
                category_id=cat,
                segmentation=segmentation,
                area=area,
                bbox=[0, 0, 1, 1],
                iscrowd=crowd))
    data = dict(
        images=[
            dict(id=5, file_name='x.jpg', height=shape[0], width=shape[1])
        ],
        annotations=anns,
        categories=categories)
    path.write_text(json.dumps(data))
    return str(path)


def derived(tmp_path, annotations, **kwargs):
    path = write_json(tmp_path / 'instances.json', annotations, **kwargs)
    coco = load_coco(path)
    return semantic_mask(coco, 5, category_indices(coco, path))


def test_contiguous_ids_and_palette(tmp_path):
    path = write_json(tmp_path / 'instances.json', [])
    index = category_indices(load_coco(path), path)
    assert len(index) == 80 and sorted(index.values()) == list(range(1, 81))
    # the gaps of COCO's ids (12, 26, 29, 30, ...) are closed up
    assert (index[1], index[11], index[13], index[27], index[31],
            index[90]) == (1, 11, 12, 25, 27, 80)
    assert COCO_CLASSES[index[13]] == 'stop sign'
    assert COCO_CLASSES[index[90]] == 'toothbrush'
    assert len(COCO_CLASSES) == 81 and COCO_CLASSES[0] == 'background'
    assert COCO_PALETTE[:21] == [
        list(c) for c in PascalVOCDataset.METAINFO['palette']
    ]
    assert len({tuple(c) for c in COCO_PALETTE}) == 81


@pytest.mark.parametrize('first_big', [True, False])
def test_smaller_instance_wins(tmp_path, first_big):
    big, small = box(0, 0, 8, 8), box(2, 2, 5, 5)
    anns = [(1, big, 0), (3, small, 0)]
    mask = derived(tmp_path, anns if first_big else anns[::-1])
    expected = np.zeros((10, 12), np.uint8)
    expected[big] = 1
    expected[small] = 3
    np.testing.assert_array_equal(mask, expected)


def test_ties_keep_file_order_and_crowd_is_its_class(tmp_path):
    left, right = box(0, 0, 4, 6), box(0, 3, 4, 9)  # same area, overlap
    crowd = box(6, 0, 10, 12)
    mask = derived(tmp_path, [(2, left, 0), (4, right, 0), (90, crowd, 1)])
    expected = np.zeros((10, 12), np.uint8)
    expected[right] = 4
    expected[left] = 2  # first in the file
    expected[crowd] = 80
    np.testing.assert_array_equal(mask, expected)
    assert 255 not in mask


def test_polygon_and_uncompressed_rle(tmp_path):
    polygon = [[1.0, 1.0, 7.0, 1.0, 7.0, 6.0, 1.0, 6.0]]
    counts = dict(size=[10, 12], counts=[90, 10, 20])  # column-major runs
    mask = derived(tmp_path, [(5, polygon, 0), (7, counts, 1)])
    assert mask[3, 3] == 5 and mask[9, 11] == 0
    expected_crowd = np.zeros(120, bool)
    expected_crowd[90:100] = True
    np.testing.assert_array_equal(mask.ravel(order='F') == 7, expected_crowd)


def test_image_without_annotation(tmp_path):
    assert not derived(tmp_path, []).any()


@pytest.mark.parametrize('change, message', [
    (lambda cats: cats[:-1], "id 90 is None, COCO's is 'toothbrush'"),
    (lambda cats: cats + [dict(id=12, name='street sign')],
     "id 12 is 'street sign', COCO's is None"),
    (lambda cats: [dict(c, name='man') if c['id'] == 1 else c
                   for c in cats], "id 1 is 'man', COCO's is 'person'"),
])
def test_not_the_coco_categories(tmp_path, change, message):
    path = write_json(
        tmp_path / 'instances.json', [], categories=change(CATEGORIES))
    with pytest.raises(ValueError, match=message):
        category_indices(load_coco(path), path)


def test_missing_or_foreign_annotation_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothing.json'):
        load_coco(str(tmp_path / 'nothing.json'))
    path = tmp_path / 'other.json'
    path.write_text(json.dumps(dict(images=[], annotations=[])))
    with pytest.raises(ValueError, match="other.json .* no 'categories'"):
        load_coco(str(path))


def cache(tiny_coco, out_dir):
    """Write the masks of the tiny train split; returns the count."""
    path = annotation_path(tiny_coco, 'train')
    coco = load_coco(path)
    return write_coco_masks(coco, path, sorted(coco.imgs), str(out_dir))


def test_cache_equals_the_scenes(tiny_coco, tmp_path):
    out = tmp_path / 'masks'
    assert cache(tiny_coco, out) == 8
    for number, scene in tiny_scenes('train'):
        png = Image.open(out / (image_stem('train', number) + '.png'))
        assert png.mode == 'P'
        mask = np.asarray(png)
        np.testing.assert_array_equal(mask, class_map(scene))
        # the scene's own mask agrees off its ignore band
        band = scene.mask == 255
        np.testing.assert_array_equal(mask[~band], scene.mask[~band])
        assert mask.any() == bool(scene.classes)
    with open(out / MANIFEST_NAME) as f:
        manifest = json.load(f)
    assert manifest['annotation_file'] == 'instances_train2014.json'


def test_cache_resumes(tiny_coco, tmp_path):
    out = tmp_path / 'masks'
    cache(tiny_coco, out)
    stems = [image_stem('train', n) for n in range(8)]
    os.remove(out / f'{stems[0]}.png')
    (out / f'{stems[1]}.png').write_bytes(b'finished')  # must be kept
    orphan = out / f'.{stems[2]}.png.a1b2c3d4.tmp'  # a killed writer's
    orphan.write_bytes(b'partial')
    assert cache(tiny_coco, out) == 1
    assert not orphan.exists()
    assert (out / f'{stems[1]}.png').read_bytes() == b'finished'
    assert np.asarray(Image.open(out / f'{stems[0]}.png')).shape[0] >= 48
    assert cache(tiny_coco, out) == 0


def test_interrupted_cache_leaves_complete_files(tiny_coco, tmp_path,
                                                 monkeypatch):
    out = tmp_path / 'masks'
    calls = []
    real = coco_masks.semantic_mask

    def failing(*args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(coco_masks, 'semantic_mask', failing)
    with pytest.raises(KeyboardInterrupt):
        cache(tiny_coco, out)
    monkeypatch.setattr(coco_masks, 'semantic_mask', real)
    pngs = sorted(f for f in os.listdir(out) if f.endswith('.png'))
    assert len(pngs) == 2
    assert not [f for f in os.listdir(out) if f.endswith('.tmp')]
    assert cache(tiny_coco, out) == 6


def test_cache_refuses_other_folders(tiny_coco, tmp_path):
    foreign = tmp_path / 'foreign'
    foreign.mkdir()
    (foreign / 'a.png').write_bytes(b'')
    with pytest.raises(FileExistsError, match='generate_masks=False'):
        cache(tiny_coco, foreign)
    out = tmp_path / 'masks'
    cache(tiny_coco, out)
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    manifest['annotation_bytes'] += 1
    (out / MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(FileExistsError, match='annotation_bytes'):
        cache(tiny_coco, out)

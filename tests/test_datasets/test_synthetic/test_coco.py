import json
import os
import os.path as osp

import numpy as np
import pytest
from coco_helpers import TINY_COCO, tiny_scenes
from PIL import Image
from pycocotools import mask as mask_utils
from test_voc import file_hashes

from mmwsss.datasets.coco_masks import COCO_CATEGORY_IDS
from mmwsss.datasets.synthetic.coco import (MANIFEST_NAME, annotation_path,
                                            image_stem, uncompressed_rle,
                                            write_synthetic_coco)
from mmwsss.datasets.synthetic.voc import image_id, write_synthetic_voc


def read_json(root, split):
    with open(annotation_path(root, split)) as f:
        return json.load(f)


def test_layout(tiny_coco):
    expected = {MANIFEST_NAME}
    for split, folder, numbers in (('train', 'train2014', range(8)),
                                   ('val', 'val2014', range(500000, 500004))):
        expected.add(f'annotations/instances_{folder}.json')
        for n in numbers:
            stem = image_stem(split, n)
            assert stem == f'COCO_{folder}_{n + 1:012d}'
            expected |= {f'{folder}/{stem}.jpg', f'SALImages/{stem}.png'}
    assert set(file_hashes(tiny_coco)) == expected


def test_instances_match_the_scenes(tiny_coco):
    for split in ('train', 'val'):
        data = read_json(tiny_coco, split)
        assert [c['id'] for c in data['categories']] == list(COCO_CATEGORY_IDS)
        by_image = {}
        for ann in data['annotations']:
            by_image.setdefault(ann['image_id'], []).append(ann)
        assert len({a['id']
                    for a in data['annotations']}) == len(data['annotations'])
        images = {img['id']: img for img in data['images']}
        for number, scene in tiny_scenes(split):
            img = images[number + 1]
            assert img['file_name'] == image_stem(split, number) + '.jpg'
            assert (img['height'], img['width']) == scene.mask.shape
            anns = by_image.get(number + 1, [])
            assert [a['category_id'] for a in anns
                    ] == [COCO_CATEGORY_IDS[c - 1] for c in scene.classes]
            for index, ann in enumerate(anns, 1):
                segm = ann['segmentation']
                if ann['iscrowd']:
                    assert isinstance(segm['counts'], list)
                    segm = mask_utils.frPyObjects(segm, *segm['size'])
                region = mask_utils.decode(segm).astype(bool)
                np.testing.assert_array_equal(region, scene.instances == index)
                assert ann['area'] == region.sum()
    empty = [n for n, s in tiny_scenes('train') if not s.classes]
    assert empty == [3, 7]


def test_crowd_is_a_repeated_class(tiny_coco):
    crowds = 0
    for split in ('train', 'val'):
        anns = read_json(tiny_coco, split)['annotations']
        for ann in anns:
            earlier = [
                a['category_id'] for a in anns
                if a['image_id'] == ann['image_id'] and a['id'] < ann['id']
            ]
            assert ann['iscrowd'] == (ann['category_id'] in earlier)
            crowds += ann['iscrowd']
    assert crowds >= 1


def test_uncompressed_rle_round_trip():
    rng = np.random.default_rng(0)
    for first in (False, True):
        mask = rng.random((7, 5)) < 0.4
        mask[0, 0] = first
        rle = uncompressed_rle(mask)
        decoded = mask_utils.decode(mask_utils.frPyObjects(rle, 7, 5))
        np.testing.assert_array_equal(decoded.astype(bool), mask)
        assert sum(rle['counts']) == 35


def test_same_scenes_as_voc(tiny_coco, tmp_path):
    voc = str(tmp_path / 'voc')
    write_synthetic_voc(
        voc,
        seed=TINY_COCO['seed'],
        num_train=1,
        num_train_aug=8,
        num_val=1,
        image_size=TINY_COCO['image_size'])
    for number, scene in tiny_scenes('train'):
        coco_jpg = osp.join(tiny_coco, 'train2014',
                            image_stem('train', number) + '.jpg')
        voc_jpg = osp.join(voc, 'JPEGImages', image_id(number) + '.jpg')
        same = open(coco_jpg, 'rb').read() == open(voc_jpg, 'rb').read()
        assert same == bool(scene.classes)  # empty images are redrawn
        if scene.classes:
            voc_mask = np.asarray(
                Image.open(
                    osp.join(voc, 'SegmentationClassAug',
                             image_id(number) + '.png')))
            np.testing.assert_array_equal(voc_mask, scene.mask)


def test_determinism_and_reruns(tiny_coco, tmp_path):
    hashes = file_hashes(tiny_coco)
    again = write_synthetic_coco(str(tmp_path / 'same'), **TINY_COCO)
    assert again['files_written'] == len(hashes)
    assert again['num_images'] == dict(train2014=8, val2014=4)
    assert again['num_empty_images'] == dict(train2014=2, val2014=1)
    assert file_hashes(str(tmp_path / 'same')) == hashes
    rerun = write_synthetic_coco(tiny_coco, **TINY_COCO)
    assert rerun['files_unchanged'] == len(hashes)
    with pytest.raises(FileExistsError, match='seed: 0 there, 1 asked'):
        write_synthetic_coco(tiny_coco, **dict(TINY_COCO, seed=1))


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match='empty_every'):
        write_synthetic_coco(str(tmp_path), empty_every=-1)
    with pytest.raises(ValueError, match='num_classes'):
        write_synthetic_coco(str(tmp_path), num_classes=21)
    assert not os.listdir(tmp_path)

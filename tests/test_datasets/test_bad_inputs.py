"""Corrupt files met while loading: the error names the file."""
import os.path as osp
import shutil

import pytest

from mmwsss.registry import DATASETS


def _dataset(root, pipeline):
    return DATASETS.build(
        dict(
            type='VOCClsDataset',
            data_root=root,
            ann_file='ImageSets/Segmentation/train.txt',
            cls_label_file='cls_labels.npy',
            data_prefix=dict(img_path='JPEGImages', saliency_path='saliency'),
            pipeline=pipeline))


@pytest.fixture
def copy(tiny_voc, tmp_path):
    root = tmp_path / 'voc'
    shutil.copytree(tiny_voc, root)
    img_id = (root / 'ImageSets/Segmentation/train.txt').read_text().split()[0]
    return str(root), img_id


def test_corrupt_image_is_named(copy):
    root, img_id = copy
    path = osp.join(root, 'JPEGImages', img_id + '.jpg')
    with open(path, 'wb') as f:
        f.write(b'\xff\xd8 not a jpeg')
    dataset = _dataset(root, [dict(type='LoadImageFromFile')])
    with pytest.raises(Exception, match=f'{img_id}.jpg'):
        dataset[0]


def test_corrupt_saliency_is_named(copy):
    root, img_id = copy
    with open(osp.join(root, 'saliency', img_id + '.png'), 'wb') as f:
        f.write(b'\x89PNG broken')
    dataset = _dataset(
        root,
        [dict(type='LoadImageFromFile'),
         dict(type='LoadSaliencyFromFile')])
    with pytest.raises(
            ValueError, match=f'Cannot decode the saliency map '
            f'.*{img_id}.png'):
        dataset[0]


def test_missing_saliency_is_named(copy):
    root, img_id = copy
    import os
    os.remove(osp.join(root, 'saliency', img_id + '.png'))
    with pytest.raises(FileNotFoundError, match=f'{img_id}.png'):
        _dataset(root, [])

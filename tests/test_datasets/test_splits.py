import os.path as osp

import pytest

from mmwsss.datasets import COCOClsDataset, VOCClsDataset, select_split


def test_named_split_is_the_dataset_class_business():
    cfg = dict(type='VOCClsDataset', ann_file='a.txt')
    select_split(cfg, None)  # no name: the config's own
    assert cfg['ann_file'] == 'a.txt'
    select_split(cfg, 'train')
    assert cfg['ann_file'] == osp.join('ImageSets', 'Segmentation',
                                       'train.txt')
    cfg = dict(type=VOCClsDataset, ann_file='a.txt')  # a class, not a name
    select_split(cfg, 'val')
    assert cfg['ann_file'] == VOCClsDataset.split_ann_file('val')


def test_dataset_without_named_splits_keeps_its_file_or_refuses():
    ann = 'annotations/instances_train2014.json'
    cfg = dict(type='COCOClsDataset', ann_file=ann)
    select_split(cfg, None)
    assert cfg['ann_file'] == ann
    assert COCOClsDataset.split_ann_file is None
    with pytest.raises(ValueError,
                       match="COCOClsDataset has no named splits .*'train_aug'"
                       ".*instances_train2014.json"):
        select_split(cfg, 'train_aug')

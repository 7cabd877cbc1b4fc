"""Tiny two-view batches from the real pipeline, for classifier tests."""
import pytest
from mmengine.dataset import pseudo_collate

from mmwsss.registry import DATASETS


@pytest.fixture(scope='module')
def two_view_batch(tiny_voc):
    """A preprocessed batch of 4 images with saliency and a second view."""
    import numpy as np
    np.random.seed(0)
    dataset = DATASETS.build(
        dict(
            type='VOCClsDataset',
            data_root=tiny_voc,
            ann_file='ImageSets/Segmentation/train_aug.txt',
            cls_label_file='cls_labels.npy',
            data_prefix=dict(img_path='JPEGImages', saliency_path='saliency'),
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='LoadSaliencyFromFile'),
                dict(type='RandomFlip', prob=0.5),
                dict(type='RandomCropPad', crop_size=64),
                dict(type='TwoViewTransform', size=(32, 32)),
                dict(type='PackWSSSInputs'),
            ]))
    return pseudo_collate([dataset[i] for i in range(4)])

"""Augmentation randomness keyed to (seed, epoch, index), not to workers."""
import random

import numpy as np
import pytest
import torch
from mmengine.dataset import DefaultSampler, InfiniteSampler
from torch.utils.data import DataLoader

from mmwsss.datasets import VOCClsDataset
from mmwsss.datasets.keyed_sampler import (KeyedDefaultSampler,
                                           KeyedInfiniteSampler, SampleKey,
                                           keyed_randomness)

AUGMENT = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizeLong', min_long=40, max_long=90),
    dict(type='RandomFlip', prob=0.5),
    dict(type='ColorJitter', brightness=0.3, contrast=0.3, saturation=0.3),
    dict(type='RandomCropPad', crop_size=48),
    dict(
        type='TwoViewTransform',
        size=(16, 16),
        scale_range=(0.8, 1.2),
        flip_prob=0.5),
    dict(type='PackWSSSInputs'),
]


@pytest.fixture
def dataset(tiny_voc):
    return VOCClsDataset(
        data_root=tiny_voc,
        ann_file='ImageSets/Segmentation/train_aug.txt',
        cls_label_file='cls_labels.npy',
        data_prefix=dict(img_path='JPEGImages'),
        pipeline=AUGMENT)


def _images(loader):
    return torch.cat([torch.stack(b['inputs']) for b in loader])


def test_keyed_sample_ignores_and_keeps_the_global_generators(dataset):
    key = SampleKey(index=3, seed=7, epoch=2)
    np.random.seed(1)
    random.seed(1)
    torch.manual_seed(1)
    first = dataset[key]['inputs']
    after = (np.random.rand(), random.random(), torch.rand(1).item())
    np.random.seed(2)  # other global states: the same sample
    second = dataset[key]['inputs']
    assert torch.equal(first, second)
    # and the global generators continue as if nothing was drawn
    np.random.seed(1)
    random.seed(1)
    torch.manual_seed(1)
    assert (np.random.rand(), random.random(), torch.rand(1).item()) == after
    # another epoch or seed: another augmentation of the same image
    assert not torch.equal(first, dataset[key._replace(epoch=3)]['inputs'])
    assert not torch.equal(first, dataset[key._replace(seed=8)]['inputs'])


def test_keyed_randomness_restores_on_error():
    state = np.random.get_state()[1].copy()
    with pytest.raises(RuntimeError):
        with keyed_randomness(SampleKey(0, 0, 0)):
            np.random.rand()
            raise RuntimeError
    assert np.array_equal(np.random.get_state()[1], state)


def test_keyed_default_sampler_keeps_the_order_and_adds_the_epoch(dataset):
    plain = DefaultSampler(dataset, shuffle=True, seed=5)
    keyed = KeyedDefaultSampler(dataset, shuffle=True, seed=5)
    plain.set_epoch(3)
    keyed.set_epoch(3)
    keys = list(keyed)
    assert [k.index for k in keys] == list(plain)
    assert {(k.seed, k.epoch) for k in keys} == {(5, 3)}


def test_keyed_infinite_sampler_counts_passes_over_all_ranks(dataset):
    n = len(dataset)
    keys = [
        k for _, k in zip(
            range(3 * n), KeyedInfiniteSampler(dataset, shuffle=True, seed=5))
    ]
    plain = InfiniteSampler(dataset, shuffle=True, seed=5)
    assert [k.index for k in keys] == [i for _, i in zip(range(3 * n), plain)]
    assert [k.epoch for k in keys] == [p // n for p in range(3 * n)]
    # rank 1 of 2 takes every other key of the same stream
    rank1 = KeyedInfiniteSampler(dataset, shuffle=True, seed=5)
    rank1.rank, rank1.world_size = 1, 2
    assert [k for _, k in zip(range(n), rank1)] == keys[1:2 * n:2]


@pytest.mark.parametrize('workers,persistent', [(2, True), (2, False),
                                                (4, True)])
def test_batches_do_not_depend_on_the_workers(dataset, workers, persistent):
    sampler = KeyedDefaultSampler(dataset, shuffle=True, seed=0)
    base = DataLoader(
        dataset,
        batch_size=4,
        sampler=sampler,
        collate_fn=lambda b: dict(inputs=[s['inputs'] for s in b]))
    other = DataLoader(
        dataset,
        batch_size=4,
        sampler=sampler,
        num_workers=workers,
        persistent_workers=persistent,
        collate_fn=base.collate_fn)
    for epoch in range(2):
        sampler.set_epoch(epoch)
        assert torch.equal(_images(base), _images(other))
    # the two epochs differ (the key holds the epoch)
    sampler.set_epoch(0)
    first = _images(base)
    sampler.set_epoch(1)
    assert not torch.equal(first, _images(base))

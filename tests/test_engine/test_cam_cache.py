"""The CAM cache: exact round trip, refused when other inputs made it."""
import json

import numpy as np
import pytest
import torch
from mmengine.structures import PixelData

from mmwsss.engine.cam_cache import CAMCache
from mmwsss.engine.hooks import CAMCacheHook
from mmwsss.structures import WSSSDataSample

MANIFEST = dict(checkpoint_sha256='a' * 64, model_sha256='b' * 64)


def _sample(img_id, label, seed=0):
    gen = torch.Generator().manual_seed(seed)
    label = torch.tensor(label, dtype=torch.float32)
    cam = torch.randn(len(label), 5, 7, generator=gen) * label[:, None, None]
    sample = WSSSDataSample(metainfo=dict(img_id=img_id))
    sample.gt_label = label
    sample.pred_cam = PixelData(data=cam)
    return sample


def _bare(sample):
    bare = WSSSDataSample(metainfo=dict(img_id=sample.img_id))
    bare.gt_label = sample.gt_label
    return bare


def test_cached_cams_come_back_bit_identical(tmp_path):
    cache = CAMCache(str(tmp_path))
    cache.claim(MANIFEST)
    sample = _sample('2007_000032', [0, 1, 0, 1])
    assert not cache.has('2007_000032')
    cache.save(sample)
    assert cache.has('2007_000032')
    stored = np.load(tmp_path / '2007_000032.npy')
    assert stored.dtype == np.float32 and stored.shape == (2, 5, 7)
    loaded = cache.load(_bare(sample)).pred_cam.data
    assert loaded.dtype == torch.float32
    assert torch.equal(loaded, sample.pred_cam.data)
    assert loaded[[0, 2]].abs().sum() == 0


def test_a_cache_of_other_inputs_is_emptied_and_not_used(tmp_path):
    cache = CAMCache(str(tmp_path))
    cache.claim(MANIFEST)
    cache.save(_sample('a', [1, 0]))
    assert cache.made_by(MANIFEST)
    other = dict(MANIFEST, checkpoint_sha256='c' * 64)
    assert not cache.made_by(other)
    assert not CAMCache(str(tmp_path / 'none')).made_by(MANIFEST)
    cache.claim(MANIFEST)  # same inputs: kept
    assert cache.has('a')
    cache.claim(other)
    assert not cache.has('a') and cache.made_by(other)
    assert json.loads((tmp_path / 'manifest.json').read_text()) == other


def test_a_file_of_other_classes_is_refused_with_its_path(tmp_path):
    cache = CAMCache(str(tmp_path))
    cache.save(_sample('a', [1, 0, 1]))
    with pytest.raises(ValueError, match=r'a\.npy holds CAMs of shape '
                       r'\(2, 5, 7\), not of the 1 labelled classes of a'):
        cache.load(_bare(_sample('a', [0, 0, 1])))


def test_the_hook_keeps_every_sample_a_test_run_infers(tmp_path):
    hook = CAMCacheHook(str(tmp_path / 'cams'), MANIFEST)
    hook.before_test(None)
    samples = [_sample('a', [1, 1], 1), _sample('b', [0, 1], 2)]
    hook.after_test_iter(None, 0, None, samples)
    cache = CAMCache(str(tmp_path / 'cams'))
    assert cache.made_by(MANIFEST)
    for sample in samples:
        assert torch.equal(
            cache.load(_bare(sample)).pred_cam.data, sample.pred_cam.data)

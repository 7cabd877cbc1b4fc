import os
import signal

import pytest

from mmwsss.engine.resumable import (folder_digest, predict_with_progress,
                                     unfinished_dataloader)
from mmwsss.registry import DATASETS


def _loader_cfg(root):
    return dict(
        batch_size=4,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
        dataset=dict(
            type='VOCClsDataset',
            data_root=root,
            ann_file='ImageSets/Segmentation/train.txt',
            data_prefix=dict(
                img_path='JPEGImages', seg_map_path='SegmentationClass'),
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='PackWSSSInputs')
            ]))


def test_only_unfinished_images_are_loaded(tiny_voc):
    cfg = _loader_cfg(tiny_voc)
    dataset = DATASETS.build(cfg['dataset'])
    ids = [dataset.get_data_info(i)['img_id'] for i in range(len(dataset))]
    finished = set(ids[::2])
    loader = unfinished_dataloader(
        cfg, dataset, finished.__contains__, batch_size=1)
    assert loader.batch_size == 1 and cfg['batch_size'] == 4  # not changed
    seen = [s.img_id for b in loader for s in b['data_samples']]
    assert seen == ids[1::2]
    assert unfinished_dataloader(cfg, dataset, lambda i: True) is None


def test_every_prediction_is_yielded_in_order():
    batches = [['a', 'b'], ['c']]
    out = list(predict_with_progress(batches, lambda b: [x * 2 for x in b]))
    assert out == ['aa', 'bb', 'cc']


@pytest.mark.parametrize('name', ['SIGTERM', 'SIGINT'])
def test_a_signal_stops_between_images(name):
    """The sample in hand is finished (written by the caller), then the job
    stops with 128 + signal; the handlers are given back."""
    signum = signal.Signals[name]
    previous = signal.getsignal(signum)

    def predict(batch):
        if batch == ['c', 'd']:  # the scheduler's signal, mid-job
            os.kill(os.getpid(), signum)
        return batch

    written = []
    with pytest.raises(SystemExit) as stop:
        for sample in predict_with_progress([['a', 'b'], ['c', 'd'], ['e']],
                                            predict):
            written.append(sample)
    assert stop.value.code == 128 + signum
    assert written == ['a', 'b', 'c']  # 'c' in hand: finished, then stopped
    assert signal.getsignal(signum) is previous


def test_folder_digest_follows_names_and_contents(tmp_path):
    folder = tmp_path / 'cams'
    folder.mkdir()
    (folder / 'a.npy').write_bytes(b'1')
    (folder / 'b.npy').write_bytes(b'2')
    (folder / 'a.png').write_bytes(b'mask')
    first = folder_digest(str(folder))
    (folder / 'a.png').write_bytes(b'other mask')  # not a CAM
    (folder / '.c.npy.x1y2.tmp').write_bytes(b'3')  # a killed write
    assert folder_digest(str(folder)) == first
    (folder / 'b.npy').write_bytes(b'3')
    assert folder_digest(str(folder)) != first
    (folder / 'b.npy').write_bytes(b'2')
    assert folder_digest(str(folder)) == first
    (folder / 'b.npy').rename(folder / 'c.npy')
    assert folder_digest(str(folder)) != first
    with pytest.raises(FileNotFoundError, match='missing does not exist'):
        folder_digest(str(tmp_path / 'missing'))

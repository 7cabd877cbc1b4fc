from mmwsss.engine.resumable import (predict_with_progress,
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

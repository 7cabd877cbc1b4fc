import os
import os.path as osp
import shutil

import numpy as np
import pytest
from coco_helpers import class_map, tiny_scenes
from mmengine.config import Config
from mmengine.runner import Runner
from PIL import Image
from tiny_models import tiny_options

from mmwsss.datasets import COCOClsDataset
from mmwsss.datasets.coco_masks import COCO_CLASSES
from mmwsss.datasets.synthetic.coco import image_stem

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TRAIN_JSON = 'annotations/instances_train2014.json'


def _dataset(root, **kwargs):
    kwargs.setdefault('data_prefix', dict(img_path='train2014'))
    return COCOClsDataset(data_root=root, ann_file=TRAIN_JSON, **kwargs)


def infos(ds):
    """The data infos (``data_list`` is emptied once serialised)."""
    return [ds.get_data_info(i) for i in range(len(ds))]


def test_labels_from_the_instances(tiny_coco):
    ds = _dataset(tiny_coco)
    scenes = [(n, s) for n, s in tiny_scenes('train') if s.classes]
    assert len(ds) == len(scenes) == 6  # images 3 and 7 have no object
    for info, (number, scene) in zip(infos(ds), scenes):
        assert info['img_id'] == image_stem('train', number)
        assert info['img_path'] == osp.join(tiny_coco, 'train2014',
                                            info['img_id'] + '.jpg')
        expected = np.zeros(80, np.float32)
        expected[np.array(scene.classes) - 1] = 1  # crowds included
        np.testing.assert_array_equal(info['gt_label'], expected)
        assert 'seg_map_path' not in info
    assert ds.num_classes == 80
    assert ds.metainfo['classes'][12] == 'stop sign'


def test_images_without_objects(tiny_coco, tmp_path):
    ds = _dataset(
        tiny_coco,
        with_label=False,
        skip_empty=False,
        data_prefix=dict(
            img_path='train2014', seg_map_path=str(tmp_path / 'masks')))
    ids = [info['img_id'] for info in infos(ds)]
    assert ids == [image_stem('train', n) for n in range(8)]
    assert 'gt_label' not in ds.get_data_info(0)
    empty = np.asarray(Image.open(ds.get_data_info(3)['seg_map_path']))
    assert empty.shape[0] >= 48 and not empty.any()
    assert len(_dataset(tiny_coco, with_label=False)) == 6
    with pytest.raises(ValueError, match='skip_empty=True'):
        _dataset(tiny_coco, skip_empty=False)
    with pytest.raises(ValueError, match="cls_label_file='cls_labels.npy'"):
        _dataset(tiny_coco, cls_label_file='cls_labels.npy')


def test_masks_are_derived_once(tiny_coco, tmp_path):
    prefix = dict(
        img_path=osp.join(tiny_coco, 'train2014'),
        seg_map_path=str(tmp_path / 'masks'),
        saliency_path=osp.join(tiny_coco, 'SALImages'))
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations'),
        dict(type='LoadSaliencyFromFile'),
        dict(type='PackWSSSInputs'),
    ]
    ds = COCOClsDataset(
        ann_file=osp.join(tiny_coco, TRAIN_JSON),
        data_prefix=prefix,
        pipeline=pipeline)
    scenes = [s for _, s in tiny_scenes('train') if s.classes]
    for i, scene in enumerate(scenes):
        sample = ds[i]['data_samples']
        np.testing.assert_array_equal(sample.gt_sem_seg.data[0].numpy(),
                                      class_map(scene))
    stamp = osp.getmtime(ds.get_data_info(0)['seg_map_path'])
    again = COCOClsDataset(
        ann_file=osp.join(tiny_coco, TRAIN_JSON), data_prefix=prefix)
    assert osp.getmtime(again.get_data_info(0)['seg_map_path']) == stamp


def test_class_subset(tiny_coco):
    classes = ('background', 'bicycle', 'person')
    ds = _dataset(tiny_coco, metainfo=dict(classes=classes))
    expected = []
    for number, scene in tiny_scenes('train'):
        label = np.array([2 in scene.classes, 1 in scene.classes], np.float32)
        if label.any():
            expected.append((image_stem('train', number), label))
    assert [i['img_id'] for i in infos(ds)] == [e[0] for e in expected]
    for info, (_, label) in zip(infos(ds), expected):
        np.testing.assert_array_equal(info['gt_label'], label)
    with pytest.raises(ValueError, match='background as its first'):
        _dataset(tiny_coco, metainfo=dict(classes=('person', 'bicycle')))


def test_missing_image_is_named(tiny_coco, tmp_path):
    kept = image_stem('train', 2) + '.jpg'
    shutil.copy(osp.join(tiny_coco, 'train2014', kept), tmp_path)
    prefix = dict(img_path=str(tmp_path))
    with pytest.raises(
            FileNotFoundError, match=image_stem('train', 0) + '.jpg'):
        _dataset(tiny_coco, data_prefix=prefix)
    ds = _dataset(tiny_coco, data_prefix=prefix, on_missing='skip')
    assert [info['img_path'] for info in infos(ds)] == [str(tmp_path / kept)]


def test_stage1_end_to_end(tiny_coco, tmp_path):
    """A few EPS iterations on the COCO layout, then the seed sweep."""
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs/eps/eps_r38d_1xb16-256k_coco2014-321x321.py'))
    # three classes of the scenes, so that a 4-channel EPS suffices
    scenes = [s for _, s in tiny_scenes('train')]
    used = sorted({c for s in scenes for c in s.classes})[:3]
    classes = ('background', ) + tuple(COCO_CLASSES[c] for c in used)
    options = {
        **tiny_options('cam'),
        'model.cam_head.num_channels': 4,
        'model.test_cfg.scales': (1.0, ),
        'model.test_cfg.flip': False,
        'train_cfg':
        dict(_delete_=True, type='EpochBasedTrainLoop', max_epochs=1),
        'val_cfg': None,
        'val_dataloader': None,
        'val_evaluator': None,
        'train_dataloader.batch_size': 2,
        'train_dataloader.dataset.pipeline.2.min_long': 48,
        'train_dataloader.dataset.pipeline.2.max_long': 64,
        'train_dataloader.dataset.pipeline.5.crop_size': 48,
        'test_dataloader.batch_size': 1,
        'default_hooks.checkpoint.interval': 1000,
        'default_hooks.visualization.num_images': 1,
        'randomness.seed': 0,
    }
    for loader in ('train_dataloader', 'test_dataloader'):
        options.update({
            f'{loader}.dataset.data_root': tiny_coco,
            f'{loader}.dataset.metainfo': dict(classes=classes),
            f'{loader}.num_workers': 0,
            f'{loader}.persistent_workers': False,
        })
    options['test_dataloader.dataset.data_prefix.seg_map_path'] = str(
        tmp_path / 'masks')
    cfg.merge_from_dict(options)
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    runner.train()
    with_classes = [s for s in scenes if set(s.classes) & set(used)]
    assert len(runner.train_dataloader.dataset) == len(with_classes)
    assert runner.iter == len(with_classes) // 2
    metrics = runner.test()
    assert len(runner.test_dataloader.dataset) == len(with_classes)
    masks = [f for f in os.listdir(tmp_path / 'masks') if f.endswith('.png')]
    assert len(masks) == len(with_classes)  # derived for the evaluation
    assert 0 <= metrics['seed/bg_score'] < 0.6
    # the seeds at the chosen score, scored here against the derived masks
    model = runner.model
    model.test_cfg.bg_score = metrics['seed/bg_score']
    num_classes = len(classes)
    confusion = np.zeros((num_classes, num_classes), dtype=np.int64)
    for batch in runner.test_dataloader:
        for sample in model.test_step(batch):
            gt = sample.gt_sem_seg.data.numpy().ravel()
            pred = sample.pred_sem_seg.data.numpy().ravel()
            keep = gt != 255
            confusion += np.bincount(
                gt[keep] * num_classes + pred[keep],
                minlength=num_classes**2).reshape(num_classes, num_classes)
    union = confusion.sum(0) + confusion.sum(1) - np.diag(confusion)
    iou = np.diag(confusion)[union > 0] / union[union > 0]
    assert metrics['seed/mIoU'] == pytest.approx(100 * iou.mean(), abs=0.01)

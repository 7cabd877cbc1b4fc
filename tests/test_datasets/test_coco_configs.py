"""The MS COCO 2014 configs: the EPS authors' COCO settings, datasets that
build on the COCO layout."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import build_from_cfg

from mmwsss.registry import DATASETS

CONFIGS = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs')
STAGE1 = ('eps/eps_r38d_1xb16-256k_coco2014-321x321.py',
          'ppc/ppc-eps_r38d_1xb16-256k_coco2014-321x321.py',
          'ppc/ppc-seam_r38d_1xb16-256k_coco2014-321x321.py')


@pytest.mark.parametrize('name', STAGE1)
def test_stage1_is_the_eps_coco_recipe(name):
    """halbielee/EPS script/coco_eps.sh: batch 16, crop 321, resize-long
    256-448, 256,500 iterations (one update each), lr 0.01."""
    cfg = Config.fromfile(osp.join(CONFIGS, name))
    assert cfg.model.cam_head.num_channels == 81
    assert cfg.train_dataloader.batch_size == 16
    assert cfg.train_cfg.max_iters == 256500
    assert 'end' not in cfg.param_scheduler[0]  # the runner's: max_iters
    assert cfg.optim_wrapper.get('accumulative_counts', 1) == 1
    assert cfg.optim_wrapper.optimizer.lr == 0.01
    dataset = cfg.train_dataloader.dataset
    assert dataset.type == 'COCOClsDataset'
    assert dataset.ann_file == 'annotations/instances_train2014.json'
    pipeline = {t.type: t for t in dataset.pipeline}
    assert (pipeline['RandomResizeLong'].min_long,
            pipeline['RandomResizeLong'].max_long) == (256, 448)
    assert pipeline['RandomCropPad'].crop_size == 321
    assert ('TwoViewTransform' in pipeline) == ('ppc' in name)
    assert ('LoadSaliencyFromFile' in pipeline) == ('eps' in name)
    if 'eps' in name:
        assert (cfg.model.loss_sal.tau, cfg.model.loss_sal.lam) == (0.4, 0.9)
        assert dataset.data_prefix.saliency_path == 'SALImages'
    val = cfg.val_dataloader.dataset
    assert val.data_prefix == dict(
        img_path='train2014', seg_map_path='SegmentationClass/train2014')
    assert cfg.val_evaluator.type == 'SeedMetric'
    assert cfg.test_dataloader == cfg.val_dataloader


def test_stage2():
    cfg = Config.fromfile(
        osp.join(CONFIGS,
                 'seg/deeplabv2_r101-d8_1xb10-20k_coco2014-448x448.py'))
    assert cfg.model.decode_head.num_classes == 81
    train, val = cfg.train_dataloader.dataset, cfg.val_dataloader.dataset
    assert (train.with_label, train.generate_masks) == (False, False)
    assert train.data_prefix.seg_map_path == 'work_dirs/pseudo_masks'
    assert val.ann_file == 'annotations/instances_val2014.json'
    assert val.data_prefix.seg_map_path == 'SegmentationClass/val2014'


def test_datasets_build_on_the_coco_layout(tiny_coco, tmp_path):
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'eps/eps_r38d_1xb16-256k_coco2014-321x321.py'))
    seg = Config.fromfile(
        osp.join(CONFIGS,
                 'seg/deeplabv2_r101-d8_1xb10-20k_coco2014-448x448.py'))
    seg.val_dataloader.dataset.ann_file = \
        'annotations/instances_train2014.json'
    seg.val_dataloader.dataset.data_prefix.img_path = 'train2014'
    built = {}
    for key, dataloader in (('train', cfg.train_dataloader),
                            ('val', cfg.val_dataloader),
                            ('pseudo', cfg.pseudo_mask_dataloader),
                            ('seg_val', seg.val_dataloader)):
        dataset = dict(dataloader.dataset, data_root=tiny_coco)
        if 'seg_map_path' in dataset['data_prefix']:
            dataset['data_prefix'] = dict(
                dataset['data_prefix'], seg_map_path=str(tmp_path / 'masks'))
        built[key] = build_from_cfg(dataset, DATASETS)
    assert [len(ds) for ds in built.values()] == [6, 6, 6, 6]
    assert 'saliency_path' in built['train'].get_data_info(0)
    assert 'gt_label' not in built['seg_val'].get_data_info(0)

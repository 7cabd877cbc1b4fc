"""Smoke runs of the paper's pipeline configs (VOC 2012 and COCO 2014) on
generated data in their layouts: the real configs, shrunk only by config
options (iterations, batch, image and crop sizes, inference scales, no
pretrained weights, no CRF without its optional package), through every
step to the table with the paper's figures beside the measured ones; then
resumed."""
import importlib.util
import json
import os.path as osp

import pytest
from mmengine.config import Config
from tool_helpers import ROOT, run_pipeline

from mmwsss.datasets.synthetic import write_synthetic_coco

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader',
           'pseudo_mask_dataloader')
#: transform type -> the options that shrink it
SMALL = dict(
    RandomResizeLong=dict(min_long=32, max_long=40),
    RandomCropPad=dict(crop_size=32),
    RandomResize=dict(scale=(64, 32)),
    RandomCrop=dict(crop_size=(32, 32)),
    TwoViewTransform=dict(size=(16, 16)))


def shrink(config: str, data_root: str) -> dict:
    """Config options that make a stage config tiny, on ``data_root``."""
    cfg = Config.fromfile(osp.join(ROOT, config))
    options = {'model.backbone.init_cfg': None}
    if cfg.model.get('test_cfg', {}).get('scales'):
        options['model.test_cfg.scales'] = (1.0, )
    if cfg.model.get('data_preprocessor', {}).get('size'):  # padded crops
        options['model.data_preprocessor.size'] = (32, 32)
    for name in LOADERS:
        if not cfg.get(name):
            continue
        options.update({
            f'{name}.dataset.data_root': data_root,
            f'{name}.num_workers': 0,
            f'{name}.persistent_workers': False,
        })
        if name == 'train_dataloader':
            options[f'{name}.batch_size'] = 2
        for i, transform in enumerate(cfg[name].dataset.get('pipeline', [])):
            for key, value in SMALL.get(transform['type'], {}).items():
                options[f'{name}.dataset.pipeline.{i}.{key}'] = value
    if cfg.get('tta_pipeline'):  # one scale, with and without flip
        tta = cfg.to_dict()['tta_pipeline']
        for transform in tta:
            if transform['type'] == 'TestTimeAug':
                transform['transforms'][0] = [
                    dict(type='Resize', scale_factor=1.0, keep_ratio=True)
                ]
        options['tta_pipeline'] = tta
        if importlib.util.find_spec('pydensecrf') is None:  # optional
            options['tta_model.crf'] = None
    if 'max_iters' in cfg.train_cfg:
        options.update({'train_cfg.max_iters': 2, 'train_cfg.val_interval': 2})
    else:
        options.update({
            'train_cfg.max_epochs': 1,
            'train_cfg.val_interval': 1
        })
    return options


def tiny(config: str, data_root: str, out: str, benchmark: bool) -> str:
    """A pipeline config that takes ``config`` and shrinks every stage."""
    cfg = Config.fromfile(osp.join(ROOT, config))
    lines = [f'_base_ = [{osp.join(ROOT, config)!r}]']
    if benchmark:
        lines.append(
            f'benchmark = dict(out_dir={data_root!r}, seed=0, num_train=4, '
            'num_train_aug=8, num_val=4, image_size=(40, 56))')
    for stage in ('stage1', 'affinity', 'stage2'):
        if cfg.get(stage):
            path = osp.join(ROOT, cfg[stage].config)
            options = shrink(cfg[stage].config, data_root)
            lines.append(
                f'{stage} = dict(config={path!r}, cfg_options={options!r})')
    with open(out, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return out


@pytest.fixture(scope='module')
def coco_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('coco') / 'coco2014')
    write_synthetic_coco(
        root, seed=0, num_train=6, num_val=4, image_size=(40, 56))
    return root


@pytest.mark.parametrize('config', [
    'configs/pipeline/cam_r38d_voc12aug.py',
    'configs/pipeline/seam_r38d_voc12aug.py',
    'configs/pipeline/ppc-seam_r38d_voc12aug.py',
    'configs/pipeline/eps_r38d_voc12aug.py',
    'configs/pipeline/ppc-eps_r38d_voc12aug.py',
    'configs/pipeline/eps_r38d_coco2014.py',
    'configs/pipeline/ppc-eps_r38d_coco2014.py',
])
def test_paper_pipeline_runs_end_to_end(config, tmp_path, request):
    coco = 'coco2014' in config
    data_root = request.getfixturevalue('coco_root') if coco else str(
        tmp_path / 'voc')
    wrapper = tiny(config, data_root, str(tmp_path / 'tiny.py'), not coco)
    work_dir = str(tmp_path / 'work')
    proc = run_pipeline(wrapper, work_dir)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads(open(osp.join(work_dir, 'results.json')).read())
    for key in ('seed_mIoU', 'pseudo_mask_mIoU_train', 'seg_mIoU_val'):
        assert 0 <= results[key] <= 100
    if Config.fromfile(osp.join(ROOT, config)).get('affinity'):
        assert 0 <= results['refined_mask_mIoU_train'] <= 100
    paper = Config.fromfile(osp.join(ROOT, config)).get('paper')
    table = open(osp.join(work_dir, 'results.md')).read()
    if paper:
        assert results['paper'] == paper
        assert f'Paper: {paper["source"]}.' in table
        assert f'| paper | {paper["seed_mIoU"]:.1f} |' in table
        assert f'{results["seed_mIoU"] - paper["seed_mIoU"]:+.2f}' in table
    # resumed: every step finished before
    again = run_pipeline(wrapper, work_dir)
    assert again.returncode == 0, again.stdout[-3000:]
    steps = len(results['seconds']) - 1  # and the total
    assert again.stdout.count(': finished before') == steps

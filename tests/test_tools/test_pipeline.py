"""The one-command pipeline on generated data: end to end, then resumed."""
import json
import os.path as osp
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

TINY = """
benchmark = dict(out_dir={data!r}, seed=0, num_train=8, num_train_aug=16,
                 num_val=8, image_size=(48, 64))
_small = {{
    'model.backbone.base_channels': 8,
    'train_dataloader.batch_size': 4,
    'train_dataloader.num_workers': 0,
    'train_dataloader.persistent_workers': False,
    'val_dataloader.num_workers': 0,
    'val_dataloader.persistent_workers': False,
    'pseudo_mask_dataloader.num_workers': 0,
    'randomness.seed': 0,
}}
stage1 = dict(
    config={stage1!r},
    cfg_options=dict(_small, **{{
        'model.cam_head.in_channels': 64,
        'model.pcm_head.in_channels': (16, 32),
        'train_cfg.max_epochs': 1,
        'param_scheduler.0.end': 1,
        'model.test_cfg.scales': (1.0, ),
    }}))
pseudo_masks = dict(split='train_aug')
affinity = dict(
    config={affinity!r},
    cfg_options={{
        'model.backbone.base_channels': 8,
        'model.aff_head.in_channels': (16, 32, 64),
        'train_dataloader.batch_size': 4,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'pseudo_mask_dataloader.num_workers': 0,
        'train_cfg.max_epochs': 1,
        'param_scheduler.0.end': 1,
    }})
stage2 = dict(
    config={stage2!r},
    cfg_options=dict(_small, **{{
        'model.decode_head.in_channels': 64,
        'train_cfg.max_iters': 4,
        'param_scheduler.0.end': 4,
        'default_hooks.checkpoint.interval': 4,
    }}),
    init_backbone_from_stage1=True)
"""


def _run(config, work_dir):
    return subprocess.run(
        [sys.executable, 'tools/pipeline.py', config, '--work-dir', work_dir],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600)


def _mask_miou(mask_dir, data_root, num_classes=21):
    """mIoU (percent) of ``{id}.png`` masks against the ground truth of
    the train split: confusion counts over the split (255 ignored), IoU of
    each class that is predicted or in the ground truth, their mean."""
    with open(osp.join(data_root, 'ImageSets', 'Segmentation',
                       'train.txt')) as f:
        ids = f.read().split()
    conf = np.zeros(num_classes * num_classes, dtype=np.int64)
    for img_id in ids:
        pred = np.asarray(Image.open(osp.join(mask_dir, f'{img_id}.png')))
        gt = np.asarray(
            Image.open(
                osp.join(data_root, 'SegmentationClass', f'{img_id}.png')))
        keep = gt != 255
        conf += np.bincount(
            num_classes * gt[keep].astype(np.int64) + pred[keep],
            minlength=num_classes * num_classes)
    conf = conf.reshape(num_classes, num_classes)
    inter = np.diag(conf)
    union = conf.sum(0) + conf.sum(1) - inter
    present = union > 0
    return 100 * (inter[present] / union[present]).mean()


@pytest.fixture(scope='module')
def finished(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('pipeline')
    config = tmp / 'tiny_pipeline.py'
    config.write_text(
        TINY.format(
            data=str(tmp / 'data'),
            stage1=osp.join(
                ROOT, 'configs/ppc/'
                'ppc-seam_r18c32-d8_1xb16-16e_synthetic-128x128.py'),
            affinity=osp.join(
                ROOT, 'configs/affinity/'
                'affinity_r18c32-d8_1xb16-8e_synthetic-128x128.py'),
            stage2=osp.join(
                ROOT, 'configs/seg/deeplabv1-largefov_r18c32-d8_1xb16-400_'
                'synthetic-128x128.py')))
    work_dir = tmp / 'work'
    proc = _run(str(config), str(work_dir))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return config, work_dir, proc.stdout


def test_pipeline_runs_every_step_and_reports(finished):
    _, work_dir, stdout = finished
    results = json.loads((work_dir / 'results.json').read_text())
    # the mIoU of the masks it wrote, recomputed from the files
    data_root = str(work_dir.parent / 'data')
    for key, folder in (('pseudo_mask_mIoU_train', 'pseudo_masks'),
                        ('refined_mask_mIoU_train', 'refined')):
        assert results[key] == pytest.approx(
            _mask_miou(str(work_dir / folder), data_root), abs=0.01)
    # the pseudo masks of train are the seeds at the best threshold
    seeds = json.loads((work_dir / 'seeds' / 'seed_metric.json').read_text())
    assert results['seed_mIoU'] == seeds['mIoU'] == max(seeds['curve']['mIoU'])
    assert results['seed_bg_score'] == seeds['bg_score']
    assert results['pseudo_mask_mIoU_train'] == pytest.approx(
        results['seed_mIoU'], abs=0.01)
    metrics = json.loads(
        (work_dir / 'evaluation' / 'metrics.json').read_text())
    assert results['seg_mIoU_val'] == metrics['mIoU']
    assert set(results['seconds']) == {
        'benchmark', 'stage1', 'seeds', 'pseudo_masks', 'affinity', 'stage2',
        'evaluation', 'total'
    }
    table = (work_dir / 'results.md').read_text()
    assert f'{results["seg_mIoU_val"]:.2f}' in table and table in stdout
    assert len(list((work_dir / 'pseudo_masks').glob('*.png'))) == 16
    # the CAMs for the random walk, the affinity labels AffinityNet learnt
    # from, and its refined masks, used by stage 2
    assert len(list((work_dir / 'pseudo_masks').glob('*.npy'))) == 16
    assert len(list((work_dir / 'affinity_labels').glob('*.png'))) == 16
    assert len(list((work_dir / 'refined').glob('*.png'))) == 16
    # the Runners' progress on the console and in each step's log
    assert 'Iter(train)' in stdout and 'seed mIoU' in stdout
    logs = {
        step: (work_dir / 'logs' / f'{step}.log').read_text()
        for step in ('stage1', 'seeds', 'affinity', 'stage2', 'evaluation')
    }
    assert 'Iter(train)' in logs['stage1']
    assert '[stage1] done' in logs['stage1']
    assert 'seed mIoU' in logs['seeds'] and 'Iter(train)' not in logs['seeds']
    assert 'affinity labels' in logs['affinity']
    assert 'Wrote 16 refined masks' in logs['affinity']
    assert 'Iter(test)' in logs['evaluation']


def test_rerun_skips_finished_steps_and_resumes_training(finished):
    config, work_dir, _ = finished
    steps = work_dir / 'steps'
    before = {p.name: p.stat().st_mtime_ns for p in steps.iterdir()}
    checkpoint = json.loads((steps / 'stage2.json').read_text())['checkpoint']
    # forget stage 2: it resumes its finished training, and the evaluation,
    # which needs it, runs again
    (steps / 'stage2.json').unlink()
    proc = _run(str(config), str(work_dir))
    assert proc.returncode == 0, proc.stdout[-3000:]
    out = proc.stdout + proc.stderr
    for step in ('benchmark', 'stage1', 'seeds', 'pseudo_masks', 'affinity'):
        assert f'[{step}] finished before, skipped' in out
        assert (steps / f'{step}.json').stat().st_mtime_ns == \
            before[f'{step}.json']
    assert '[stage2] running' in out and '[evaluation] running' in out
    assert re.search(r'resumed epoch: \d+, iter: 4\b', out)
    assert json.loads((steps / 'stage2.json').read_text())['checkpoint'] == \
        checkpoint
    assert (steps / 'evaluation.json').stat().st_mtime_ns != \
        before['evaluation.json']

"""The one-command pipeline on generated data: end to end, then resumed."""
import json
import os.path as osp
import re

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image
from tiny_models import tiny_options
from tool_helpers import ROOT, run_pipeline

from mmwsss.apis.comparison import PipelineComparison
from mmwsss.apis.pipeline import WSSSPipeline
from mmwsss.apis.stages import make_pseudo_masks
from mmwsss.utils import available_cores

TINY = """
benchmark = dict(out_dir={data!r}, seed=0, num_train=8, num_train_aug=16,
                 num_val=8, image_size=(48, 64))
_small = {{
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
    cfg_options=dict(_small, **{tiny_seam!r}, **{{
        'train_cfg.max_epochs': 1,
        'model.test_cfg.scales': (1.0, ),
    }}))
pseudo_masks = dict(split='train_aug')
affinity = dict(
    config={affinity!r},
    cfg_options=dict({tiny_affinity!r}, **{{
        'train_dataloader.batch_size': 4,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'pseudo_mask_dataloader.num_workers': 0,
        'train_cfg.max_epochs': 1,
    }}))
stage2 = dict(
    config={stage2!r},
    cfg_options=dict(_small, **{tiny_seg!r}, **{{
        'train_cfg.max_iters': 4,
        'default_hooks.checkpoint.interval': 4,
    }}),
    init_backbone_from_stage1=True)
"""


def _tiny(**kwargs) -> str:
    """The tiny pipeline config on the shipped configs ``kwargs`` names,
    with the tests' tiny networks."""
    return TINY.format(
        stage2=osp.join(
            ROOT, 'configs/seg/deeplabv1-largefov_efflite0-d8_1xb8-200_'
            'synthetic-v2-96x96.py'),
        tiny_seam=tiny_options('seam'),
        tiny_affinity=tiny_options('affinity'),
        tiny_seg=tiny_options('seg'),
        **kwargs)


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
        _tiny(
            data=str(tmp / 'data'),
            stage1=osp.join(
                ROOT, 'configs/ppc/'
                'ppc-seam_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py'),
            affinity=osp.join(
                ROOT, 'configs/affinity/'
                'affinity_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py')))
    work_dir = tmp / 'work'
    proc = run_pipeline(str(config), str(work_dir))
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
        'benchmark', 'stage1', 'seeds', 'pseudo_masks', 'figure', 'affinity',
        'stage2', 'evaluation', 'total'
    }
    # image | CAM | pseudo mask | ground truth of the first 4 train images
    figure = np.asarray(Image.open(work_dir / 'figure.png'))
    assert figure.ndim == 3 and figure.shape[0] >= 4 * 48
    assert figure.shape[1] >= 4 * 64
    table = (work_dir / 'results.md').read_text()
    assert f'{results["seg_mIoU_val"]:.2f}' in table and table in stdout
    assert len(list((work_dir / 'pseudo_masks').glob('*.png'))) == 16
    # the CAMs for the random walk, the affinity labels AffinityNet learnt
    # from, and its refined masks, used by stage 2
    assert len(list((work_dir / 'pseudo_masks').glob('*.npy'))) == 16
    assert len(list((work_dir / 'affinity_labels').glob('*.png'))) == 16
    assert len(list((work_dir / 'refined').glob('*.png'))) == 16
    # one console line per step, then the table; the Runners' progress in
    # each step's log
    steps = [line.split('\r')[-1] for line in stdout.split('\n')
             if ': done in ' in line]
    assert [line.split(':')[0] for line in steps] == [
        'benchmark', 'stage1', 'seeds', 'pseudo_masks', 'figure', 'affinity',
        'stage2', 'evaluation'
    ]
    assert 'Iter(train)' not in stdout and 'mmengine' not in stdout
    # (the running line, 'step: ...', is overwritten by its end on a
    # terminal; the capture reads its carriage return as a new line)
    lines = [line for line in stdout.split('\n') if not line.endswith('...')]
    assert len(lines) < len(steps) + len(table.split('\n')) + 5
    logs = {
        step: (work_dir / 'logs' / f'{step}.log').read_text()
        for step in ('stage1', 'seeds', 'affinity', 'stage2', 'evaluation')
    }
    assert 'Iter(train)' in logs['stage1']
    assert 'seed mIoU' in logs['seeds'] and 'Iter(train)' not in logs['seeds']
    assert 'affinity labels' in logs['affinity']
    assert 'Wrote 16 refined masks' in logs['affinity']
    assert 'Iter(test)' in logs['evaluation']


def test_pseudo_masks_from_the_seed_cams_equal_a_new_inference(
        finished, tmp_path):
    """The pseudo-mask step takes the 8 train images' CAMs from the seed
    evaluation's cache and infers the other 8; its masks and CAMs are
    byte-identical to those of a pseudo-mask run that infers all 16."""
    config, work_dir, _ = finished
    record = json.loads((work_dir / 'steps' / 'pseudo_masks.json').read_text())
    assert record['from_cached_cams'] == 8
    assert len(list((work_dir / 'cams').glob('*.npy'))) == 8
    pipeline = WSSSPipeline(Config.fromfile(str(config)), str(work_dir))
    checkpoint = json.loads(
        (work_dir / 'steps' / 'stage1.json').read_text())['checkpoint']
    again = make_pseudo_masks(
        pipeline.stage_config('stage1', 'check', str(tmp_path / 'run')),
        checkpoint,
        str(tmp_path / 'masks'),
        split='train_aug',
        bg_score=json.loads((work_dir / 'steps' /
                             'seeds.json').read_text())['bg_score'],
        save_cam=True)
    assert again['count'] == 16 and again['cached'] == 0
    files = sorted(p.name for p in (tmp_path / 'masks').glob('*.*')
                   if p.suffix in ('.png', '.npy'))
    assert len(files) == 32
    for name in files:
        assert (tmp_path / 'masks' / name).read_bytes() == \
            (work_dir / 'pseudo_masks' / name).read_bytes(), name


def test_rerun_skips_finished_steps_and_resumes_training(finished):
    config, work_dir, _ = finished
    steps = work_dir / 'steps'
    before = {p.name: p.stat().st_mtime_ns for p in steps.iterdir()}
    checkpoint = json.loads((steps / 'stage2.json').read_text())['checkpoint']
    # forget stage 2: it resumes its finished training, and the evaluation,
    # which needs it, runs again
    (steps / 'stage2.json').unlink()
    proc = run_pipeline(str(config), str(work_dir))
    assert proc.returncode == 0, proc.stdout[-3000:]
    out = proc.stdout + proc.stderr
    for step in ('benchmark', 'stage1', 'seeds', 'pseudo_masks', 'figure',
                 'affinity'):
        assert f'{step}: finished before' in out
        assert (steps / f'{step}.json').stat().st_mtime_ns == \
            before[f'{step}.json']
    assert 'stage2: done in' in out and 'evaluation: done in' in out
    assert re.search(r'resumed epoch: \d+, iter: 4\b',
                     (work_dir / 'logs' / 'stage2.log').read_text())
    assert json.loads((steps / 'stage2.json').read_text())['checkpoint'] == \
        checkpoint
    assert (steps / 'evaluation.json').stat().st_mtime_ns != \
        before['evaluation.json']


def _comparison(tmp_path, extra=''):
    """A comparison config of two tiny pipelines and a seed-only
    reference."""
    configs = {}
    for name, stage1 in (
            ('seam', 'configs/seam/seam_efflite0-d8_1xb8-4e_synthetic-'
             'v2-96x96.py'),
            ('ppc_seam', 'configs/ppc/ppc-seam_efflite0-d8_1xb8-4e_'
             'synthetic-v2-96x96.py'),
            ('reference', 'configs/seam/seam_efflite0-d8_1xb8-4e_'
             'synthetic-v2-96x96.py')):
        configs[name] = tmp_path / f'{name}.py'
        configs[name].write_text(
            _tiny(
                data=str(tmp_path / 'data'),
                stage1=osp.join(ROOT, stage1),
                affinity=None) + 'affinity = None\n')
    comparison = tmp_path / 'comparison.py'
    comparison.write_text(f"""
benchmark = dict(out_dir={str(tmp_path / 'data')!r}, seed=0, num_train=8,
                 num_train_aug=16, num_val=8, image_size=(48, 64))
seed = 1
compare = [
    dict(name='SEAM', config={str(configs['seam'])!r}),
    dict(name='SEAM + PPC', config={str(configs['ppc_seam'])!r}),
    dict(name='ref', config={str(configs['reference'])!r}, until='seeds'),
]
difference = ('SEAM + PPC', 'SEAM')
""" + extra)
    return comparison


def test_comparison_runs_pipelines_side_by_side(tmp_path):
    """A comparison config: two pipelines and a seed-only reference, one
    console line per step, one table with the difference; a rerun resumes
    every pipeline."""
    comparison = _comparison(tmp_path)
    work_dir = tmp_path / 'work'
    proc = run_pipeline(str(comparison), str(work_dir))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    lines = [line.split('\r')[-1] for line in proc.stdout.split('\n')]
    progress = [line for line in lines if ': done in ' in line]
    # the benchmark is written by the first pipeline, taken by the others
    assert len(progress) == 7 + 6 + 2
    assert progress[0].startswith('[SEAM      ] benchmark: done in ')
    assert progress[-1].startswith('[ref       ] seeds: done in ')
    assert '[ref       ] benchmark: finished before' in lines
    assert 'Iter(train)' not in proc.stdout
    summary = json.loads((work_dir / 'results.json').read_text())
    results = summary['results']
    assert list(results) == ['SEAM', 'SEAM + PPC', 'ref']
    for name, stem in (('SEAM', 'seam'), ('SEAM + PPC', 'ppc_seam')):
        own = json.loads((work_dir / stem / 'results.json').read_text())
        assert own == results[name]
        assert 'seg_bg_IoU_val' in own
    assert set(results['ref']['seconds']) == {
        'benchmark', 'stage1', 'seeds', 'total'
    }
    for key, value in summary['difference'].items():
        assert value == pytest.approx(
            results['SEAM + PPC'][key] - results['SEAM'][key], abs=0.006)
    table = (work_dir / 'results.md').read_text()
    assert table in proc.stdout
    assert '| seed mIoU (train) |' in table
    assert '| seg background IoU (val) |' in table
    assert 'SEAM + PPC - SEAM' in table
    # every pipeline gets the comparison's benchmark and training seed
    pipelines = PipelineComparison(Config.fromfile(str(comparison)),
                                   str(work_dir)).pipelines
    assert [p.cfg.seed for p in pipelines.values()] == [1, 1, 1]
    assert {p.data_root for p in pipelines.values()} == {
        str(tmp_path / 'data')
    }

    proc = run_pipeline(str(comparison), str(work_dir))
    assert proc.returncode == 0, proc.stdout[-3000:]
    # the first pipeline's benchmark is seen finished twice
    assert proc.stdout.count(': finished before') == 17 + 1


@pytest.mark.skipif(
    len(available_cores()) < 2, reason='needs two cores')
def test_comparison_runs_pipelines_in_processes_on_their_own_cores(tmp_path):
    """processes=2: the benchmark is written once, first; then two pipelines
    at a time run in worker processes, one core and one thread each; each
    step has a start line and an end line (no line written over); the
    results and the rerun are those of a comparison run in one process."""
    comparison = _comparison(tmp_path, 'processes = 2\n')
    work_dir = tmp_path / 'work'
    proc = run_pipeline(str(comparison), str(work_dir))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert '\r' not in proc.stdout
    lines = proc.stdout.split('\n')
    assert lines[0] == '[SEAM      ] benchmark: started'
    assert lines[1].startswith('[SEAM      ] benchmark: done in ')
    counts = (('SEAM      ', 7), ('SEAM + PPC', 6), ('ref       ', 2))
    for name, steps in counts:
        started = [line for line in lines if line.startswith(f'[{name}] ')
                   and line.endswith(': started')]
        done = [line for line in lines if line.startswith(f'[{name}] ')
                and ': done in ' in line]
        assert len(started) == len(done) == steps, proc.stdout
    summary = json.loads((work_dir / 'results.json').read_text())
    assert list(summary['results']) == ['SEAM', 'SEAM + PPC', 'ref']
    for name, stem in (('SEAM', 'seam'), ('SEAM + PPC', 'ppc_seam'),
                       ('ref', 'reference')):
        own = json.loads((work_dir / stem / 'results.json').read_text())
        assert own == summary['results'][name]
    assert (work_dir / 'results.md').read_text() in proc.stdout
    proc = run_pipeline(str(comparison), str(work_dir))
    assert proc.returncode == 0, proc.stdout[-3000:]
    # the first pipeline's benchmark is seen finished here and in a worker
    assert proc.stdout.count(': finished before') == 17 + 1

"""The pipeline's declared steps and its report, without running a stage.

The whole pipeline on generated data is tests/test_tools/test_pipeline.py.
"""
import json
import os.path as osp

import pytest
from mmengine.config import Config

from mmwsss.apis.pipeline import WSSSPipeline, markdown_table

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
STAGE1 = osp.join(REPO, 'configs', 'cam',
                  'cam_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py')
AFFINITY = osp.join(REPO, 'configs', 'affinity',
                    'affinity_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py')
STAGE2 = osp.join(
    REPO, 'configs', 'seg', 'deeplabv1-largefov_efflite0-d8_'
    '1xb8-200_synthetic-v2-96x96.py')


def _pipeline(work_dir, affinity=True):
    cfg = dict(
        benchmark=None, stage1=dict(config=STAGE1), stage2=dict(config=STAGE2))
    if affinity:
        cfg['affinity'] = dict(config=AFFINITY)
    return WSSSPipeline(Config(cfg), str(work_dir))


@pytest.mark.parametrize('affinity', [True, False])
def test_steps_are_declared_with_what_they_need(tmp_path, affinity):
    steps = _pipeline(tmp_path, affinity).steps
    masks = 'affinity' if affinity else 'pseudo_masks'
    assert [(s.name, s.needs) for s in steps] == [
        ('benchmark', ()),
        ('stage1', ('benchmark', )),
        ('seeds', ('stage1', )),
        ('pseudo_masks', ('stage1', 'seeds')),
        ('figure', ('stage1', 'pseudo_masks')),
    ] + ([('affinity', ('pseudo_masks', ))] if affinity else []) + [
        ('stage2', ('stage1', masks)),
        ('evaluation', ('stage2', )),
    ]


def test_until_keeps_the_steps_up_to_one(tmp_path):
    cfg = _pipeline(tmp_path, affinity=False).cfg
    pipeline = WSSSPipeline(cfg, str(tmp_path), until='seeds')
    assert [s.name for s in pipeline.steps] == ['benchmark', 'stage1', 'seeds']
    with pytest.raises(ValueError, match="until='seed' is no step"):
        WSSSPipeline(cfg, str(tmp_path), until='seed')


def test_missing_stage_config_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match='stage2.config'):
        WSSSPipeline(
            Config(dict(stage1=dict(config=STAGE1), stage2=dict())),
            str(tmp_path))


def test_markdown_table():
    assert markdown_table(['a', 'b'], [['1', '2'], ['3', '4']]) == \
        '| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |'


def _records(affinity):
    records = dict(
        benchmark=dict(skipped=True, seconds=0.4),
        stage1=dict(checkpoint='s1.pth', seconds=100.3),
        seeds=dict(mIoU=51.234, bg_score=0.35, seconds=10.0),
        pseudo_masks=dict(out_dir='pm', mIoU_train=50.126, seconds=20.0))
    if affinity:
        records['affinity'] = dict(out_dir='r', mIoU_train=55.5, seconds=30)
    records.update(
        stage2=dict(checkpoint='s2.pth', seconds=200.0),
        evaluation=dict(mIoU_val=48.0, seconds=5.2))
    return records


def test_report_with_refined_masks(tmp_path, capsys):
    results = _pipeline(tmp_path).report(_records(True))
    table = (tmp_path / 'results.md').read_text()
    assert table == (
        '| stage-1 config | seed mIoU (train) | bg score | pseudo-mask mIoU '
        '(train) | refined mIoU (train) | seg mIoU (val) |\n'
        '|---|---|---|---|---|---|\n'
        f'| {osp.basename(STAGE1)} | 51.23 | 0.35 | 50.13 | 55.50 | 48.00 |'
        '\n\n'
        '| step | benchmark | stage1 | seeds | pseudo_masks | affinity | '
        'stage2 | evaluation | total |\n'
        '|---|---|---|---|---|---|---|---|---|\n'
        '| wall time (s) | 0 | 100 | 10 | 20 | 30 | 200 | 5 | 366 |\n')
    assert table in capsys.readouterr().out
    assert json.loads((tmp_path / 'results.json').read_text()) == results
    assert results == dict(
        stage1_config=STAGE1,
        stage2_config=STAGE2,
        seed_mIoU=51.234,
        seed_bg_score=0.35,
        pseudo_mask_mIoU_train=50.126,
        refined_mask_mIoU_train=55.5,
        seg_mIoU_val=48.0,
        seconds=dict(
            benchmark=0.4,
            stage1=100.3,
            seeds=10.0,
            pseudo_masks=20.0,
            affinity=30,
            stage2=200.0,
            evaluation=5.2,
            total=365.9))


def test_report_without_refinement_has_no_refined_column(tmp_path):
    results = _pipeline(tmp_path, affinity=False).report(_records(False))
    assert 'refined_mask_mIoU_train' not in results
    assert 'affinity' not in results['seconds']
    header = (tmp_path / 'results.md').read_text().splitlines()[:2]
    assert header == [
        '| stage-1 config | seed mIoU (train) | bg score | pseudo-mask mIoU '
        '(train) | seg mIoU (val) |', '|---|---|---|---|---|'
    ]


def test_report_shows_the_baselines_run_on_the_same_benchmark(
        tmp_path, capsys):
    """A baseline run beside the work dir on the same data gives a row; one
    not run, or run on other data, gives the command that runs it."""
    work_dir = tmp_path / 'ppc-seam_v2'
    data_root = str(tmp_path / 'data')
    cfg = Config(
        dict(
            benchmark=dict(out_dir=data_root),
            stage1=dict(config=STAGE1),
            stage2=dict(config=STAGE2),
            baselines=['configs/pipeline/cam_v2.py', 'other/seam_v2.py',
                       'configs/pipeline/eps_v2.py']))
    cam = dict(stage1_config='configs/cam/cam.py', seed_mIoU=40.0,
               seed_bg_score=0.3, pseudo_mask_mIoU_train=39.5)
    for name, root in (('cam_v2', data_root), ('seam_v2', 'elsewhere')):
        (tmp_path / name / 'steps').mkdir(parents=True)
        (tmp_path / name / 'results.json').write_text(json.dumps(cam))
        (tmp_path / name / 'steps' / 'benchmark.json').write_text(
            json.dumps(dict(data_root=root)))
    results = WSSSPipeline(cfg, str(work_dir)).report(_records(False))
    assert results['baselines'] == [cam]
    lines = (work_dir / 'results.md').read_text().splitlines()
    assert lines[2:4] == [
        '| cam.py | 40.00 | 0.30 | 39.50 | - |',
        f'| {osp.basename(STAGE1)} | 51.23 | 0.35 | 50.13 | 48.00 |'
    ]
    commands = [line.strip() for line in lines if 'tools/pipeline.py' in line]
    assert commands == [
        'python tools/pipeline.py other/seam_v2.py --work-dir '
        f"{osp.relpath(tmp_path / 'seam_v2')}",
        'python tools/pipeline.py configs/pipeline/eps_v2.py --work-dir '
        f"{osp.relpath(tmp_path / 'eps_v2')}"
    ]
    assert '| cam.py |' in capsys.readouterr().out


@pytest.mark.parametrize('change,message', [
    (dict(stage2=dict(config=STAGE2, tta_=True)),
     "stage2.tta_ is not an option (did you mean 'tta'?)"),
    (dict(pseudo_mask=dict(crf=True)),
     "the pipeline config.pseudo_mask is not an option (did you mean "
     "'pseudo_masks'?)"),
    (dict(paper=dict(seed_miou=61.5, source='x')),
     "paper.seed_miou is not an option (did you mean 'seed_mIoU'?)"),
    (dict(benchmark=dict(out_dir='d', num_trains=4)),
     "benchmark.num_trains is not an option (did you mean 'num_train'?)"),
])
def test_a_pipeline_config_typo_is_refused(tmp_path, change, message):
    cfg = dict(
        benchmark=None, stage1=dict(config=STAGE1), stage2=dict(config=STAGE2))
    cfg.update(change)
    with pytest.raises(KeyError) as error:
        WSSSPipeline(Config(cfg), str(tmp_path))
    assert error.value.args[0].startswith(message)

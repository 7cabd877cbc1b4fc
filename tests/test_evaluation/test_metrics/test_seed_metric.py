import json

import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.evaluation import IoUMetric

from mmwsss.evaluation import SeedMetric
from mmwsss.evaluation.metrics.seed_metric import threshold_grid
from mmwsss.structures import argmax_background

META = dict(classes=('background', 'a', 'b', 'c'))


def _samples(seed=0, num=4, num_fg=3):
    rng = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(num):
        h, w = 10 + int(torch.randint(0, 6, (1, ), generator=rng)), 12
        cam = torch.rand(num_fg, h, w, generator=rng)
        gt = torch.randint(0, num_fg + 1, (h, w), generator=rng)
        gt[0, :3] = 255
        out.append(
            dict(pred_cam=dict(data=cam), gt_sem_seg=dict(data=gt[None])))
    return out


def _metric(**kwargs):
    metric = SeedMetric(**kwargs)
    metric.dataset_meta = META
    return metric


def test_threshold_grid_is_exact():
    grid = threshold_grid(0.0, 0.6, 0.01)
    assert len(grid) == 60 and grid[0] == 0.0 and grid[-1] == 0.59
    assert 0.29 in grid.tolist()
    with pytest.raises(ValueError, match='Invalid'):
        threshold_grid(0.5, 0.1, 0.01)


@pytest.mark.parametrize('thr', [0.0, 0.3, 0.55])
def test_fixed_threshold_equals_mmseg_iou(thr):
    """At one threshold the seed mIoU is mmseg's IoUMetric on the seeds."""
    samples = _samples()
    ours = _metric(bg_range=(thr, thr + 0.005, 0.01))
    ours.process({}, samples)
    result = ours.compute_metrics(ours.results)
    iou = IoUMetric(iou_metrics=['mIoU'])
    iou.dataset_meta = META
    iou.process({}, [
        dict(
            pred_sem_seg=dict(
                data=argmax_background(s['pred_cam']['data'], thr)[None]),
            gt_sem_seg=s['gt_sem_seg']) for s in samples
    ])
    expected = iou.compute_metrics(iou.results)['mIoU']
    assert result['mIoU'] == pytest.approx(expected, abs=0.01)


def test_counts_are_dataset_level_not_per_image_means():
    """Two images with very different sizes: the big one dominates."""
    big = torch.zeros(1, 20, 20)
    big[0, :, :10] = 1.
    gt_big = torch.zeros(20, 20, dtype=torch.long)
    gt_big[:, :10] = 1
    small = torch.ones(1, 2, 2)  # predicts class 1 everywhere, gt is bg
    gt_small = torch.zeros(2, 2, dtype=torch.long)
    metric = _metric(bg_range=(0.5, 0.51, 0.01))
    metric.dataset_meta = dict(classes=('background', 'a'))
    metric.process({}, [
        dict(pred_cam=dict(data=big), gt_sem_seg=dict(data=gt_big[None])),
        dict(pred_cam=dict(data=small), gt_sem_seg=dict(data=gt_small[None]))
    ])
    result = metric.compute_metrics(metric.results)
    # bg: 200 / 204, class a: 200 / 204 -> 98.04 (a per-image mean: 74.5)
    assert result['mIoU'] == pytest.approx(200 / 204 * 100, abs=0.01)


def test_sweep_curve_and_summary(tmp_path):
    samples = _samples()
    metric = _metric(output_dir=str(tmp_path))
    metric.process({}, samples)
    result = metric.compute_metrics(metric.results)
    summary = json.loads((tmp_path / 'seed_metric.json').read_text())
    curve = summary['curve']
    assert len(curve['bg_score']) == len(curve['mIoU']) == 60
    assert curve['bg_score'][0] == 0.0 and curve['bg_score'][-1] == 0.59
    assert result['mIoU'] == max(curve['mIoU'])
    assert result['bg_score'] == curve['bg_score'][int(
        np.argmax(curve['mIoU']))]
    assert set(summary['per_class_IoU']) == set(META['classes'])
    assert (tmp_path / 'seed_curve.png').stat().st_size > 1000
    # each point of the curve equals a single-threshold evaluation
    for index in (0, 17, 59):
        thr = curve['bg_score'][index]
        single = _metric(bg_range=(thr, thr + 0.005, 0.01))
        single.process({}, samples)
        assert single.compute_metrics(single.results)['mIoU'] == \
            curve['mIoU'][index]


def test_ignore_and_bad_ground_truth():
    cam = torch.rand(3, 4, 4)
    gt = torch.full((4, 4), 255)
    gt[0, 0] = 7
    metric = _metric()
    with pytest.raises(ValueError, match='Ground truth holds 7'):
        metric.process(
            {},
            [dict(pred_cam=dict(data=cam), gt_sem_seg=dict(data=gt[None]))])


def test_class_count_mismatch_is_reported():
    metric = _metric()
    metric.dataset_meta = dict(classes=('background', 'a'))
    metric.process({}, _samples(num=1))
    with pytest.raises(ValueError, match='pred_cam has 3 classes'):
        metric.compute_metrics(metric.results)


def test_pixel_data_inputs_work():
    """Data samples as the model returns them (PixelData, not dicts), on a
    5x5 image whose IoUs are counted by hand."""
    from mmwsss.structures import WSSSDataSample
    cam = torch.zeros(3, 5, 5)
    cam[0, :, :2] = 0.8  # class a, columns 0-1
    cam[0, :, 2] = 0.25  # class a below a background score of 0.25
    cam[1, :, 3] = 0.9  # class b, column 3; class c nowhere
    gt = torch.zeros(5, 5, dtype=torch.long)
    gt[:, :2] = 1
    gt[:, 3] = 2
    gt[0, 0] = 2  # predicted a
    gt[4, 3] = 255  # predicted b, ignored
    sample = WSSSDataSample()
    sample.pred_cam = PixelData(data=cam)
    sample.gt_sem_seg = PixelData(data=gt[None])
    metric = _metric()
    metric.process({}, [sample.to_dict()])
    result = metric.compute_metrics(metric.results)
    # From 0.25 on, column 2 is background: background 10 / 10, a 9 / 10,
    # b 4 / 5; c is neither predicted nor in the ground truth (no IoU).
    assert result == dict(mIoU=90.0, bg_score=0.25)
    per_class = metric.summary['per_class_IoU']
    assert [per_class[name]
            for name in ('background', 'a', 'b')] == [100.0, 90.0, 80.0]
    assert np.isnan(per_class['c'])
    # Below 0.25 column 2 is a: background 5 / 10, a 9 / 15, b 4 / 5.
    curve = metric.summary['curve']['mIoU']
    assert curve[:25] == [63.33] * 25 and curve[25:] == [90.0] * 35

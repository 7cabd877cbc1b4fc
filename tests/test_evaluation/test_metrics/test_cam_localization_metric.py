import math

import pytest
import torch

from mmwsss.evaluation import CAMLocalizationMetric, object_localization


def _scene():
    """A 10x10 image: class 1 in rows 4-7, cols 2-5; class 3 in rows 6-9,
    cols 7-9; an ignored pixel; the rest background."""
    gt = torch.zeros(10, 10, dtype=torch.long)
    gt[4:8, 2:6] = 1
    gt[6:10, 7:10] = 3
    gt[0, 0] = 255
    return gt


def test_object_localization_by_hand():
    gt = _scene()
    cam = torch.zeros(3, 10, 10)
    cam[0, 4:8, 2:6] = 1.  # class 1: on its object, peak at (4, 2)
    cam[2] = 0.5  # class 3: flat, then a peak on the top row
    cam[2, 0, 5] = 2.
    records = object_localization(cam, gt, border_ratio=0.1)
    assert records[0] == [1., 0., 0., 4 / 9]
    inside, outside, border, row = records[1]
    assert inside == pytest.approx(0.5)
    # background: 100 - 16 - 12 - 1 ignored = 71 pixels, one of them 2.0
    assert outside == pytest.approx((70 * 0.5 + 2.) / 71)
    assert (border, row) == (1., 0.)
    assert len(records) == 2  # class 2 is not in the ground truth


def test_border_band_scales_with_the_image():
    gt = torch.zeros(40, 20, dtype=torch.long)
    gt[10:30, 5:15] = 1
    cam = torch.zeros(1, 40, 20)
    cam[0, 36, 10] = 1.  # 4 rows from the bottom: the band is 4 rows deep
    assert object_localization(cam, gt, 0.1)[0][2] == 1.
    cam[0, 36, 10], cam[0, 35, 2] = 0., 1.  # column 2: the band is 2 wide
    assert object_localization(cam, gt, 0.1)[0][2] == 0.
    assert object_localization(cam, gt, 0.15)[0][2] == 1.


def test_metric_means_over_objects():
    gt = _scene()
    good = torch.zeros(3, 10, 10)
    good[0, 4:8, 2:6] = 1.
    good[2, 6:10, 7:10] = 1.
    inverted = 1. - good  # the evidence on the background, peak at (0, 0)
    metric = CAMLocalizationMetric()
    metric.process({}, [
        dict(pred_cam=dict(data=cam), gt_sem_seg=dict(data=gt[None]))
        for cam in (good, inverted)
    ])
    result = metric.compute_metrics(metric.results)
    assert result['objects'] == 4
    assert result['inside'] == pytest.approx(0.5)
    assert result['background'] == pytest.approx(0.5)
    assert result['inside_above_bg'] == 0.5
    assert result['peak_on_border'] == 0.5
    assert math.isclose(result['peak_row'], (4 / 9 + 6 / 9) / 4, rel_tol=1e-3)


def test_metric_errors():
    with pytest.raises(ValueError, match='border_ratio'):
        CAMLocalizationMetric(border_ratio=0.5)
    metric = CAMLocalizationMetric()
    with pytest.raises(ValueError, match='differs from its mask'):
        metric.process({}, [
            dict(
                pred_cam=dict(data=torch.zeros(3, 4, 4)),
                gt_sem_seg=dict(data=torch.zeros(1, 5, 4)),
                img_path='x.jpg')
        ])
    with pytest.raises(ValueError, match='no object'):
        metric.compute_metrics([])

import torch
from mmengine.structures import PixelData
from mmseg.evaluation import IoUMetric
from mmseg.structures import SegDataSample

from mmwsss.evaluation import ClassIoUMetric


def _sample(pred, gt):
    sample = SegDataSample()
    sample.pred_sem_seg = PixelData(data=torch.tensor(pred)[None])
    sample.gt_sem_seg = PixelData(data=torch.tensor(gt)[None])
    return sample.to_dict()


def test_per_class_iou_beside_mmseg_summary():
    classes = ('background', 'cat', 'dog')
    metrics = {}
    for cls in (IoUMetric, ClassIoUMetric):
        metric = cls(iou_metrics=['mIoU'])
        metric.dataset_meta = dict(classes=classes)
        # background never predicted: IoU 0; cat 2 of 3 pixels; dog exact
        metric.process({}, [
            _sample([[1, 1, 2], [1, 1, 2]], [[0, 1, 2], [1, 1, 2]]),
            _sample([[1, 1]], [[0, 255]])
        ])
        metrics[cls] = metric.compute_metrics(metric.results)
    ours = metrics[ClassIoUMetric]
    assert {k: v for k, v in ours.items()
            if not k.startswith('IoU.')} == metrics[IoUMetric]
    assert ours['IoU.background'] == 0
    assert ours['IoU.cat'] == 60.0  # 3 of the 5 pixels of cat or pred cat
    assert ours['IoU.dog'] == 100.0
    assert abs(ours['mIoU'] - 160 / 3) < 0.01

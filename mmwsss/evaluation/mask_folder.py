"""mIoU of a folder of label maps against a dataset's ground truth."""
from typing import Dict

import numpy as np
import torch
from mmseg.evaluation import IoUMetric
from PIL import Image

from mmwsss.registry import DATASETS
from mmwsss.utils import safe_join


def evaluate_mask_folder(mask_dir: str, dataset_cfg: dict) -> Dict[str, float]:
    """mmseg's mIoU of ``{id}.png`` label maps (pseudo masks, seeds).

    Args:
        mask_dir (str): Folder of palette / grayscale PNGs named by image id.
        dataset_cfg (dict): A :class:`VOCClsDataset` config whose
            ``seg_map_path`` is the ground truth (e.g. VOC train with
            ``SegmentationClass``).

    Returns:
        dict[str, float]: ``aAcc``, ``mIoU``, ``mAcc`` (percent), as
        mmseg's :class:`IoUMetric` reports them.

    Raises:
        FileNotFoundError: If a mask of the split is missing, named.
        ValueError: If a mask's size differs from its ground truth, or a mask
            (or ground truth) is not one channel of indices in ``0..C`` and
            255, named.
    """
    dataset = DATASETS.build(dict(dataset_cfg, with_label=False, pipeline=[]))
    metric = IoUMetric(iou_metrics=['mIoU'])
    metric.dataset_meta = dataset.metainfo
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        path = safe_join(mask_dir, info['img_id'], '.png')
        try:
            with Image.open(path) as img:
                pred = np.asarray(img)
        except FileNotFoundError as e:
            raise FileNotFoundError(f'The mask {path} of {info["img_id"]} '
                                    'is missing.') from e
        with Image.open(info['seg_map_path']) as img:
            gt = np.asarray(img)
        num_classes = len(dataset.metainfo['classes']) - 1
        for name, labels in ((path, pred), (info['seg_map_path'], gt)):
            if labels.ndim != 2:
                raise ValueError(f'The mask {name} must be one channel of '
                                 'class indices, got a map of shape '
                                 f'{labels.shape} (an RGB rendering?).')
            bad = labels[(labels > num_classes) & (labels != 255)]
            if bad.size:
                raise ValueError(f'The mask {name} holds index {int(bad[0])},'
                                 f' which is neither a class '
                                 f'(0..{num_classes}) nor 255.')
        if pred.shape != gt.shape:
            raise ValueError(f'The mask {path} is {pred.shape}, its ground '
                             f'truth {info["seg_map_path"]} is {gt.shape}.')
        metric.process({}, [
            dict(
                pred_sem_seg=dict(data=torch.from_numpy(pred.copy())[None]),
                gt_sem_seg=dict(data=torch.from_numpy(gt.copy())[None]))
        ])
    return metric.compute_metrics(metric.results)

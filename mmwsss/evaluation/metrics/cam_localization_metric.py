"""Where CAMs put their evidence: inside the objects, on the background or
on the image border."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from torch import Tensor

from mmwsss.registry import METRICS
from .cam_and_mask import cam_and_mask


def object_localization(cam: Tensor, gt: Tensor,
                        border_ratio: float) -> List[List[float]]:
    """The localisation statistics of each class present in one image.

    Args:
        cam (Tensor): ``(C, H, W)`` CAMs of the foreground classes.
        gt (Tensor): ``(H, W)`` ground truth, 0 the background, ``c`` in
            ``[1, C]`` the class of CAM channel ``c - 1``; other values (the
            ignore index) are left out.
        border_ratio (float): The border is the outer band of this fraction
            of the image's height (top and bottom rows) and width (left and
            right columns).

    Returns:
        list[list[float]]: Per class present in ``gt`` (increasing class):
        its mean CAM inside its pixels, its mean CAM on the background
        pixels (NaN without background), whether its CAM peaks on the
        border (1 or 0; the first maximum in row-major order), and the row
        of that peak over the image height minus 1.
    """
    height, width = gt.shape
    band_h = max(1, round(border_ratio * height))
    band_w = max(1, round(border_ratio * width))
    background = gt == 0
    records = []
    for cls in gt.unique().tolist():
        if not 1 <= cls <= cam.shape[0]:
            continue
        channel = cam[cls - 1].float()
        row, col = divmod(int(channel.argmax()), width)
        on_border = (row < band_h or row >= height - band_h or col < band_w
                     or col >= width - band_w)
        inside = channel[gt == cls].mean().item()
        outside = (channel[background].mean().item()
                   if background.any() else float('nan'))
        records.append([
            inside, outside,
            float(on_border), row / max(height - 1, 1)
        ])
    return records


@METRICS.register_module()
class CAMLocalizationMetric(BaseMetric):
    """Where the CAM of each object's class puts its evidence.

    A diagnostic beside :class:`SeedMetric`: for every object class of every
    image (the classes present in the ground truth), its CAM (``pred_cam``,
    as the model's inference normalises it) is averaged inside the class's
    pixels and on the background, and its peak is located. Healthy CAMs are
    higher inside their objects than on the background and peak inside the
    image; a classifier that has learnt to score a class from somewhere
    else (context, the image border) shows a low ``inside_above_bg`` share
    and a high ``peak_on_border`` share. Use it in place of the seed metric,
    e.g. ``python tools/test.py CONFIG CHECKPOINT --cfg-options
    test_evaluator.type=CAMLocalizationMetric``.

    Reported (means over the objects): ``inside`` and ``background`` (the
    mean CAM inside the object's class pixels and on the background),
    ``inside_above_bg`` (the share of objects whose class CAM is higher
    inside than on the background), ``peak_on_border`` (the share whose
    peak lies in the border band) and ``peak_row`` (the peak's row over
    the height: 0 at the top, 1 at the bottom), and ``objects`` (their
    number).

    Args:
        border_ratio (float): Width of the border band as a fraction of the
            image side. Defaults to 0.1.
        collect_device (str): Device for collecting results across ranks.
        prefix (str, optional): Prefix of the metric names.
    """
    default_prefix = 'cam'

    def __init__(self,
                 border_ratio: float = 0.1,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not 0 < border_ratio < 0.5:
            raise ValueError(f'CAMLocalizationMetric: border_ratio must be in '
                             f'(0, 0.5), got {border_ratio}.')
        self.border_ratio = border_ratio

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Record each object's statistics.

        Args:
            data_batch (dict): The batch (unused).
            data_samples (Sequence[dict]): Outputs with ``pred_cam`` and
                ``gt_sem_seg``.
        """
        for sample in data_samples:
            self.results.extend(
                object_localization(*cam_and_mask(sample),
                                    self.border_ratio))

    def compute_metrics(self, results: List[List[float]]) -> Dict[str, float]:
        """Means over the objects.

        Args:
            results (list[list[float]]): The records of
                :func:`object_localization`.

        Returns:
            dict[str, float]: See the class description.
        """
        if not results:
            raise ValueError('CAMLocalizationMetric: the ground truth holds '
                             'no object.')
        records = np.array(results, dtype=np.float64)
        inside, outside, border, row = records.T
        return dict(
            objects=len(records),
            inside=round(float(inside.mean()), 4),
            background=round(float(np.nanmean(outside)), 4),
            inside_above_bg=round(float(np.mean(inside > outside)), 4),
            peak_on_border=round(float(border.mean()), 4),
            peak_row=round(float(row.mean()), 4))

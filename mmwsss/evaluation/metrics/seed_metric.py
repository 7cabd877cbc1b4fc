"""Seed quality: mIoU of CAM seeds over a sweep of background scores."""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmseg.evaluation import IoUMetric
from prettytable import PrettyTable

from mmwsss.registry import METRICS
from mmwsss.utils import atomic_write_bytes
from mmwsss.visualization import plot_seed_curve
from .cam_and_mask import cam_and_mask


def threshold_grid(start: float, stop: float, step: float) -> np.ndarray:
    """Thresholds ``start, start + step, ...`` below ``stop`` (exact decimals).

    Args:
        start (float): First threshold.
        stop (float): Exclusive end.
        step (float): Spacing.

    Returns:
        np.ndarray: Increasing float64 thresholds.
    """
    if step <= 0 or stop <= start:
        raise ValueError(f'Invalid threshold range ({start}, {stop}, {step}).')
    count = int(np.ceil((stop - start) / step - 1e-9))
    return np.round(start + step * np.arange(count), 10)


def seed_histogram(cam: torch.Tensor, gt: torch.Tensor, thresholds: np.ndarray,
                   ignore_index: int) -> Tuple[np.ndarray, np.ndarray]:
    """Sparse histogram of (gt class, best class, threshold bin) of an image.

    A pixel whose best foreground score is ``m`` is predicted as that class
    for every threshold below ``m`` and as background from the first
    threshold ``>= m`` on, so its threshold bin ``j`` (the number of
    thresholds below ``m``) determines its prediction at every threshold.

    Args:
        cam (Tensor): ``(C, H, W)`` normalised CAMs.
        gt (Tensor): ``(H, W)`` ground truth in ``[0, C]`` or ignore.
        thresholds (np.ndarray): ``(T,)`` increasing background scores.
        ignore_index (int): Ignored ground-truth value.

    Returns:
        tuple[np.ndarray, np.ndarray]: Flat indices into a
        ``(C + 1, C, T + 1)`` histogram and their counts.
    """
    num_fg = cam.shape[0]
    score, fg = cam.float().max(dim=0)
    keep = gt != ignore_index
    gt, score, fg = gt[keep].long(), score[keep], fg[keep]
    if gt.numel() and (gt.min() < 0 or gt.max() > num_fg):
        bad = gt[(gt < 0) | (gt > num_fg)][0].item()
        raise ValueError(f'Ground truth holds {bad}, outside 0..{num_fg} and '
                         f'not the ignore index {ignore_index}.')
    bins = torch.searchsorted(
        torch.as_tensor(thresholds, dtype=score.dtype), score, right=False)
    flat = (gt * num_fg + fg) * (len(thresholds) + 1) + bins
    index, count = torch.unique(flat, return_counts=True)
    return index.cpu().numpy(), count.cpu().numpy()


def confusion_from_histogram(hist: np.ndarray) -> np.ndarray:
    """Confusion matrices at every threshold from the seed histogram.

    Args:
        hist (np.ndarray): ``(C + 1, C, T + 1)`` counts of (gt, best fg
            class, threshold bin).

    Returns:
        np.ndarray: ``(T, C + 1, C + 1)`` confusion (gt rows, prediction
        columns, 0 = background).
    """
    num_cls, num_fg, num_bins = hist.shape
    # pixels still foreground at threshold i: bins j > i
    above = np.cumsum(hist[..., ::-1], axis=-1)[..., ::-1]  # j >= bin
    fg = above[..., 1:]  # (C + 1, C, T): bins > i
    bg = np.cumsum(hist.sum(axis=1), axis=-1)[:, :-1]  # (C + 1, T): j <= i
    conf = np.zeros((num_bins - 1, num_cls, num_cls), dtype=np.int64)
    conf[:, :, 0] = bg.T
    conf[:, :, 1:] = fg.transpose(2, 0, 1)
    return conf


@METRICS.register_module()
class SeedMetric(BaseMetric):
    """mIoU of CAM seeds, swept over the constant background score.

    The VOC protocol of WSSS papers: each pixel takes the argmax of
    ``[bg_score, cam_1, ..., cam_C]`` (``pred_cam`` normalised to [0, 1]);
    confusion counts are accumulated over the whole dataset (not averaged
    per image), ground-truth ``ignore_index`` pixels are skipped, and the
    IoU of every class is computed exactly as mmseg's ``IoUMetric`` does.
    The best background score, its mIoU and per-class IoU, and the whole
    curve are reported; with ``output_dir`` they are also written to
    ``seed_metric.json`` and the curve is plotted in ``seed_curve.png``.

    Args:
        bg_range (tuple[float, float, float]): ``(start, stop, step)`` of the
            background scores (stop excluded). Defaults to (0.0, 0.6, 0.01),
            i.e. 0.00..0.59.
        ignore_index (int): Ignored ground truth. Defaults to 255.
        output_dir (str, optional): Folder of ``seed_metric.json``.
        collect_device (str): Device for collecting results across ranks.
        prefix (str, optional): Prefix of the metric names.
    """
    default_prefix = 'seed'

    def __init__(self,
                 bg_range: Sequence[float] = (0.0, 0.6, 0.01),
                 ignore_index: int = 255,
                 output_dir: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.thresholds = threshold_grid(*bg_range)
        self.ignore_index = ignore_index
        self.output_dir = output_dir
        self.summary: Dict = {}

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Histogram each image's seeds against its ground truth.

        Args:
            data_batch (dict): The batch (unused).
            data_samples (Sequence[dict]): Outputs with ``pred_cam`` and
                ``gt_sem_seg``.
        """
        for sample in data_samples:
            cam, gt = cam_and_mask(sample)
            self.results.append(
                (cam.shape[0],
                 *seed_histogram(cam, gt, self.thresholds, self.ignore_index)))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        """Best threshold, its mIoU, per-class IoU and the curve.

        Args:
            results (list[tuple]): ``(num_fg, index, count)`` per image.

        Returns:
            dict[str, float]: ``mIoU`` (percent) and ``bg_score``.
        """
        num_fg = results[0][0]
        if 'classes' in (self.dataset_meta or {}) and len(
                self.dataset_meta['classes']) != num_fg + 1:
            raise ValueError(
                f'pred_cam has {num_fg} classes but the dataset has '
                f'{len(self.dataset_meta["classes"]) - 1} foreground classes.')
        num_bins = len(self.thresholds) + 1
        hist = np.bincount(
            np.concatenate([r[1] for r in results]),
            weights=np.concatenate([r[2] for r in results]),
            minlength=(num_fg + 1) * num_fg * num_bins).astype(np.int64)
        conf = confusion_from_histogram(
            hist.reshape(num_fg + 1, num_fg, num_bins))
        ious = np.stack([self._iou(c) for c in conf])  # (T, C + 1)
        curve = np.nanmean(ious, axis=1) * 100
        best = int(np.nanargmax(curve))
        classes = (self.dataset_meta
                   or {}).get('classes', [str(i) for i in range(num_fg + 1)])
        self.summary = dict(
            mIoU=round(float(curve[best]), 2),
            bg_score=float(self.thresholds[best]),
            per_class_IoU={
                name: round(float(v) * 100, 2)
                for name, v in zip(classes, ious[best])
            },
            curve=dict(
                bg_score=[float(t) for t in self.thresholds],
                mIoU=[round(float(v), 2) for v in curve]))
        self._report()
        return dict(
            mIoU=self.summary['mIoU'], bg_score=self.summary['bg_score'])

    @staticmethod
    def _iou(conf: np.ndarray) -> np.ndarray:
        """Per-class IoU of one confusion matrix, as mmseg's IoUMetric."""
        conf = torch.from_numpy(conf)
        intersect = conf.diag()
        pred, label = conf.sum(0), conf.sum(1)
        union = pred + label - intersect
        return IoUMetric.total_area_to_metrics(intersect, union, pred, label,
                                               ['mIoU'])['IoU']

    def _report(self) -> None:
        """Log the per-class table and write ``seed_metric.json``."""
        logger = MMLogger.get_current_instance()
        table = PrettyTable(['Class', 'IoU'])
        for name, iou in self.summary['per_class_IoU'].items():
            table.add_row([name, iou])
        print_log(
            f'seed mIoU {self.summary["mIoU"]} at background score '
            f'{self.summary["bg_score"]:.2f}; per class:\n{table}', logger)
        if self.output_dir:
            atomic_write_bytes(
                osp.join(self.output_dir, 'seed_metric.json'),
                json.dumps(self.summary, indent=2).encode())
            plot_seed_curve(self.summary,
                            osp.join(self.output_dir, 'seed_curve.png'))


def read_best_bg_score(path: str) -> float:
    """The best background score a :class:`SeedMetric` saved in its
    ``seed_metric.json``.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        ValueError: If it is not such a summary.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'The seed evaluation {path} does not exist.')
    try:
        with open(path) as f:
            score = float(json.load(f)['bg_score'])
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f'{path} is not the seed_metric.json of a seed '
                         f'evaluation (no number bg_score: {e}).') from None
    if not 0 <= score <= 1:
        raise ValueError(f'{path} holds bg_score {score}, not in [0, 1].')
    return score

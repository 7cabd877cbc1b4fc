"""mmseg's IoU metric that also returns the IoU of every class."""
from typing import Dict

from mmseg.evaluation import IoUMetric

from mmwsss.registry import METRICS


@METRICS.register_module()
class ClassIoUMetric(IoUMetric):
    """:class:`mmseg.evaluation.IoUMetric` with per-class results.

    Besides mmseg's summary (``aAcc``, ``mIoU``, ...; the per-class table is
    only logged there), the IoU of each class is returned as
    ``IoU.{class name}`` (percent, two decimals), e.g.
    ``IoU.background``: a segmentation network that never predicts a class
    shows it at once. Arguments are those of mmseg's ``IoUMetric``.
    """

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """mmseg's metrics plus ``IoU.{class name}`` of every class.

        Args:
            results (list): The processed results of each batch.

        Returns:
            dict[str, float]: The metrics.
        """
        metrics = super().compute_metrics(results)
        if self.format_only:
            return metrics
        areas = [sum(area) for area in zip(*results)]
        iou = self.total_area_to_metrics(*areas, ['mIoU'],
                                         self.nan_to_num)['IoU']
        metrics.update({
            f'IoU.{name}': round(float(value) * 100, 2)
            for name, value in zip(self.dataset_meta['classes'], iou)
        })
        return metrics

from .cam_localization_metric import (CAMLocalizationMetric,
                                      object_localization)
from .class_iou_metric import ClassIoUMetric
from .seed_metric import SeedMetric, read_best_bg_score

__all__ = [
    'CAMLocalizationMetric', 'ClassIoUMetric', 'SeedMetric',
    'object_localization', 'read_best_bg_score'
]

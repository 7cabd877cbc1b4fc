from .cam_localization_metric import (CAMLocalizationMetric,
                                      object_localization)
from .seed_metric import SeedMetric

__all__ = ['CAMLocalizationMetric', 'SeedMetric', 'object_localization']

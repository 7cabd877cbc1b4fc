from .affinity_labels import LoadAffinityLabel
from .color_jitter import ColorJitter
from .formatting import PackWSSSInputs
from .loading import LoadSaliencyFromFile
from .random_crop_pad import RandomCropPad
from .random_resize_long import RandomResizeLong
from .two_view import TwoViewTransform

__all__ = [
    'ColorJitter', 'LoadAffinityLabel', 'LoadSaliencyFromFile',
    'PackWSSSInputs', 'RandomCropPad', 'RandomResizeLong', 'TwoViewTransform'
]

from .efficientnet_lite import EfficientNetLite
from .resnet38d import ResNet38d

__all__ = ['EfficientNetLite', 'ResNet38d']

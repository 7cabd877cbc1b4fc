from .affinity import *  # noqa: F401,F403
from .backbones import *  # noqa: F401,F403
from .base_model import BaseWSSSModel
from .classifiers import *  # noqa: F401,F403
from .data_preprocessor import WSSSDataPreProcessor
from .heads import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .ppc import *  # noqa: F401,F403
from .segmentors import *  # noqa: F401,F403
from .wrappers import *  # noqa: F401,F403

__all__ = ['BaseWSSSModel', 'WSSSDataPreProcessor']

from .cam_visualization_hook import CAMVisualizationHook
from .finite_loss_hook import FiniteLossHook
from .pseudo_mask_hook import PseudoMaskHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = [
    'CAMVisualizationHook', 'FiniteLossHook', 'PseudoMaskHook',
    'SafeCheckpointHook'
]

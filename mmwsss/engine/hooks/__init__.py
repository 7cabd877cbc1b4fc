from .cam_visualization_hook import CAMVisualizationHook
from .pseudo_mask_hook import PseudoMaskHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = ['CAMVisualizationHook', 'PseudoMaskHook', 'SafeCheckpointHook']

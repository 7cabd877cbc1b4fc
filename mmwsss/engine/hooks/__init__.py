from .cam_cache_hook import CAMCacheHook
from .cam_pattern_hook import CAMPatternHook
from .cam_visualization_hook import CAMVisualizationHook
from .finite_loss_hook import FiniteLossHook
from .preemption_hook import PreemptionHook
from .pseudo_mask_hook import PseudoMaskHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = [
    'CAMCacheHook', 'CAMPatternHook', 'CAMVisualizationHook', 'FiniteLossHook',
    'PreemptionHook', 'PseudoMaskHook', 'SafeCheckpointHook'
]

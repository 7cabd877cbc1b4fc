from .bf16_optim_wrapper import BF16OptimWrapper
from .wsss_optim_wrapper_constructor import WSSSOptimWrapperConstructor

__all__ = ['BF16OptimWrapper', 'WSSSOptimWrapperConstructor']

from .contrast_samplers import HardPixelSampler, SemiHardPrototypeMiner

__all__ = ['HardPixelSampler', 'SemiHardPrototypeMiner']

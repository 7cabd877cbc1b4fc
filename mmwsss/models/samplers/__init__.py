from .hard_pixel_sampler import HardPixelSampler
from .semi_hard_prototype_miner import SemiHardPrototypeMiner

__all__ = ['HardPixelSampler', 'SemiHardPrototypeMiner']

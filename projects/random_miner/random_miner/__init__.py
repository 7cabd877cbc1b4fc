from .random_prototype_miner import RandomPrototypeMiner

__all__ = ['RandomPrototypeMiner']

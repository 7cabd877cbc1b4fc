from .cpu_sync_batch_norm import CPUSyncBatchNorm

__all__ = ['CPUSyncBatchNorm']

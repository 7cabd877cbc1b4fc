from .cpu_sync_batch_norm import CPUSyncBatchNorm
from .same_padding_conv import SamePaddingConv2d

__all__ = ['CPUSyncBatchNorm', 'SamePaddingConv2d']

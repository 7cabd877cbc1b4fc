"""The DDP model wrapper of CPU processes."""
from typing import Optional

from mmengine.model import MMDistributedDataParallel
from torch import nn

from mmwsss.registry import MODEL_WRAPPERS
from ..layers import CPUSyncBatchNorm


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` for processes without a GPU.

    CPU modules take ``device_ids=None``, and every ``torch.nn.SyncBatchNorm``
    of the model (from ``sync_bn='torch'`` or ``norm_cfg=dict(type='SyncBN')``
    in the config), which DDP refuses on CPU, becomes a
    :class:`CPUSyncBatchNorm` sharing its parameters and buffers.
    :func:`mmwsss.utils.setup_launcher` picks this wrapper when there is no
    GPU.

    Args:
        module (nn.Module): The model.
        device_ids (list, optional): Must be None on CPU.
        **kwargs: ``MMDistributedDataParallel`` arguments.
    """

    def __init__(self,
                 module: nn.Module,
                 device_ids: Optional[list] = None,
                 **kwargs) -> None:
        if device_ids is not None:
            raise ValueError('CPUDistributedDataParallel runs CPU modules: '
                             f'device_ids must be None, got {device_ids}.')
        for parent in module.modules():
            for name, child in parent.named_children():
                if isinstance(child, nn.SyncBatchNorm):
                    setattr(parent, name,
                            CPUSyncBatchNorm.from_sync_batch_norm(child))
        super().__init__(module=module, device_ids=None, **kwargs)

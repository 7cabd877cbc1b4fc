"""Parameter groups with the WSSS authors' learning-rate multipliers."""
from typing import List, Optional, Union

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.instancenorm import _InstanceNorm

from mmwsss.registry import OPTIM_WRAPPER_CONSTRUCTORS

_NORMS = (_BatchNorm, _InstanceNorm, nn.GroupNorm, nn.LayerNorm)


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class WSSSOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """mmengine's constructor where custom-key and bias multipliers compose.

    PSA, SEAM, EPS and PPC train with four groups: backbone weights (lr x1),
    backbone biases (x2, no decay), new-layer weights (x10) and new-layer
    biases (x20, no decay). With mmengine's
    :class:`DefaultOptimWrapperConstructor`, a ``custom_keys`` match
    (``lr_mult=10`` for the new layers) overrides ``bias_lr_mult``, so
    new-layer biases would get x10. Here, for a bias of a non-normalisation
    layer that matches a custom key, ``bias_lr_mult`` and
    ``bias_decay_mult`` multiply the custom key's multipliers, which gives
    the authors' x20 and no decay. Everything else is mmengine's behaviour
    (parameters that do not require grad, such as frozen stages and frozen
    BN, are left out as the authors do).

    Example::

        optim_wrapper = dict(
            type='OptimWrapper',
            optimizer=dict(type='SGD', lr=0.01, weight_decay=5e-4),
            constructor='WSSSOptimWrapperConstructor',
            paramwise_cfg=dict(
                bias_lr_mult=2., bias_decay_mult=0.,
                custom_keys={'cam_head': dict(lr_mult=10.)}))
    """

    def add_params(self,
                   params: List[dict],
                   module: nn.Module,
                   prefix: str = '',
                   is_dcn_module: Optional[Union[int, float]] = None) -> None:
        """Add the parameters of ``module``, then compose the multipliers.

        Args:
            params (list[dict]): Param groups, modified in place.
            module (nn.Module): The module.
            prefix (str): Its prefix (the composition runs once, at the
                root).
            is_dcn_module (int | float, optional): As mmengine's.
        """
        super().add_params(params, module, prefix, is_dcn_module)
        if prefix:
            return
        custom_keys = self.paramwise_cfg.get('custom_keys', {})
        bias_lr_mult = self.paramwise_cfg.get('bias_lr_mult', None)
        bias_decay_mult = self.paramwise_cfg.get('bias_decay_mult', None)
        layer_biases = {
            id(m.bias): f'{name}.bias' if name else 'bias'
            for name, m in module.named_modules()
            if getattr(m, 'bias', None) is not None
            and isinstance(m.bias, nn.Parameter) and not isinstance(m, _NORMS)
        }
        for group in params:
            name = layer_biases.get(id(group['params'][0]))
            if name is None or not any(key in name for key in custom_keys):
                continue
            if bias_lr_mult is not None:
                group['lr'] = group['lr'] * bias_lr_mult
            if bias_decay_mult is not None and 'weight_decay' in group:
                group['weight_decay'] = group['weight_decay'] * bias_decay_mult

"""Mixed precision with bfloat16, on CPU as well as on GPU."""
from contextlib import contextmanager

import torch.nn as nn
from mmengine.optim import OptimWrapper

from mmwsss.registry import OPTIM_WRAPPERS
from mmwsss.utils import bfloat16_autocast


@OPTIM_WRAPPERS.register_module()
class BF16OptimWrapper(OptimWrapper):
    """An :class:`OptimWrapper` whose forward runs under bfloat16 autocast.

    mmengine's ``AmpOptimWrapper`` refuses CPUs; bfloat16 needs no loss
    scaling, so this wrapper only adds ``autocast(dtype=torch.bfloat16)`` on
    the device of the model. On CPUs with bfloat16 instructions it about
    halves the time of a ResNet training step; on CPUs without them
    (AVX2) it would multiply it, so the forward runs in float32 there (see
    :func:`mmwsss.utils.bfloat16_autocast`). Parameters, gradients and the
    optimizer state stay in float32; numerically sensitive losses of mmwsss
    (the prototype contrast) compute in float32 inside the context.
    Arguments are those of :class:`OptimWrapper`.
    """

    @contextmanager
    def optim_context(self, model: nn.Module):
        """Gradient-accumulation context plus bfloat16 autocast."""
        device = next(model.parameters()).device.type
        with super().optim_context(model), bfloat16_autocast(device):
            yield

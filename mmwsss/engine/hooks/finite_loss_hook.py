"""Stop training at the first non-finite loss, saying which term."""
import math
from typing import Optional

import torch
from mmengine.hooks import Hook

from mmwsss.registry import HOOKS


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Raise as soon as a loss term is NaN or infinite.

    Checked after every iteration, before the checkpoint hook can save the
    weights the bad step produced, so the last checkpoint stays usable. The
    error names the iteration, the epoch and every loss term.
    """

    priority = 'VERY_HIGH'

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Check the loss terms of the iteration."""
        values = {
            k: float(v.detach()) if isinstance(v, torch.Tensor) else float(v)
            for k, v in (outputs or {}).items()
        }
        if all(math.isfinite(v) for v in values.values()):
            return
        terms = ', '.join(f'{k}={v:.4g}' for k, v in values.items())
        raise RuntimeError(
            f'Non-finite loss at iteration {runner.iter + 1} (epoch '
            f'{runner.epoch + 1}): {terms}. Training stopped before saving '
            'a checkpoint of this step; resume from the last one with '
            'another learning rate or seed, or check the data of this '
            'batch.')

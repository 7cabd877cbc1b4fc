"""Synchronised batch normalisation for CPU processes."""
from typing import Optional

import torch
import torch.distributed as dist
import torch.distributed.nn.functional as dist_fn
from torch import Tensor, nn
from torch.nn.modules.batchnorm import _BatchNorm


class CPUSyncBatchNorm(_BatchNorm):
    """SyncBatchNorm for CPU tensors (``gloo`` process groups).

    ``torch.nn.SyncBatchNorm`` and DDP refuse CPU modules with synchronised
    batch normalisation. Training with more than one process, this layer sums
    each channel's sum, sum of squares and count over the process group by a
    differentiable all-reduce (accumulated in float64), so that outputs,
    gradients and running statistics equal those of one process normalising
    the whole global batch. In eval mode or in a single process it is a plain
    batch normalisation. :class:`CPUDistributedDataParallel` turns the
    ``torch.nn.SyncBatchNorm`` layers of a model (``sync_bn='torch'`` or
    ``norm_cfg=dict(type='SyncBN')`` in a config) into this layer.

    Args:
        num_features (int): Channels ``C`` of the ``(N, C, ...)`` input.
        eps (float): Added to the variance. Defaults to 1e-5.
        momentum (float, optional): Running-statistics momentum (None: a
            cumulative average). Defaults to 0.1.
        affine (bool): Learn a scale and shift. Defaults to True.
        track_running_stats (bool): Keep running statistics. Defaults to
            True.
        process_group (ProcessGroup, optional): Group to synchronise over.
            Defaults to None (every process).
    """

    def __init__(self,
                 num_features: int,
                 eps: float = 1e-5,
                 momentum: Optional[float] = 0.1,
                 affine: bool = True,
                 track_running_stats: bool = True,
                 process_group: Optional[dist.ProcessGroup] = None) -> None:
        super().__init__(num_features, eps, momentum, affine,
                         track_running_stats)
        self.process_group = process_group

    @classmethod
    def from_sync_batch_norm(cls,
                             layer: nn.SyncBatchNorm) -> 'CPUSyncBatchNorm':
        """The same layer, its parameters and buffers shared (not copied)."""
        new = cls(layer.num_features, layer.eps, layer.momentum, layer.affine,
                  layer.track_running_stats, layer.process_group)
        for name in ('weight', 'bias', 'running_mean', 'running_var',
                     'num_batches_tracked'):
            setattr(new, name, getattr(layer, name))
        return new.train(layer.training)

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(
                f'expected at least 2D input (got {input.dim()}D input)')

    def forward(self, input: Tensor) -> Tensor:
        """Normalise ``input`` (N, C, ...)."""
        if not self.training or not dist.is_initialized() or \
                dist.get_world_size(self.process_group) == 1:
            return super().forward(input)
        self._check_input_dim(input)
        momentum = self.momentum or 0.
        if self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                momentum = 1. / float(self.num_batches_tracked)
        channels = input.shape[1]
        x = input.transpose(0, 1).reshape(channels, -1).double()
        local = torch.cat(
            [x.sum(1), x.square().sum(1),
             x.new_tensor([x.shape[1]])])
        total = dist_fn.all_reduce(
            local, group=self.process_group or dist.group.WORLD)
        count = total[-1]
        mean = total[:channels] / count
        var = (total[channels:-1] / count - mean.square()).clamp_min(0.)
        if self.track_running_stats:
            with torch.no_grad():
                unbiased = var * count / (count - 1).clamp_min(1.)
                self.running_mean.lerp_(mean.to(self.running_mean), momentum)
                self.running_var.lerp_(
                    unbiased.to(self.running_var), momentum)
        shape = (1, channels) + (1, ) * (input.dim() - 2)
        scale = torch.rsqrt(var + self.eps).float().view(shape)
        out = (input.float() - mean.float().view(shape)) * scale
        if self.affine:
            out = out * self.weight.view(shape) + self.bias.view(shape)
        return out.to(input.dtype)

"""Distributed set-up that also works on a CPU-only torch."""
import os

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.dist import is_distributed


def setup_launcher(cfg: Config, launcher: str) -> None:
    """Prepare ``cfg`` (and the process group) for the Runner.

    mmengine's ``pytorch`` launcher calls ``torch.cuda.set_device``, which
    raises on a CPU-only torch, its DDP wrapper passes
    ``device_ids=[LOCAL_RANK]``, which CPU modules refuse, and torch's
    SyncBatchNorm refuses CPU tensors. Without CUDA this creates the process
    group itself with the ``gloo`` backend from the torchrun environment (the
    Runner then skips its own initialisation) and wraps the model in
    :class:`~mmwsss.models.CPUDistributedDataParallel` (``device_ids=None``;
    SyncBN layers synchronise on CPU) unless the config names another
    wrapper. With CUDA, nothing changes but the launcher.

    Args:
        cfg (Config): The config, changed in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
    """
    cfg.launcher = launcher
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise ValueError(f'The {launcher!r} launcher needs CUDA; on CPU use '
                         "torchrun with --launcher pytorch.")
    # the logged config names the backend actually used
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = \
        'gloo'
    if not is_distributed():
        timeout = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('timeout')
        kwargs = {}
        if timeout is not None:
            from datetime import timedelta
            kwargs['timeout'] = timedelta(seconds=timeout)
        torch_dist.init_process_group(
            backend='gloo',
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']),
            **kwargs)
    # the Runner looks wrappers up in mmengine's root registry, which finds
    # the registries of mmwsss (a child of mmseg's) only by import path
    wrapper = dict(type='mmwsss.models.CPUDistributedDataParallel')
    wrapper.update(cfg.get('model_wrapper_cfg') or {})
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper

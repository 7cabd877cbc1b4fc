"""Distributed set-up that also works on a CPU-only torch."""
import os

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.dist import is_distributed


def setup_launcher(cfg: Config, launcher: str) -> None:
    """Prepare ``cfg`` (and the process group) for the Runner.

    mmengine's ``pytorch`` launcher calls ``torch.cuda.set_device``, which
    raises on a CPU-only torch, and its DDP wrapper passes
    ``device_ids=[LOCAL_RANK]``, which CPU modules refuse. Without CUDA this
    creates the process group itself with the ``gloo`` backend from the
    torchrun environment (the Runner then skips its own initialisation) and
    sets ``device_ids=None`` on the model wrapper. With CUDA, nothing changes
    but the launcher.

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
    wrapper = dict(type='MMDistributedDataParallel')
    wrapper.update(cfg.get('model_wrapper_cfg') or {})
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper

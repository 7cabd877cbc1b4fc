"""Checkpoint loading that never runs code from an untrusted file.

``torch.load`` unpickles; with ``weights_only=False`` a checkpoint can run
arbitrary code. mmwsss installs, in place of mmengine's loader of local
files, one that always loads with ``weights_only=True``, on every torch
version. Checkpoints written by mmwsss's training runs load that way (see
:class:`mmwsss.engine.hooks.SafeCheckpointHook`), as do converted weights
and plain state dicts. A file that needs more (a checkpoint pickled with
custom classes, e.g. by another codebase) is refused with a message naming
it, unless the user lists it as trusted (``--trust-checkpoint PATH`` of the
tools).
"""
import os.path as osp
import pickle
from typing import Iterable

import torch
from mmengine.runner.checkpoint import CheckpointLoader

_TRUSTED: set = set()


def _load_local(filename: str, map_location=None):
    """mmengine's local-file loader, with ``weights_only=True``."""
    path = osp.abspath(osp.expanduser(filename))
    if not osp.isfile(path):
        raise FileNotFoundError(f'The checkpoint {filename} does not exist.')
    if path in _TRUSTED:
        return torch.load(path, map_location=map_location, weights_only=False)
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        reason = str(e).split('WeightsUnpickler error:')[-1].strip()
        reason = reason.splitlines()[0] if reason else type(e).__name__
        raise RuntimeError(
            f'Refusing to load the checkpoint {filename}: it holds objects '
            f'that a safe load (torch.load weights_only=True) rejects '
            f'({reason}). Checkpoints written by mmwsss never do; this one '
            'comes from elsewhere. Loading it would let it run code: only if '
            f'you trust it, pass --trust-checkpoint {filename}.') from e


def use_safe_checkpoint_loading(trusted: Iterable[str] = ()) -> None:
    """Install the safe loader of local checkpoints for mmengine.

    Every local checkpoint mmengine loads (``load_from``, ``--resume``,
    ``init_cfg=dict(type='Pretrained', ...)``) then goes through
    ``torch.load(..., weights_only=True)``, except the files of ``trusted``.

    Args:
        trusted (Iterable[str]): Checkpoints the user trusts to run code.
    """
    _TRUSTED.update(osp.abspath(osp.expanduser(p)) for p in trusted)
    CheckpointLoader.register_scheme(
        prefixes='', loader=_load_local, force=True)


def load_model_weights(model: torch.nn.Module, filename: str) -> None:
    """Load a checkpoint's weights into ``model``, refusing a mismatch.

    mmengine loads ``load_from`` non-strictly and only warns about missing
    or unexpected keys, so the weights of another model load "successfully"
    into a half-initialised one. This loads strictly and, on a mismatch,
    raises an error naming the file, the model and the first differing
    keys.

    Args:
        model (nn.Module): The model (a wrapper's ``module`` is used).
        filename (str): The checkpoint.
    """
    from mmengine.runner.checkpoint import _load_checkpoint
    target = model.module if hasattr(model, 'module') else model
    checkpoint = _load_checkpoint(filename, map_location='cpu')
    state = checkpoint.get('state_dict', checkpoint)
    state = {
        k[len('module.'):] if k.startswith('module.') else k: v
        for k, v in state.items()
    }
    own = target.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [
        f'{k} {tuple(state[k].shape)} vs {tuple(own[k].shape)}' for k in own
        if k in state and state[k].shape != own[k].shape
    ]
    if missing or unexpected or shapes:
        details = '; '.join(f'{name}: {", ".join(keys[:5])}'
                            f'{" ..." if len(keys) > 5 else ""}'
                            for name, keys in (('missing', missing),
                                               ('unexpected', unexpected),
                                               ('shape mismatch', shapes))
                            if keys)
        raise ValueError(f'The checkpoint {filename} does not fit the model '
                         f'{type(target).__name__} ({details}): it was '
                         'trained with another config.')
    target.load_state_dict(state, strict=True)

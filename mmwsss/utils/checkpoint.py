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
import os
import os.path as osp
import pickle
import re
import zipfile
from typing import Dict, Iterable, Optional, Sequence

import torch
from mmengine.logging import print_log
from mmengine.runner import CheckpointLoader

_TRUSTED: set = set()


class CheckpointError(RuntimeError):
    """A checkpoint that cannot or must not be loaded (named in the
    message): truncated, corrupt, or needing code to unpickle."""


def _load_local(filename: str, map_location=None):
    """mmengine's local-file loader, with ``weights_only=True``."""
    path = osp.abspath(osp.expanduser(filename))
    if not osp.isfile(path):
        raise FileNotFoundError(f'The checkpoint {filename} does not exist.')
    try:
        return torch.load(
            path, map_location=map_location, weights_only=path not in _TRUSTED)
    except (EOFError, RuntimeError, zipfile.BadZipFile) as e:
        if isinstance(e, RuntimeError) and is_complete_checkpoint(path):
            raise  # a whole archive: not a problem of the file
        reason = (str(e).strip().splitlines()
                  or [type(e).__name__])[0].split('. ')[0]
        raise CheckpointError(
            f'Cannot read the checkpoint {filename}: it is truncated or '
            f'corrupt ({reason}), e.g. cut by an interrupted save or '
            'copy.') from e
    except pickle.UnpicklingError as e:
        reason = str(e).split('WeightsUnpickler error:')[-1].strip()
        reason = reason.splitlines()[0] if reason else type(e).__name__
        raise CheckpointError(
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


def fit_state_dict(model: torch.nn.Module,
                   state: Dict[str, torch.Tensor],
                   filename: str,
                   expected: Sequence[str] = ()) -> Dict[str, torch.Tensor]:
    """Check that the weights ``state`` fit ``model``, naming what does not.

    mmengine loads ``load_from`` (and resumes) non-strictly and only warns
    about missing, unexpected or reshaped keys, so the weights of another
    model load "successfully" into a half-initialised one. This refuses
    every such key unless it matches one of the ``expected`` patterns (e.g.
    a new head); those are left out of the returned weights, so that the
    model keeps its own (initial) values for them.

    Args:
        model (nn.Module): The model (a wrapper's ``module`` is used).
        state (dict): The checkpoint's weights (``module.`` prefixes are
            removed).
        filename (str): The checkpoint, for the message.
        expected (Sequence[str]): Regular expressions (``re.fullmatch``) of
            the keys allowed to be missing, unexpected or of another shape.
            Defaults to ().

    Returns:
        dict: The weights to load.

    Raises:
        ValueError: Naming the file, the model and the first keys of each
            kind of mismatch.
    """
    target = model.module if hasattr(model, 'module') else model
    state = {
        k[len('module.'):] if k.startswith('module.') else k: v
        for k, v in state.items()
    }
    own = target.state_dict()

    def allowed(key: str) -> bool:
        return any(re.fullmatch(p, key) for p in expected)

    missing = [k for k in own if k not in state and not allowed(k)]
    unexpected = [k for k in state if k not in own and not allowed(k)]
    reshaped = [
        k for k in own if k in state and state[k].shape != own[k].shape
    ]
    shapes = [
        f'{k} {tuple(state[k].shape)} vs {tuple(own[k].shape)}'
        for k in reshaped if not allowed(k)
    ]
    if missing or unexpected or shapes:
        details = '; '.join(f'{name}: {", ".join(keys[:5])}'
                            f'{" ..." if len(keys) > 5 else ""}'
                            for name, keys in (('missing', missing),
                                               ('unexpected', unexpected),
                                               ('shape mismatch', shapes))
                            if keys)
        raise ValueError(
            f'The checkpoint {filename} does not fit the model '
            f'{type(target).__name__} ({details}): it was trained with '
            'another config. If these layers are meant to start anew (e.g. '
            'a new head), list them in default_hooks.safe_checkpoint.'
            'expected_mismatch.')
    return {k: v for k, v in state.items() if k in own and k not in reshaped}


def load_model_weights(model: torch.nn.Module, filename: str) -> None:
    """Load a checkpoint's weights into ``model``, refusing a mismatch.

    Strictly: see :func:`fit_state_dict`. The file is read by mmengine's
    :class:`CheckpointLoader`, so a local one goes through the safe loader of
    :func:`use_safe_checkpoint_loading` once it is installed.

    Args:
        model (nn.Module): The model (a wrapper's ``module`` is used).
        filename (str): The checkpoint.
    """
    target = model.module if hasattr(model, 'module') else model
    checkpoint = CheckpointLoader.load_checkpoint(
        filename, map_location='cpu', logger=None)
    state = fit_state_dict(target, checkpoint.get('state_dict', checkpoint),
                           filename)
    target.load_state_dict(state, strict=True)


#: The periodic checkpoints of mmengine's CheckpointHook.
_PERIODIC = re.compile(r'^(?:epoch|iter)_(\d+)\.pth$')


def is_complete_checkpoint(path: str) -> bool:
    """Whether ``path`` is a whole checkpoint file.

    ``torch.save`` writes a zip archive whose directory is at its end, so a
    file cut by a kill (or a full disk) has no readable directory.

    Args:
        path (str): The file.

    Returns:
        bool: True if the file exists and its archive directory is readable.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return bool(archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def find_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The newest complete checkpoint to resume the run of ``work_dir`` from.

    That is the file named by ``work_dir/last_checkpoint`` if it is
    complete (the file of that name in ``work_dir`` first: the pointer holds
    an absolute path, which in a copied work dir names the original's),
    else (with a warning) the complete ``epoch_N.pth`` /
    ``iter_N.pth`` of ``work_dir`` with the highest N, e.g. after a kill
    during a save of an older mmengine, or between the save and the update of
    ``last_checkpoint``.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str, optional: The checkpoint, or None if the run saved none.

    Raises:
        FileNotFoundError: If ``last_checkpoint`` names a checkpoint but no
            complete one is left.
    """
    pointer = osp.join(work_dir, 'last_checkpoint')
    named = None
    if osp.isfile(pointer):
        with open(pointer) as f:
            named = f.read().strip() or None
        # mmengine writes an absolute path: in a copied or moved work dir it
        # names the original's file; the copy's own file comes first
        for path in (osp.join(work_dir, osp.basename(named or '')), named):
            if named and is_complete_checkpoint(path):
                return path
    steps = []
    if osp.isdir(work_dir):
        for name in os.listdir(work_dir):
            match = _PERIODIC.match(name)
            if match:
                steps.append((int(match.group(1)), osp.join(work_dir, name)))
    for _, path in sorted(steps, reverse=True):
        if is_complete_checkpoint(path):
            if named is not None:
                print_log(
                    f'{pointer} names {named}, which is missing or '
                    f'incomplete: resuming from {path}, the newest complete '
                    'checkpoint.',
                    logger='current',
                    level=30)
            return path
    if named is not None or steps:
        raise FileNotFoundError(
            f'Cannot resume the run of {work_dir}: it has no complete '
            f'checkpoint ({pointer} names {named}).')
    return None

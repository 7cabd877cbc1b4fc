"""Checkpoints: verified before they load, loaded without running code.

Every checkpoint is read by mmengine's own loader (``load_from``,
``--resume``, ``init_cfg``, the tools' weights), i.e. by ``torch.load``
with its default since torch 2.6 (mmwsss's minimum),
``weights_only=True``: a file that needs code to unpickle does not load.
Before the checkpoint of ``load_from`` or ``--resume`` (see
:class:`mmwsss.engine.hooks.SafeCheckpointHook`) or the weights of a tool
(:func:`read_checkpoint`) are read, :func:`verify_checkpoint` refuses, with
one line naming the file, a checkpoint that is truncated, whose bytes do not
match the checksum training wrote beside it (``epoch_N.pth.sha256``, see
:class:`mmwsss.utils.AtomicLocalBackend`), or that needs code to unpickle
(e.g. written by another codebase) unless the user trusts it
(``--trust-checkpoint PATH`` of the tools, :func:`trust_checkpoints`): the
classes a trusted file names are then allowed for its ``weights_only``
load. A checkpoint without a checksum file (converted weights, other
codebases' files, older runs) loads as before; ``--resume`` passes over a
checkpoint that fails the checks (:func:`find_resume_checkpoint`).
"""
import importlib
import os
import os.path as osp
import pickle
import re
import zipfile
from typing import Any, Dict, Iterable, List, Optional, Sequence

import torch
from mmengine.logging import print_log
from mmengine.runner import CheckpointLoader

from .io import checksum_path, file_digest

#: The checkpoints the user trusts to run code (absolute paths).
_TRUSTED: set = set()


class CheckpointError(RuntimeError):
    """A checkpoint that cannot or must not be loaded (named in the
    message): truncated, corrupt, or needing code to unpickle."""


def trust_checkpoints(paths: Iterable[str]) -> None:
    """Let the checkpoints ``paths`` name classes to build when loaded.

    Args:
        paths (Iterable[str]): Checkpoints the user trusts to run code
            (``--trust-checkpoint``).
    """
    _TRUSTED.update(osp.abspath(osp.expanduser(p)) for p in paths)


def _find_global(name: str, filename: str) -> Any:
    """The object of the pickle global ``name`` (``module.qualname``)."""
    parts = name.split('.')
    for split in range(len(parts) - 1, 0, -1):
        try:
            found = importlib.import_module('.'.join(parts[:split]))
        except ImportError:
            continue
        try:
            for attr in parts[split:]:
                found = getattr(found, attr)
        except AttributeError:
            break
        return found
    raise CheckpointError(f'Cannot load the trusted checkpoint {filename}: '
                          f'it needs {name}, which cannot be imported.')


def _refusal(filename: str, reason: str) -> CheckpointError:
    """The error of a checkpoint that needs code to unpickle."""
    return CheckpointError(
        f'Refusing to load the checkpoint {filename}: it holds objects that '
        f'a safe load (torch.load weights_only=True) rejects ({reason}). '
        'Checkpoints written by mmwsss never do; this one comes from '
        'elsewhere. Loading it would let it run code: only if you trust it, '
        f'pass --trust-checkpoint {filename}.')


def verify_checkpoint(filename: str) -> List[Any]:
    """Refuse a local checkpoint that must not be loaded, naming it.

    A file is refused if it is missing, truncated (a ``torch.save`` zip
    archive without its directory, which is written last), does not match
    its checksum file (:func:`~mmwsss.utils.io.checksum_path`, if there is
    one), or names classes that ``weights_only`` loading does not build,
    unless the user trusts it (:func:`trust_checkpoints`). A URL is left to
    mmengine.

    Args:
        filename (str): The checkpoint.

    Returns:
        list: The classes (and functions) that a trusted checkpoint names
        beyond torch's ``weights_only`` allowlist, to allow for its load
        (``torch.serialization.safe_globals``); empty for every other file.

    Raises:
        FileNotFoundError: If the file does not exist.
        CheckpointError: If the file is truncated, corrupt or untrusted
            with classes to build.
    """
    if '://' in filename:
        return []
    path = osp.abspath(osp.expanduser(filename))
    if not osp.isfile(path):
        raise FileNotFoundError(f'The checkpoint {filename} does not exist.')
    with open(path, 'rb') as f:
        head = f.read(2)
    archive = head == b'PK'  # else torch's format before 1.6, or garbage
    if not head or archive and not is_complete_checkpoint(path):
        raise CheckpointError(
            f'Cannot read the checkpoint {filename}: it is truncated or '
            'corrupt (no archive directory at its end), e.g. cut by an '
            'interrupted save or copy.')
    checksum = checksum_path(path)
    if osp.isfile(checksum):
        with open(checksum) as f:
            expected = (f.read().split() or [''])[0]
        if file_digest(path) != expected:
            raise CheckpointError(
                f'The checkpoint {filename} is corrupt: its SHA-256 differs '
                f'from the one saved with it in {checksum_path(filename)} '
                '(its bytes changed after it was written, e.g. by a disk or '
                'copy error).')
    if not archive:
        return []
    unsafe = sorted(torch.serialization.get_unsafe_globals_in_checkpoint(
        path))
    if not unsafe:
        return []
    if path not in _TRUSTED:
        raise _refusal(filename, ', '.join(unsafe))
    return [_find_global(name, filename) for name in unsafe]


def read_checkpoint(filename: str, map_location: Any = 'cpu') -> Any:
    """Verify a checkpoint, then read it with mmengine's loader.

    Args:
        filename (str): The checkpoint (a local file or an mmengine URL).
        map_location (Any): As for ``torch.load``. Defaults to 'cpu'.

    Returns:
        Any: The checkpoint (a dict).

    Raises:
        FileNotFoundError: If the file does not exist.
        CheckpointError: See :func:`verify_checkpoint`.
    """
    allowed = verify_checkpoint(filename)
    try:
        with torch.serialization.safe_globals(allowed):
            return CheckpointLoader.load_checkpoint(
                filename, map_location=map_location, logger=None)
    except pickle.UnpicklingError as e:  # a file of torch's format < 1.6
        reason = str(e).split('WeightsUnpickler error:')[-1].strip()
        raise _refusal(filename, (reason.splitlines() or [''])[0]) from e


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

    The file is verified and read by :func:`read_checkpoint`, the weights
    checked by :func:`fit_state_dict` and loaded strictly.

    Args:
        model (nn.Module): The model (a wrapper's ``module`` is used).
        filename (str): The checkpoint.
    """
    target = model.module if hasattr(model, 'module') else model
    checkpoint = read_checkpoint(filename)
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


def _problem(path: str) -> Optional[str]:
    """Why the checkpoint ``path`` cannot be resumed from, or None."""
    try:
        verify_checkpoint(path)
    except (OSError, CheckpointError) as e:
        return str(e)
    return None


def last_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``work_dir/last_checkpoint`` names, as written.

    mmengine writes the path it saved to, which in a copied or moved work
    dir names the original's file; the file of that name in ``work_dir``
    then stands for it (see :func:`find_resume_checkpoint`).

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str, optional: The path, or None without a (non-empty) pointer.
    """
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        return f.read().strip() or None


def find_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The newest good checkpoint to resume the run of ``work_dir`` from.

    That is the file named by ``work_dir/last_checkpoint`` if it passes
    :func:`verify_checkpoint` (the file of that name in ``work_dir`` first:
    the pointer holds an absolute path, which in a copied work dir names the
    original's), else (with a one-line warning) the newest written good
    ``epoch_N.pth`` / ``iter_N.pth`` of ``work_dir`` (by modification time,
    then N: an ``iter_N.pth`` saved on SIGTERM in the middle of an epoch
    and the ``epoch_N.pth`` files count N in other units), e.g. after a kill
    during a save of an older mmengine, between the save and the update of
    ``last_checkpoint``, or when the newest one no longer matches its
    checksum.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str, optional: The checkpoint, or None if the run saved none.

    Raises:
        FileNotFoundError: If ``last_checkpoint`` names a checkpoint but no
            good one is left.
    """
    pointer = osp.join(work_dir, 'last_checkpoint')
    named, problem = last_checkpoint(work_dir), None
    if named is not None:
        # mmengine writes an absolute path: in a copied or moved work dir it
        # names the original's file; the copy's own file comes first
        for path in (osp.join(work_dir, osp.basename(named)), named):
            problem = _problem(path)
            if problem is None:
                return path
    steps = []
    if osp.isdir(work_dir):
        for name in os.listdir(work_dir):
            match = _PERIODIC.match(name)
            if match:
                path = osp.join(work_dir, name)
                steps.append(
                    (os.stat(path).st_mtime_ns, int(match.group(1)), path))
    for *_, path in sorted(steps, reverse=True):
        if _problem(path) is None:
            if named is not None:
                print_log(
                    f'{pointer} names {named}, which cannot be resumed '
                    f'from ({problem}): resuming from '
                    f'{path}, the newest good checkpoint.',
                    logger='current',
                    level=30)
            return path
    if named is not None or steps:
        raise FileNotFoundError(
            f'Cannot resume the run of {work_dir}: it has no complete '
            f'checkpoint that matches its checksum ({pointer} names '
            f'{named}).')
    return None

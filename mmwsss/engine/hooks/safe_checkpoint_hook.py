"""Checkpoints that load with ``torch.load(..., weights_only=True)``."""
import random
from typing import Any, List, Sequence

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmengine.runner import BaseLoop
from torch.utils.data import DataLoader

from mmwsss.registry import HOOKS
from mmwsss.utils import fit_state_dict, verify_checkpoint

#: Marks a history buffer stored as plain tensors.
_BUFFER_TAG = '__history_buffer__'


def pretrained_checkpoints(cfg: Any) -> List[str]:
    """The checkpoints of the ``Pretrained`` ``init_cfg`` of a model config.

    Args:
        cfg (Any): A model config (dicts and lists, nested).

    Returns:
        list[str]: The ``checkpoint`` of every ``init_cfg`` (a dict or a
        list of them) of type ``Pretrained``, in the config's order.
    """
    found = []
    if isinstance(cfg, dict):
        inits = cfg.get('init_cfg') or []
        for init in inits if isinstance(inits, list) else [inits]:
            if isinstance(init, dict) and init.get('type') == 'Pretrained':
                found.append(init.get('checkpoint'))
        cfg = [v for k, v in cfg.items() if k != 'init_cfg']
    if isinstance(cfg, (list, tuple)):
        for value in cfg:
            found += pretrained_checkpoints(value)
    return found


def to_plain(value: Any) -> Any:
    """Replace numpy values by Python / torch ones, recursively.

    Args:
        value (Any): A value of a checkpoint (dicts, lists, tuples, numpy
            scalars and arrays, history buffers, ...).

    Returns:
        Any: The same structure made of types ``weights_only`` loading
        accepts.
    """
    if isinstance(value, HistoryBuffer):
        log, count = value.data
        return {
            _BUFFER_TAG: True,
            'log': torch.from_numpy(np.asarray(log, dtype=np.float64)),
            'count': torch.from_numpy(np.asarray(count, dtype=np.float64)),
            'max_length': int(value.max_length)
        }
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return type(value)((k, to_plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(to_plain(v) for v in value)
    return value


def from_plain(value: Any) -> Any:
    """Rebuild the history buffers stored by :func:`to_plain`."""
    if isinstance(value, dict):
        if value.get(_BUFFER_TAG):
            return HistoryBuffer(value['log'].numpy(), value['count'].numpy(),
                                 value['max_length'])
        return type(value)((k, from_plain(v)) for k, v in value.items())
    return value


def rng_state() -> dict:
    """The states of Python's, numpy's and torch's generators, plainly."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    state = dict(
        python=random.getstate(),
        numpy=(name, torch.from_numpy(keys.astype(np.int64)), int(pos),
               int(has_gauss), float(cached)),
        torch=torch.get_rng_state())
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    """Restore the generators saved by :func:`rng_state`."""
    random.setstate(state['python'])
    name, keys, pos, has_gauss, cached = state['numpy']
    np.random.set_state(
        (name, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@HOOKS.register_module()
class SafeCheckpointHook(Hook):
    """Save checkpoints that need no trust to load, and resume exactly.

    mmengine pickles its message hub (history buffers, numpy scalars), so its
    checkpoints only load with ``weights_only=False``, i.e. by trusting the
    file to run code. This hook stores those entries as tensors and plain
    Python values before a checkpoint is written, and rebuilds them after
    one is loaded, so that training checkpoints, including ``--resume``,
    load with the safe default of torch >= 2.6, ``weights_only=True``.

    It also saves the states of the random generators (Python, numpy, torch)
    and restores them on ``--resume``, so that a run interrupted and resumed
    from a checkpoint continues with the random numbers the uninterrupted
    run would have drawn (dropout, the random pixels of the contrast). The
    data order and the augmentations do not depend on them: the samplers
    seed the order by epoch, and the ``Keyed*Sampler`` of the configs key
    each sample's augmentation (see :mod:`mmwsss.datasets.keyed_sampler`).
    For the same reason it gives every data loader of the run a generator of
    its own: PyTorch draws a number from the global generator each time a
    loader starts its workers, i.e. every epoch, or once per run with
    ``persistent_workers=True``, so that the workers' count and persistence
    and an interruption would change the model's random numbers.

    Before the runner loads ``load_from`` (or resumes from it), the file is
    verified (:func:`mmwsss.utils.verify_checkpoint`): a truncated or
    corrupt checkpoint, or one needing code to unpickle that the user does
    not trust, is refused with one line naming it; the classes a trusted
    one names are allowed for the ``weights_only`` loads of the run. Before
    a training run initialises its model, so are the local checkpoints of
    its ``Pretrained`` initialisations (e.g. a stage-1 classifier that
    initialises a stage-2 backbone). Every
    checkpoint the runner loads must fit the model: a missing, unexpected or
    reshaped key is an error naming it (mmengine only warns), unless it
    matches ``expected_mismatch``.

    Args:
        expected_mismatch (Sequence[str]): Regular expressions of the keys
            that may be missing, unexpected or of another shape in a loaded
            checkpoint (e.g. ``['decode_head\\.conv_seg\\..*']`` to start
            a new head); the model keeps its initial values for them.
            Defaults to ().
    """

    priority = 'VERY_LOW'

    def __init__(self, expected_mismatch: Sequence[str] = ()) -> None:
        self.expected_mismatch = tuple(expected_mismatch)

    def before_run(self, runner) -> None:
        """Verify the checkpoints the runner is to load, if any."""
        checkpoints = [runner.cfg.get('load_from')]
        if isinstance(getattr(runner, '_train_loop', None), BaseLoop):
            # training: the model is initialised next
            checkpoints += pretrained_checkpoints(runner.cfg.get('model'))
        for checkpoint in filter(None, checkpoints):
            torch.serialization.add_safe_globals(
                verify_checkpoint(checkpoint))

    def before_train(self, runner) -> None:
        """Give the train and validation loaders their own generators."""
        loops = (runner.train_loop, runner.val_loop)
        for loop in loops:
            dataloader = getattr(loop, 'dataloader', None)
            if isinstance(dataloader, DataLoader) and \
                    dataloader.generator is None:
                dataloader.generator = torch.Generator().manual_seed(
                    runner.seed)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Make ``checkpoint`` plain in place and add the generator states."""
        for key in ('message_hub', 'meta'):
            if key in checkpoint:
                checkpoint[key] = to_plain(checkpoint[key])
        checkpoint['rng_state'] = rng_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Check the weights; rebuild the message hub; on resume, restore
        the generators."""
        if 'state_dict' in checkpoint:
            checkpoint['state_dict'] = fit_state_dict(
                runner.model, checkpoint['state_dict'],
                runner.cfg.get('load_from') or 'being loaded',
                self.expected_mismatch)
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = from_plain(checkpoint['message_hub'])
        if runner.cfg.get('resume', False) and 'rng_state' in checkpoint:
            set_rng_state(checkpoint['rng_state'])

"""Augmentation randomness keyed to (seed, epoch, sample index).

PyTorch's data loader seeds each worker process once; the random transforms
of a sample then draw from its worker's generators, whose state depends on
the number of workers, on which worker got the sample and on everything the
worker drew before. A run resumed from a checkpoint starts fresh workers
(``persistent_workers=True`` keeps them across epochs in the uninterrupted
run) and so draws other augmentations; 0, 2 or 4 workers train differently.

The samplers here yield, instead of a bare index, a :class:`SampleKey`
``(index, seed, epoch)``. A dataset that understands it (see
:class:`~mmwsss.datasets.VOCClsDataset`) runs its pipeline under
:func:`keyed_randomness`: Python's, numpy's and torch's (CPU) global
generators are seeded from the key for the duration of the sample and
restored afterwards. Every random transform (mmwsss's, mmcv's and mmseg's,
which all draw from these generators) then depends only on the key, not on
the worker, the number of workers, the process (rank) or the history, so

- a run killed and resumed draws the same augmentations as an uninterrupted
  one, with persistent workers too;
- 0, 2 or 4 workers give the same batches;
- N processes with batch B see, per step, the same augmented samples as one
  process with batch N x B.
"""
import random
from contextlib import contextmanager
from typing import Iterator, NamedTuple

import numpy as np
import torch
from mmengine.dataset import DefaultSampler, InfiniteSampler

from mmwsss.registry import DATA_SAMPLERS


class SampleKey(NamedTuple):
    """The index of a sample and the key of its augmentation randomness.

    Attributes:
        index (int): Index into the dataset.
        seed (int): The run's seed (the sampler's).
        epoch (int): The epoch (an infinite sampler's pass over the data).
    """
    index: int
    seed: int
    epoch: int


@contextmanager
def keyed_randomness(key: SampleKey) -> Iterator[None]:
    """Seed the global generators from ``key`` for the enclosed code.

    Python's ``random``, numpy's global generator and torch's default CPU
    generator are seeded from ``(seed, epoch, index)`` through numpy's
    :class:`~numpy.random.SeedSequence` (independent streams for any keys)
    and restored to their previous states on exit, so that loading in the
    main process (``num_workers=0``) leaves its random numbers untouched.

    Args:
        key (SampleKey): The sample's key.
    """
    words = np.random.SeedSequence(
        [key.seed % (1 << 64), key.epoch, key.index]).generate_state(4)
    states = (random.getstate(), np.random.get_state(),
              torch.default_generator.get_state())
    try:
        random.seed(int.from_bytes(words.tobytes(), 'little'))
        np.random.seed(words)
        torch.default_generator.manual_seed(
            int(words[0]) << 32 | int(words[1]))
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.default_generator.set_state(states[2])


@DATA_SAMPLERS.register_module()
class KeyedDefaultSampler(DefaultSampler):
    """mmengine's :class:`~mmengine.dataset.DefaultSampler` whose indices
    carry the key of their augmentation randomness.

    The order of the samples and their split across ranks are
    :class:`DefaultSampler`'s; each index is yielded as
    ``SampleKey(index, seed, epoch)`` (see the module docstring).
    """

    def __iter__(self) -> Iterator[SampleKey]:
        for index in super().__iter__():
            yield SampleKey(int(index), self.seed, self.epoch)


@DATA_SAMPLERS.register_module()
class KeyedInfiniteSampler(InfiniteSampler):
    """mmengine's :class:`~mmengine.dataset.InfiniteSampler` (iteration-based
    training) whose indices carry the key of their augmentation randomness.

    The infinite stream is :class:`InfiniteSampler`'s; the ``epoch`` of a
    key is the number of the pass over the dataset that the index belongs to
    (counted over all ranks, so that it does not depend on their number).
    """

    def _infinite_indices(self) -> Iterator[SampleKey]:
        """The infinite stream of keys, before the split across ranks."""
        for position, index in enumerate(super()._infinite_indices()):
            yield SampleKey(int(index), self.seed, position // self.size)

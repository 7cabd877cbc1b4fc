"""Sharing a machine's cores between processes.

torch's CPU operators run on an OpenMP thread pool with one thread per core
by default, and GNU OpenMP (torch's on Linux) lets the threads of a finished
parallel region spin for a while before they sleep. Two such processes on
the same cores spend those spins on the cores the other one needs: on two
cores, two EfficientNet-Lite0 EPS trainings took 2.1-2.3 s per step each,
against 0.78 s alone (``benchmarks/shared_cores.py``). Each process on cores
of its own with as many threads as cores avoids it, and these small
convolutions use one core better than two: the same two trainings pinned
to one core each took 1.10 s per step each (see README, "Sharing a
machine").
"""
import os
from typing import List, Optional, Sequence

import torch


def available_cores() -> List[int]:
    """The cores this process may run on (all of them where the system does
    not say)."""
    if hasattr(os, 'sched_getaffinity'):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def split_cores(processes: int,
                cores: Optional[Sequence[int]] = None) -> List[List[int]]:
    """Disjoint core sets of about equal size for ``processes`` processes.

    Args:
        processes (int): Number of sets, at least 1.
        cores (Sequence[int], optional): The cores to share. Defaults to
            :func:`available_cores`.

    Returns:
        list[list[int]]: One non-empty list of cores per process.

    Raises:
        ValueError: If there are fewer cores than processes.
    """
    cores = list(available_cores() if cores is None else cores)
    if not isinstance(processes, int) or not 1 <= processes <= len(cores):
        raise ValueError(f'processes must be an integer from 1 to the '
                         f'{len(cores)} cores this process may use, got '
                         f'{processes!r}.')
    return [cores[i::processes] for i in range(processes)]


def use_cores(cores: Sequence[int]) -> None:
    """Run this process on ``cores`` alone, with one torch thread each.

    Where the system cannot pin a process to cores, only the thread count
    is set.
    """
    if hasattr(os, 'sched_setaffinity'):
        os.sched_setaffinity(0, cores)
    torch.set_num_threads(len(cores))


def busy_cores_warning() -> Optional[str]:
    """A one-line warning if other processes already keep cores busy.

    The one-minute load average counts the runnable processes; when it
    reaches half the cores while this process has just started, a second
    heavy job probably shares them, and OpenMP threads that spin for the
    same cores slow both.

    Returns:
        str, optional: The warning, or None.
    """
    if not hasattr(os, 'getloadavg') or \
            os.environ.get('OMP_NUM_THREADS') or \
            os.environ.get('OMP_WAIT_POLICY', '').upper() == 'PASSIVE':
        return None
    load, cores = os.getloadavg()[0], len(available_cores())
    if load < max(1., cores / 2):
        return None
    return (f'{load:.1f} processes were running on the {cores} cores of '
            'this machine in the last minute: jobs sharing cores slow each '
            'other down several times. Give each job its own cores (e.g. '
            'taskset -c 0 and OMP_NUM_THREADS=1) or set '
            'OMP_WAIT_POLICY=PASSIVE; see README, "Sharing a machine".')

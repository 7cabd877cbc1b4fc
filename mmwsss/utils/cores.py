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
import time
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


def _busy_seconds(cores: Sequence[int]) -> Optional[float]:
    """CPU seconds that ``cores`` have spent busy since boot, from
    ``/proc/stat`` (None where the system has no such file)."""
    try:
        with open('/proc/stat') as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    wanted = {f'cpu{core}' for core in cores}
    # user nice system idle iowait irq softirq steal: all but idle, iowait
    ticks = sum(
        sum(map(int, fields[1:4] + fields[6:9]))
        for fields in map(str.split, lines) if fields and fields[0] in wanted)
    return ticks / os.sysconf('SC_CLK_TCK')


def busy_cores_warning(seconds: float = 0.3) -> Optional[str]:
    """A one-line warning if other processes keep this process's cores busy.

    For ``seconds``, the time the cores this process may use spend busy is
    measured (``/proc/stat``) and this process's own CPU time is taken off.
    When the rest fills three quarters of half the cores (of one core where
    there are fewer than two), another heavy job shares them, and OpenMP
    threads that spin for the same cores slow both. Jobs that have ended do
    not count (a load average would still count them, and this process's
    own past work).

    Args:
        seconds (float): Length of the measurement. Defaults to 0.3.

    Returns:
        str, optional: The warning, or None (also where ``OMP_NUM_THREADS``
        or ``OMP_WAIT_POLICY=PASSIVE`` is set, or the system does not say).
    """
    if os.environ.get('OMP_NUM_THREADS') or \
            os.environ.get('OMP_WAIT_POLICY', '').upper() == 'PASSIVE':
        return None
    cores = available_cores()
    busy, own, wall = (_busy_seconds(cores), time.process_time(),
                       time.monotonic())
    if busy is None:
        return None
    time.sleep(seconds)
    others = (_busy_seconds(cores) - busy - time.process_time() + own) / (
        time.monotonic() - wall)
    if others < 0.75 * max(1., len(cores) / 2):
        return None
    return (f'other processes kept {others:.1f} of the {len(cores)} cores '
            'of this process busy at its start: jobs sharing cores slow '
            'each other down several times. Give each job its own cores '
            '(e.g. taskset -c 0 and OMP_NUM_THREADS=1) or set '
            'OMP_WAIT_POLICY=PASSIVE; see README, "Sharing a machine".')

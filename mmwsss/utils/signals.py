"""Stopping long jobs cleanly on SIGTERM (preemption) and SIGINT (Ctrl-C).

A job notes the signal with a :class:`SignalCatcher`, finishes the unit of
work in hand (a training iteration, an image) and stops with exit status
``128 + signal`` (143 for SIGTERM, 130 for SIGINT); its data loader workers
ignore the signals meant for the job (:func:`shield_workers`).
"""
import os
import signal
import threading
from functools import partial
from typing import Callable, Dict, Optional, Sequence, Tuple

from torch.utils.data import DataLoader

#: The signals a job stops on by default.
STOP_SIGNALS = ('SIGTERM', 'SIGINT')


def _exit_on_sigterm_of_parent() -> None:
    """Wait for SIGTERM (blocked); exit when the parent process sent it."""
    while True:
        if signal.sigwaitinfo({signal.SIGTERM}).si_pid == os.getppid():
            os._exit(0)


def ignore_signals_in_worker(worker_id: int, signals: Tuple[int, ...],
                             init_fn: Optional[Callable[[int], None]]) -> None:
    """A data loader worker's init function: ignore ``signals`` from other
    processes than the main one, then run ``init_fn`` (the loader's own).

    A scheduler's SIGTERM (Slurm signals every process of a job) or a
    Ctrl-C in a terminal (every process of the foreground group) reaches
    the workers too; a worker killed by it would stop the main process in
    the middle of its work. The main process still ends its workers with
    SIGTERM (as PyTorch's own handler of the workers allows): SIGTERM is
    blocked and a thread waits for it, exiting when the main process sent
    it.
    """
    for signum in signals:
        if signum == signal.SIGTERM:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signum})
            threading.Thread(
                target=_exit_on_sigterm_of_parent, daemon=True).start()
        else:
            signal.signal(signum, signal.SIG_IGN)
    if init_fn is not None:
        init_fn(worker_id)


def shield_workers(dataloader: object, signals: Sequence[int]) -> None:
    """Make the workers that ``dataloader`` starts from now on ignore
    ``signals`` (:func:`ignore_signals_in_worker`); nothing for a loader
    without workers."""
    if isinstance(dataloader, DataLoader) and dataloader.num_workers:
        dataloader.worker_init_fn = partial(
            ignore_signals_in_worker,
            signals=tuple(signals),
            init_fn=dataloader.worker_init_fn)


class SignalCatcher:
    """Note the first of ``signals`` instead of dying of it.

    :meth:`install` replaces the handlers (in the main thread only; a
    catcher elsewhere catches nothing), :meth:`restore` puts the previous
    ones back; used as a context manager it does both. After the first
    signal the previous handlers are back, so a second one acts as without
    the catcher.

    Args:
        signals (Sequence[str]): Names of the signals. Defaults to
            :data:`STOP_SIGNALS`.
    """

    def __init__(self, signals: Sequence[str] = STOP_SIGNALS) -> None:
        unknown = [s for s in signals if s not in signal.Signals.__members__]
        if unknown:
            raise ValueError(f'Unknown signals {unknown}.')
        self.signals = tuple(signal.Signals[s] for s in signals)
        self.received: Optional[signal.Signals] = None
        self._previous: Dict[signal.Signals, object] = {}

    def _receive(self, signum: int, frame) -> None:
        """Note the signal; the next one acts as without the catcher."""
        self.received = signal.Signals(signum)
        self.restore()

    def install(self) -> 'SignalCatcher':
        """Catch the signals from now on (nothing received yet)."""
        self.received = None
        if threading.current_thread() is threading.main_thread():
            for signum in self.signals:
                self._previous[signum] = signal.signal(signum, self._receive)
        return self

    def restore(self) -> None:
        """Restore the handlers replaced by :meth:`install` (if any)."""
        for signum, handler in self._previous.items():
            signal.signal(signum,
                          signal.SIG_DFL if handler is None else handler)
        self._previous.clear()

    def __enter__(self) -> 'SignalCatcher':
        return self.install()

    def __exit__(self, *exc) -> None:
        self.restore()

import multiprocessing
import os
import signal
import subprocess
import threading
import time

import pytest
from torch.utils.data import DataLoader

from mmwsss.utils.signals import (SignalCatcher, ignore_signals_in_worker,
                                  shield_workers)


def test_catcher_notes_the_first_signal_and_restores_the_handlers():
    previous = signal.getsignal(signal.SIGTERM)
    with SignalCatcher() as catcher:
        assert catcher.received is None
        os.kill(os.getpid(), signal.SIGTERM)
        assert catcher.received == signal.SIGTERM
        # the first signal gave the handlers back: a second one is not caught
        assert signal.getsignal(signal.SIGTERM) is previous
    assert signal.getsignal(signal.SIGTERM) is previous
    with pytest.raises(ValueError, match='SIGTREM'):
        SignalCatcher(('SIGTERM', 'SIGTREM'))


def test_catcher_outside_the_main_thread_catches_nothing():
    previous = signal.getsignal(signal.SIGINT)
    seen = []
    thread = threading.Thread(
        target=lambda: seen.append(SignalCatcher().install()._previous))
    thread.start()
    thread.join()
    assert seen == [{}] and signal.getsignal(signal.SIGINT) is previous


def test_shield_workers_wraps_the_loaders_init_function():
    def init(worker_id):
        pass

    loader = DataLoader(range(4), num_workers=2, worker_init_fn=init)
    shield_workers(loader, (signal.SIGTERM, ))
    assert loader.worker_init_fn.func is ignore_signals_in_worker
    assert loader.worker_init_fn.keywords['init_fn'] is init
    plain = DataLoader(range(4))
    shield_workers(plain, (signal.SIGTERM, ))  # no workers: nothing to do
    assert plain.worker_init_fn is None


def _worker(ready) -> None:
    ignore_signals_in_worker(
        0, (signal.SIGTERM, signal.SIGINT), init_fn=lambda _: ready.set())
    time.sleep(60)


def test_workers_ignore_signals_of_others_but_not_of_the_main_process():
    ready = multiprocessing.get_context('fork').Event()
    worker = multiprocessing.get_context('fork').Process(
        target=_worker, args=(ready, ))
    worker.start()
    try:
        assert ready.wait(30)
        for name in ('TERM', 'INT'):  # as a scheduler or Ctrl-C sends them
            subprocess.run(['kill', f'-{name}', str(worker.pid)], check=True)
        worker.join(1)
        assert worker.is_alive()
        worker.terminate()  # SIGTERM of the main process
        worker.join(10)
        assert worker.exitcode == 0
    finally:
        if worker.is_alive():
            worker.kill()

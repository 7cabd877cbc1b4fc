import json
import logging
import os
import socket
import subprocess
import sys

import pytest
from mmengine.logging import MMLogger

from mmwsss.utils import FolderLockedError, folder_lock


def _dead_pid() -> int:
    """The PID of a process that has ended."""
    proc = subprocess.Popen([sys.executable, '-c', 'pass'])
    proc.wait()
    return proc.pid


def _write_lock(folder, **holder) -> None:
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, '.lock'), 'w') as f:
        json.dump(holder, f)


def test_lock_names_the_holder_and_is_released(tmp_path):
    folder = str(tmp_path / 'run')
    with folder_lock(folder) as path:
        assert path == os.path.join(folder, '.lock')
        with open(path) as f:
            holder = json.load(f)
        assert holder['pid'] == os.getpid()
        assert holder['host'] == socket.gethostname()
        with pytest.raises(FolderLockedError) as refused:
            with folder_lock(folder):
                pass
        message = str(refused.value)
        assert f'process {os.getpid()} on' in message
        assert holder['start'] in message and '\n' not in message
    assert not os.path.exists(path)
    with folder_lock(folder):  # free again
        pass


def test_lock_is_released_on_an_error(tmp_path):
    with pytest.raises(SystemExit):
        with folder_lock(str(tmp_path)):
            raise SystemExit(143)
    assert not os.path.exists(tmp_path / '.lock')


def test_a_running_process_keeps_its_lock(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, '-c', 'import time; time.sleep(60)'])
    try:
        _write_lock(
            tmp_path,
            pid=holder.pid,
            host=socket.gethostname(),
            start='2026-01-02 03:04:05')
        with pytest.raises(
                FolderLockedError,
                match=f'process {holder.pid} .* started 2026-01-02 03:04:05'):
            with folder_lock(str(tmp_path)):
                pass
    finally:
        holder.kill()
        holder.wait()
    assert os.path.exists(tmp_path / '.lock')


def test_a_stale_lock_is_taken_over_with_a_warning(tmp_path):
    pid = _dead_pid()
    _write_lock(tmp_path, pid=pid, host=socket.gethostname(), start='then')
    logger = MMLogger.get_current_instance()
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        with folder_lock(str(tmp_path)) as path:
            with open(path) as f:
                assert json.load(f)['pid'] == os.getpid()
    finally:
        logger.removeHandler(handler)
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.WARNING, f'Took over the lock {path} of process {pid} '
         '(started then), which no longer runs.')
    ]
    assert not os.path.exists(path)


def test_locks_of_another_host_or_unreadable_are_kept(tmp_path):
    _write_lock(
        tmp_path, pid=_dead_pid(), host='elsewhere.invalid', start='then')
    with pytest.raises(FolderLockedError, match='on elsewhere.invalid'):
        with folder_lock(str(tmp_path)):
            pass
    (tmp_path / '.lock').write_text('')
    with pytest.raises(FolderLockedError, match='is unreadable'):
        with folder_lock(str(tmp_path)):
            pass
    assert (tmp_path / '.lock').read_text() == ''

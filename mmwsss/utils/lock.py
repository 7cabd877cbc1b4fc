"""One process at a time in a folder: a lock file naming its holder.

A run that writes into a folder (a training work dir, an output folder)
holds ``{folder}/.lock`` while it runs, so that a second run started on the
same folder is refused instead of overwriting the first one's files. The
file holds the holder's PID, host and start time (JSON); it is created
with ``O_CREAT | O_EXCL``, so of two runs starting together one gets it.
A lock left by a process that no longer runs (same host, PID not alive:
a killed run) is taken over with a warning, by an atomic replace. A lock of
another host cannot be checked and is never taken over.
"""
import json
import logging
import os
import os.path as osp
import socket
import time
import uuid
from contextlib import contextmanager
from typing import Iterator, Optional

from mmengine.logging import print_log

from .io import atomic_write_bytes

#: The lock file of a folder.
LOCK_NAME = '.lock'


class FolderLockedError(RuntimeError):
    """The folder is in use by another process (named in the message)."""


def _read_holder(path: str) -> Optional[dict]:
    """The holder recorded in the lock file ``path``; None if the file is
    being written or unreadable.

    Raises:
        FileNotFoundError: If there is no lock file.
    """
    try:
        with open(path, 'rb') as f:
            holder = json.loads(f.read())
    except (ValueError, UnicodeDecodeError):
        return None
    return holder if isinstance(holder, dict) else None


def _is_running(pid: int) -> bool:
    """Whether a process ``pid`` runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _is_stale(holder: Optional[dict]) -> bool:
    """Whether ``holder`` is a process of this host that no longer runs."""
    return holder is not None and \
        holder.get('host') == socket.gethostname() and \
        isinstance(holder.get('pid'), int) and \
        not _is_running(holder['pid'])


def _refusal(folder: str, path: str, holder: Optional[dict]) -> str:
    """The one-line message refusing ``folder`` to a second process."""
    if holder is None:
        who = f'another process (its lock file {path} is unreadable)'
    else:
        who = (f"process {holder.get('pid')} on {holder.get('host')}, "
               f"started {holder.get('start')} (lock file {path})")
    return (f'{folder} is in use by {who}: wait for that run to end or use '
            f'another folder; if no run uses it any more, remove {path}.')


def _acquire(folder: str, path: str, own: dict) -> None:
    """Create the lock file ``path`` holding ``own``, or take over a stale
    one.

    Raises:
        FolderLockedError: If a running process holds it.
    """
    data = json.dumps(own).encode()
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                holder = _read_holder(path)
            except FileNotFoundError:  # released meanwhile
                continue
            if not _is_stale(holder):
                raise FolderLockedError(_refusal(folder, path, holder))
            atomic_write_bytes(path, data)
            taken = _read_holder(path)
            if taken != own:  # another process took it over first
                raise FolderLockedError(_refusal(folder, path, taken))
            print_log(
                f"Took over the lock {path} of process {holder['pid']} "
                f"(started {holder.get('start')}), which no longer runs.",
                logger='current',
                level=logging.WARNING)
            return
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        return


@contextmanager
def folder_lock(folder: str) -> Iterator[str]:
    """Hold the lock of ``folder`` for the enclosed block.

    The folder is created if needed. On exit, an error or a
    ``SystemExit`` included, the lock file is removed (if it is still this
    block's). Two blocks of one process on the same folder exclude each
    other too.

    Args:
        folder (str): The folder.

    Yields:
        str: The lock file, ``{folder}/.lock``.

    Raises:
        FolderLockedError: If a running process holds the folder: one line
            naming its PID, host, start time and the lock file.
    """
    os.makedirs(folder, exist_ok=True)
    path = osp.join(folder, LOCK_NAME)
    own = dict(
        pid=os.getpid(),
        host=socket.gethostname(),
        start=time.strftime('%Y-%m-%d %H:%M:%S'),
        token=uuid.uuid4().hex)
    _acquire(folder, path, own)
    try:
        yield path
    finally:
        try:
            if _read_holder(path) == own:
                os.remove(path)
        except FileNotFoundError:
            pass

"""File helpers: atomic writes and confined paths.

Every file mmwsss writes goes through :func:`atomic_open` (or
:func:`atomic_write_bytes`) so that an interrupted run (a kill, a full disk)
never leaves a half-written file under its final name, and every path built
from a name read from a file (an image id in a split list) goes through
:func:`safe_join` so that no tool reads or writes outside the folder it was
given. Training checkpoints are written the same way through the file
backend ``'atomic_local'`` (:class:`AtomicLocalBackend`), each with a
checksum file beside it (:func:`write_checksum`).
"""
import errno
import hashlib
import os
import os.path as osp
import re
import shutil
import tempfile
from contextlib import contextmanager
from typing import BinaryIO, ClassVar, Iterator, List, Union

import cv2
import numpy as np
from mmengine.fileio import LocalBackend, register_backend

PathLike = Union[str, 'os.PathLike[str]']


class DiskFullError(OSError):
    """A write that failed for want of space (or quota): the message names
    the folder and its free space."""


def _disk_full(error: OSError, folder: str, path: PathLike) -> DiskFullError:
    """The :class:`DiskFullError` of a write into ``folder`` that failed
    with ``error`` (ENOSPC or EDQUOT)."""
    try:
        free = f'{shutil.disk_usage(folder).free / 2**20:.1f} MiB free'
    except OSError:
        free = 'free space unknown'
    return DiskFullError(
        error.errno, f'No space left on the device of {folder} ({free}) '
        f'while writing {osp.basename(path)}: free some space and rerun; '
        'the files written before are kept.')


def safe_join(root: PathLike, name: str, suffix: str = '') -> str:
    """Join ``root`` and ``name + suffix``, refusing to leave ``root``.

    Args:
        root (str | PathLike): The folder the result must stay in.
        name (str): A relative name, e.g. an image id from a split list.
        suffix (str): Appended to ``name``, e.g. ``'.jpg'``. Defaults to ''.

    Returns:
        str: ``root/name+suffix``.

    Raises:
        ValueError: If ``name`` is empty, absolute, or resolves outside
            ``root`` (``..`` components, symbolic tricks in the name).
    """
    if not name or osp.isabs(name) or name != name.strip() or '\\' in name:
        raise ValueError(f'Refusing the name {name!r}: it must be a non-empty '
                         f'relative name inside {root}.')
    root_abs = osp.abspath(root)
    path = osp.abspath(osp.join(root_abs, name + suffix))
    if osp.commonpath([root_abs, path]) != root_abs or path == root_abs:
        raise ValueError(f'Refusing the name {name!r}: it leaves the folder '
                         f'{root}.')
    return path


#: The temporary files of :func:`atomic_open`: ``.{name}.{random}.tmp``.
_TEMPORARY = re.compile(r'^\..+\.[a-z0-9_]{8}\.tmp$')


def _sync_folder(folder: str) -> None:
    """Make a rename in ``folder`` durable (where the OS allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_open(path: PathLike) -> Iterator[BinaryIO]:
    """Open a binary file that appears under ``path`` only once complete.

    The bytes go to a temporary file ``.{name}.{random}.tmp`` in the same
    folder; when the block ends without error the file is flushed, synced
    and renamed over ``path`` (and the folder synced), so ``path`` holds
    either its old content or the whole new one, whenever the process is
    killed. On an error (a full disk included) the temporary file is
    removed and ``path`` is left as it was; a full disk (or quota) is
    reported as a :class:`DiskFullError` naming the folder and its free
    space. A kill leaves the temporary file behind:
    :func:`remove_temporaries` clears them.

    Args:
        path (str | PathLike): The destination file.

    Yields:
        BinaryIO: The temporary file, open for writing.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=folder, prefix='.' + osp.basename(path) + '.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        if osp.exists(tmp):
            os.remove(tmp)
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC,
                                                  errno.EDQUOT):
            raise _disk_full(e, folder, path) from e
        raise
    _sync_folder(folder)


def atomic_write_bytes(path: PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_open`).

    Args:
        path (str | PathLike): The destination file.
        data (bytes): The content.
    """
    with atomic_open(path) as f:
        f.write(data)


def file_digest(path: PathLike) -> str:
    """The SHA-256 of a file (e.g. a checkpoint), in hexadecimal."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def checksum_path(path: PathLike) -> str:
    """The checksum file of ``path``: ``path + '.sha256'``."""
    return f'{path}.sha256'


def write_checksum(path: PathLike, data: bytes) -> None:
    """Write the SHA-256 of ``data``, the bytes of ``path``, beside it.

    The file :func:`checksum_path` is written atomically in the format of
    ``sha256sum`` (``sha256sum -c epoch_3.pth.sha256`` checks it).

    Args:
        path (str | PathLike): The file whose bytes are ``data``.
        data (bytes): Its content.
    """
    line = f'{hashlib.sha256(data).hexdigest()}  {osp.basename(path)}\n'
    atomic_write_bytes(checksum_path(path), line.encode())


def atomic_write_png(path: PathLike, image: np.ndarray) -> None:
    """Write an RGB (or gray) uint8 picture as a PNG, atomically.

    Args:
        path (str | PathLike): The destination file.
        image (np.ndarray): ``(H, W, 3)`` RGB or ``(H, W)`` uint8.

    Raises:
        ValueError: If the picture cannot be encoded.
    """
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    ok, png = cv2.imencode('.png', image)
    if not ok:
        raise ValueError(f'Could not encode the picture for {path}.')
    atomic_write_bytes(path, png.tobytes())


def remove_temporaries(folder: PathLike) -> List[str]:
    """Remove the temporary files that killed writers left in ``folder``.

    Only files named like those of :func:`atomic_open`
    (``.{name}.{random}.tmp``) are removed, in ``folder`` and its
    subfolders. No writer may be running in the folder.

    Args:
        folder (str | PathLike): The folder (need not exist).

    Returns:
        list[str]: The removed files.
    """
    removed = []
    for root, _, files in os.walk(folder):
        for name in files:
            if _TEMPORARY.match(name):
                os.remove(osp.join(root, name))
                removed.append(osp.join(root, name))
    return removed


@register_backend('atomic_local')
class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend with atomic writes and safe removals.

    For training checkpoints (``default_hooks.checkpoint.backend_args =
    dict(backend='atomic_local')``): mmengine's ``CheckpointHook`` removes the
    outdated checkpoint *before* writing the new one, in place, so a kill
    during the write (``max_keep_ckpts=1``) loses every checkpoint. Here

    - :meth:`put` writes through :func:`atomic_open` (temporary file, fsync,
      rename): a checkpoint file is always complete; a checkpoint
      (``*.pth``) gets its checksum file (:func:`write_checksum`) after it,
      before mmengine moves ``last_checkpoint`` to it, and never keeps the
      checksum of the file it replaces;
    - :meth:`remove` only marks the file; the marked files (and their
      checksum files) are removed after the next :meth:`put` has completed,
      i.e. once the new checkpoint is complete (mmengine then moves
      ``last_checkpoint`` to it).
    """

    #: Files to remove after the next complete write (all instances: the
    #: hook removes through its backend, the runner writes through another).
    _outdated: ClassVar[List[str]] = []

    def put(self, obj: bytes, filepath: PathLike) -> None:
        """Write ``obj`` atomically (with its checksum if it is a
        checkpoint), then remove the outdated files."""
        checkpoint = str(filepath).endswith('.pth')
        if checkpoint and osp.isfile(checksum_path(filepath)):
            os.remove(checksum_path(filepath))
        atomic_write_bytes(filepath, obj)
        if checkpoint:
            write_checksum(filepath, obj)
        self.remove_outdated(filepath)

    def remove_outdated(self, written: PathLike) -> None:
        """Remove the files marked by :meth:`remove` and their checksum
        files, except ``written``."""
        written = osp.abspath(written)
        outdated = [p for p in self._outdated if osp.abspath(p) != written]
        self._outdated.clear()
        for path in outdated:
            for name in (path, checksum_path(path)):
                if osp.isfile(name):
                    os.remove(name)

    def put_text(self,
                 obj: str,
                 filepath: PathLike,
                 encoding: str = 'utf-8') -> None:
        """Write the text ``obj`` atomically."""
        self.put(obj.encode(encoding), filepath)

    def remove(self, filepath: PathLike) -> None:
        """Remove ``filepath`` once the next write is complete."""
        self._outdated.append(str(filepath))

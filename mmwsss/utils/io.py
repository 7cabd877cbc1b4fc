"""File helpers: atomic writes and confined paths.

Every file mmwsss writes goes through :func:`atomic_write_bytes` so that an
interrupted run (a kill, a full disk) never leaves a half-written file under
its final name, and every path built from a name read from a file (an image id
in a split list) goes through :func:`safe_join` so that no tool reads or
writes outside the folder it was given.
"""
import os
import os.path as osp
import tempfile
from typing import Union

PathLike = Union[str, 'os.PathLike[str]']


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


def atomic_write_bytes(path: PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically.

    The bytes go to a temporary file in the same folder, which is flushed,
    synced and renamed over ``path``. On any error (a full disk included) the
    temporary file is removed and ``path`` is left as it was.

    Args:
        path (str | PathLike): The destination file.
        data (bytes): The content.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=folder, prefix='.' + osp.basename(path) + '.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise

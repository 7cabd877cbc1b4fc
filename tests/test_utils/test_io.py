import hashlib
import os
from unittest import mock

import numpy as np
import pytest
from mmengine.fileio import get_file_backend
from PIL import Image

from mmwsss.utils import (AtomicLocalBackend, atomic_open, atomic_write_bytes,
                          atomic_write_png, file_digest, remove_temporaries)
from mmwsss.utils import io as io_module


def test_atomic_open_leaves_a_temporary_only_when_killed(tmp_path):
    path = tmp_path / 'a.bin'
    atomic_write_bytes(path, b'old')
    with pytest.raises(KeyError):
        with atomic_open(path) as f:
            f.write(b'new, half')
            raise KeyError('interrupted')
    assert path.read_bytes() == b'old' and os.listdir(tmp_path) == ['a.bin']
    # a kill leaves the temporary file: simulated by not closing it
    ctx = atomic_open(path)
    ctx.__enter__().write(b'partial')
    (tmp_path / 'sub').mkdir()
    (tmp_path / 'sub' / '.b.png.abcd_123.tmp').write_bytes(b'x')
    (tmp_path / '.keep.tmp').write_bytes(b'not ours')
    removed = remove_temporaries(tmp_path)
    assert len(removed) == 2
    assert sorted(os.listdir(tmp_path)) == ['.keep.tmp', 'a.bin', 'sub']
    assert path.read_bytes() == b'old'


def test_atomic_backend_removes_outdated_files_after_the_next_write(tmp_path):
    backend = get_file_backend(
        str(tmp_path), backend_args=dict(backend='atomic_local'))
    assert isinstance(backend, AtomicLocalBackend)
    old, new = tmp_path / 'epoch_1.pth', tmp_path / 'epoch_2.pth'
    backend.put(b'one', old)
    backend.remove(old)  # mmengine removes the old one before saving
    assert old.read_bytes() == b'one'
    # the write goes through another instance (as mmengine's runner does)
    other = get_file_backend(
        str(new), backend_args=dict(backend='atomic_local'))
    (tmp_path / 'adir').mkdir()
    with pytest.raises(IsADirectoryError):
        other.put(b'two', tmp_path / 'adir')
    assert old.exists()  # a failed write removes nothing
    other.put(b'two', new)
    assert not old.exists() and new.read_bytes() == b'two'
    # a checkpoint's checksum goes with it
    assert sorted(os.listdir(tmp_path)) == [
        'adir', 'epoch_2.pth', 'epoch_2.pth.sha256'
    ]
    backend.put_text('text', tmp_path / 't.txt')
    assert (tmp_path / 't.txt').read_text() == 'text'
    assert not (tmp_path / 't.txt.sha256').exists()


def test_a_checkpoint_is_written_with_its_checksum(tmp_path):
    """In sha256sum's format, never left from the file it replaces."""
    backend = get_file_backend(
        str(tmp_path), backend_args=dict(backend='atomic_local'))
    path = tmp_path / 'epoch_1.pth'
    checksum = tmp_path / 'epoch_1.pth.sha256'
    backend.put(b'one', path)
    digest = hashlib.sha256(b'one').hexdigest()
    assert checksum.read_text() == f'{digest}  epoch_1.pth\n'
    assert file_digest(path) == digest
    # a failed write of the next file of that name leaves no checksum of
    # the old one beside the new one
    with mock.patch.object(io_module, 'write_checksum', side_effect=OSError):
        with pytest.raises(OSError):
            backend.put(b'two', path)
    assert path.read_bytes() == b'two' and not checksum.exists()


def test_atomic_write_png_round_trip(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (5, 7, 3), np.uint8)
    atomic_write_png(tmp_path / 'rgb.png', rgb)
    assert (np.asarray(Image.open(tmp_path / 'rgb.png')) == rgb).all()
    gray = rgb[..., 0]
    atomic_write_png(tmp_path / 'gray.png', gray)
    assert (np.asarray(Image.open(tmp_path / 'gray.png')) == gray).all()
    assert sorted(p.name for p in tmp_path.iterdir()) == ['gray.png',
                                                          'rgb.png']

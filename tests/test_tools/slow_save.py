"""A checkpoint backend that writes slowly, to kill a run during a save.

Imported by a test config through ``custom_imports``; the file is written
through :func:`mmwsss.utils.atomic_open` in 16 KiB chunks, 50 ms apart.
"""
import time

from mmengine.fileio import register_backend

from mmwsss.utils import AtomicLocalBackend, atomic_open

CHUNK = 16 << 10


@register_backend('slow_atomic_local', force=True)
class SlowAtomicLocalBackend(AtomicLocalBackend):
    """:class:`AtomicLocalBackend` whose writes take a while."""

    def put(self, obj: bytes, filepath) -> None:
        with atomic_open(filepath) as f:
            for start in range(0, len(obj), CHUNK):
                f.write(obj[start:start + CHUNK])
                f.flush()
                time.sleep(0.05)
        self.remove_outdated(filepath)

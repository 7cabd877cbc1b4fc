"""Copy what a logger logs into one more file, for a while."""
import logging
import os
import os.path as osp
from contextlib import contextmanager
from typing import Iterator, Optional

from mmengine.logging.logger import FilterDuplicateWarning, MMFormatter


@contextmanager
def also_log_to(logger: logging.Logger,
                path: Optional[str],
                level: int = logging.INFO) -> Iterator[None]:
    """Append the records of ``logger`` to ``path`` inside the block
    (nothing without a path).

    The file gets the format of mmengine's log files (no colours, each
    warning once); the handler is removed and closed when the block ends.

    Args:
        logger (logging.Logger): The logger (e.g. a Runner's ``logger``).
        path (str, optional): The file (and its folder) is created if
            missing. None: the block runs without an extra file.
        level (int): The lowest level written. Defaults to INFO (mmengine
            logs what it builds at DEBUG).
    """
    if path is None:
        yield
        return
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    handler = logging.FileHandler(path, mode='a')
    handler.setFormatter(MMFormatter(color=False, datefmt='%Y/%m/%d %H:%M:%S'))
    handler.setLevel(level)
    handler.addFilter(FilterDuplicateWarning(logger.name))
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()

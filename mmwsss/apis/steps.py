"""Resumable steps, declared as data.

A :class:`Step` names a function and the earlier steps whose results it
needs. :func:`run_steps` runs them in order in a work dir: each finished
step leaves its record (the dict its function returned, plus its wall time
``seconds``) in ``steps/{name}.json``, written atomically, and its log in
``logs/{name}.log``. A rerun skips a step that has a record, unless a step
it needs ran again.
"""
import io
import json
import logging
import os
import os.path as osp
import sys
import time
from contextlib import (ExitStack, contextmanager, redirect_stderr,
                        redirect_stdout)
from dataclasses import dataclass
from typing import (Callable, Dict, Iterator, NamedTuple, Optional, Sequence,
                    TextIO, Tuple)

from mmengine.logging import print_log

from mmwsss.utils import atomic_write_bytes
from .log_file import also_log_to


class StepContext(NamedTuple):
    """What a running step is given.

    Attributes:
        name (str): The step's name.
        inputs (dict[str, dict]): The records of the steps it needs.
        log_file (str, optional): Its log file (the stages it runs may log
            there too); None where everything the step prints already goes
            there (:func:`run_steps` with ``quiet``).
    """
    name: str
    inputs: Dict[str, Dict]
    log_file: Optional[str]


@dataclass(frozen=True)
class Step:
    """One step of a pipeline.

    Attributes:
        name (str): Name of the step, of its record and of its log.
        run (Callable[[StepContext], dict]): Does the work; returns the
            step's results (JSON-serialisable), its record.
        needs (tuple[str]): Earlier steps whose records it reads.
    """
    name: str
    run: Callable[[StepContext], Dict]
    needs: Tuple[str, ...] = ()


def record_path(work_dir: str, name: str) -> str:
    """The record file of the step ``name``."""
    return osp.join(work_dir, 'steps', f'{name}.json')


def write_record(work_dir: str, name: str, record: Dict) -> None:
    """Write the record of the step ``name`` (atomically): it counts as
    finished from then on."""
    atomic_write_bytes(
        record_path(work_dir, name),
        json.dumps(record, indent=2).encode())


def load_record(work_dir: str, name: str) -> Optional[Dict]:
    """The record of the step ``name`` if it finished, else None."""
    path = record_path(work_dir, name)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def check_steps(steps: Sequence[Step]) -> None:
    """Raise ValueError unless the names are unique and every step needs
    only earlier steps."""
    seen = set()
    for step in steps:
        if step.name in seen:
            raise ValueError(f'Two steps are named {step.name}.')
        unknown = [need for need in step.needs if need not in seen]
        if unknown:
            raise ValueError(f'Step {step.name} needs {unknown}, which are '
                             'no earlier steps.')
        seen.add(step.name)


def run_steps(steps: Sequence[Step],
              work_dir: str,
              logger: logging.Logger,
              quiet: bool = False,
              label: str = '',
              inline: bool = True) -> Dict[str, Dict]:
    """Run the steps that have not finished, in order.

    A step runs if it has no record, or if a step it needs ran in this call
    (its results may have changed); otherwise its record is read. Progress
    (``[name] running``, ``done``, ``finished before, skipped``) goes to
    ``logger`` and, while the step runs, also to its log file. With
    ``quiet``, what a step prints (its Runners' logs, warnings, progress
    bars) goes to its log file alone, and the console shows one line per
    step: ``{label}{name}: done in N s``, ``finished before`` or where the
    log of a failed step is; ``inline`` writes it over the step's ``...``
    line, otherwise the start of a step has a line of its own (``started``),
    so that processes sharing a console do not write over each other's
    lines.

    Args:
        steps (Sequence[Step]): The steps, in order.
        work_dir (str): Folder of the records and logs.
        logger (logging.Logger): Logger of the progress.
        quiet (bool): One console line per step. Defaults to False.
        label (str): Start of each console line with ``quiet``. Defaults to
            ''.
        inline (bool): With ``quiet``, finish a step's line in place.
            Defaults to True.

    Returns:
        dict[str, dict]: The record of every step, by name.
    """
    check_steps(steps)
    console = sys.stdout
    output = _StepOutput()
    with ExitStack() as stack:
        if quiet:
            stack.enter_context(redirect_stdout(output))
            stack.enter_context(redirect_stderr(output))
        records: Dict[str, Dict] = {}
        ran = set()
        for step in steps:
            record = load_record(work_dir, step.name)
            if record is not None and ran.isdisjoint(step.needs):
                if quiet:
                    print(f'{label}{step.name}: finished before', file=console)
                else:
                    print_log(f'[{step.name}] finished before, skipped',
                              logger)
                records[step.name] = record
                continue
            log_file = osp.join(work_dir, 'logs', f'{step.name}.log')
            if quiet:
                start = f'{label}{step.name}: '
                if inline:
                    print(start + '...', end='', flush=True, file=console)
                    stopped, done = ' ', '\r' + start
                else:
                    print(start + 'started', flush=True, file=console)
                    stopped = done = start
                try:
                    with output.to(log_file):
                        record = _run(step, records, None)
                except BaseException as error:
                    print(f'{stopped}stopped by {type(error).__name__}; its '
                          f'log: {log_file}',
                          flush=True,
                          file=console)
                    raise
                print(f'{done}done in {record["seconds"]:.0f} s',
                      flush=True,
                      file=console)
            else:
                with also_log_to(logger, log_file):
                    print_log(f'[{step.name}] running', logger)
                    try:
                        record = _run(step, records, log_file)
                    except BaseException as error:
                        print_log(
                            f'[{step.name}] stopped by '
                            f'{type(error).__name__}; its log: {log_file}',
                            logger,
                            level=logging.ERROR)
                        raise
                    print_log(
                        f'[{step.name}] done in {record["seconds"]:.0f} s',
                        logger)
            write_record(work_dir, step.name, record)
            records[step.name] = record
            ran.add(step.name)
    return records


class _StepOutput(io.TextIOBase):
    """Standard output and error of quiet steps: appended to the running
    step's log file (dropped between steps).

    Loggers keep the stream they were created with; handing them this object
    instead of the file lets a logger created in one step write into the log
    of the step that uses it later.
    """

    def __init__(self) -> None:
        super().__init__()
        self._file: Optional[TextIO] = None

    @contextmanager
    def to(self, path: str) -> Iterator[None]:
        """Write into ``path`` (appended) inside the block."""
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'a', buffering=1) as self._file:
            try:
                yield
            finally:
                self._file.flush()
                self._file = None

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self._file is not None:
            self._file.write(text)
        return len(text)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()


def _run(step: Step, records: Dict[str, Dict],
         log_file: Optional[str]) -> Dict:
    """Run one step; its record with its wall time ``seconds``."""
    start = time.time()
    record = dict(
        step.run(
            StepContext(step.name, {n: records[n]
                                    for n in step.needs}, log_file)))
    record['seconds'] = round(time.time() - start, 1)
    return record

"""Resumable steps, declared as data.

A :class:`Step` names a function and the earlier steps whose results it
needs. :func:`run_steps` runs them in order in a work dir: each finished
step leaves its record (the dict its function returned, plus its wall time
``seconds``) in ``steps/{name}.json``, written atomically, and its log in
``logs/{name}.log``. A rerun skips a step that has a record, unless a step
it needs ran again.
"""
import json
import logging
import os.path as osp
import time
from dataclasses import dataclass
from typing import Callable, Dict, NamedTuple, Optional, Sequence, Tuple

from mmengine.logging import print_log

from mmwsss.utils import atomic_write_bytes
from .log_file import also_log_to


class StepContext(NamedTuple):
    """What a running step is given.

    Attributes:
        name (str): The step's name.
        inputs (dict[str, dict]): The records of the steps it needs.
        log_file (str): Its log file (the stages it runs may log there
            too).
    """
    name: str
    inputs: Dict[str, Dict]
    log_file: str


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


def run_steps(steps: Sequence[Step], work_dir: str,
              logger: logging.Logger) -> Dict[str, Dict]:
    """Run the steps that have not finished, in order.

    A step runs if it has no record, or if a step it needs ran in this call
    (its results may have changed); otherwise its record is read. Progress
    (``[name] running``, ``done``, ``finished before, skipped``) goes to
    ``logger`` and, while the step runs, also to its log file.

    Args:
        steps (Sequence[Step]): The steps, in order.
        work_dir (str): Folder of the records and logs.
        logger (logging.Logger): Logger of the progress.

    Returns:
        dict[str, dict]: The record of every step, by name.
    """
    check_steps(steps)
    records: Dict[str, Dict] = {}
    ran = set()
    for step in steps:
        record = load_record(work_dir, step.name)
        if record is not None and ran.isdisjoint(step.needs):
            print_log(f'[{step.name}] finished before, skipped', logger)
            records[step.name] = record
            continue
        log_file = osp.join(work_dir, 'logs', f'{step.name}.log')
        with also_log_to(logger, log_file):
            print_log(f'[{step.name}] running', logger)
            start = time.time()
            try:
                record = dict(
                    step.run(
                        StepContext(step.name,
                                    {n: records[n]
                                     for n in step.needs}, log_file)))
            except BaseException as error:
                print_log(
                    f'[{step.name}] stopped by {type(error).__name__}; its '
                    f'log: {log_file}',
                    logger,
                    level=logging.ERROR)
                raise
            record['seconds'] = round(time.time() - start, 1)
            atomic_write_bytes(
                record_path(work_dir, step.name),
                json.dumps(record, indent=2).encode())
            print_log(f'[{step.name}] done in {record["seconds"]:.0f} s',
                      logger)
        records[step.name] = record
        ran.add(step.name)
    return records

"""Training-step time when two trainings share the machine's cores.

    python benchmarks/shared_cores.py CONFIG [--steps 10] [--batch-size 8]

Runs ``benchmarks/train_step_time.py CONFIG`` (median seconds per full
training step of one fixed batch) in five settings, one after another:
alone with the default threads; alone on one core; two at once with the
default threads (both processes' OpenMP threads on every core); two at once
with ``OMP_WAIT_POLICY=PASSIVE`` (threads sleep instead of spinning after a
parallel region); two at once, each pinned to cores of its own with as many
threads (``mmwsss.utils.cores.split_cores``, as ``processes`` of a
comparison config). Prints each process's seconds per step and the steps
per second of the whole machine, as a ratio to one training alone.
"""
import argparse
import os
import os.path as osp
import re
import subprocess
import sys
from typing import Dict, List, Optional

from mmwsss.utils import split_cores

SCRIPT = osp.join(osp.dirname(osp.abspath(__file__)), 'train_step_time.py')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--batch-size', type=int, default=8)
    return parser.parse_args()


def start(args: argparse.Namespace,
          env: Dict[str, str],
          cores: Optional[List[int]] = None) -> subprocess.Popen:
    """One ``train_step_time.py`` process, optionally pinned to cores."""
    return subprocess.Popen(
        [
            sys.executable, SCRIPT, args.config, '--steps',
            str(args.steps), '--batch-size',
            str(args.batch_size)
        ],
        env=dict(os.environ, **env),
        preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True)


def seconds_per_step(proc: subprocess.Popen) -> float:
    """The median seconds per step a finished process printed."""
    out, _ = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f'train_step_time.py failed:\n{out}')
    return float(re.search(r'^\| \S+ \| ([0-9.]+) \|', out, re.M).group(1))


def main() -> None:
    args = parse_args()
    pinned = split_cores(2)
    settings = [
        ('alone, default threads', [dict()], None),
        ('alone, one core', [dict(OMP_NUM_THREADS='1')], [pinned[0]]),
        ('two at once, default threads', [dict(), dict()], None),
        ('two at once, OMP_WAIT_POLICY=PASSIVE',
         [dict(OMP_WAIT_POLICY='PASSIVE')] * 2, None),
        ('two at once, own cores each',
         [dict(OMP_NUM_THREADS=str(len(c))) for c in pinned], pinned),
    ]
    base = None
    print('| setting | s / step of each process | steps / s of the machine '
          '| ratio to alone |\n|---|---|---|---|')
    for name, envs, cores in settings:
        procs = [
            start(args, env, cores[i] if cores else None)
            for i, env in enumerate(envs)
        ]
        times = [seconds_per_step(proc) for proc in procs]
        rate = sum(1 / t for t in times)
        base = base or rate
        print(f'| {name} | {", ".join(f"{t:.2f}" for t in times)} | '
              f'{rate:.2f} | {rate / base:.2f} |', flush=True)
    print(f'\n{args.config}, batch {args.batch_size}, {args.steps} steps '
          f'after 2 warm-up; cores {pinned}')


if __name__ == '__main__':
    main()

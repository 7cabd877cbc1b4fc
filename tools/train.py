"""Train a model (stage-1 classifier, AffinityNet or segmentation network).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [auto]] [--amp]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]
        [--debug]

With --resume, training continues from the newest complete checkpoint of
the work dir (the one ``last_checkpoint`` names, else the newest complete
``epoch_N.pth`` / ``iter_N.pth``), or the config's ``load_from``; without
one it stops with an error (a mistyped --work-dir would otherwise train
from scratch). --resume auto resumes where there is a checkpoint and starts
from scratch where there is none (e.g. a requeued job). Input errors are
printed as one line; --debug shows their traceback.

SIGTERM (a scheduler's preemption) or SIGINT (Ctrl-C) during training lets
the current iteration finish, saves ``iter_N.pth`` (``last_checkpoint``
names it), logs how to resume and exits with status 128 + the signal: 143
for SIGTERM, 130 for SIGINT; --resume then continues exactly where it
stopped (see :class:`~mmwsss.engine.hooks.PreemptionHook`). One run at a
time per work dir: a run holds ``WORK_DIR/.lock`` (its PID, host and start
time) and a second one is refused with exit status 1 (see
:func:`~mmwsss.utils.folder_lock`).
"""
import argparse

from mmwsss.apis.cli import (add_runner_args, load_tool_config,
                             parse_runner_args, run_tool)
from mmwsss.apis.stages import train
from mmwsss.utils import find_resume_checkpoint


def _resume_mode(value: str) -> str:
    """The value of ``--resume VALUE``: only ``auto``."""
    if value != 'auto':
        raise argparse.ArgumentTypeError(
            f"give 'auto' or nothing, got {value!r}")
    return value


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        const=True,
        default=None,
        type=_resume_mode,
        help='resume from the latest checkpoint in the work dir (an error '
        'if there is none; with "auto", start from scratch then)')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training')
    add_runner_args(parser)
    return parse_runner_args(parser)


def main() -> None:
    """Build the Runner from the config and train."""
    args = parse_args()
    cfg = load_tool_config(args)
    found = find_resume_checkpoint(cfg.work_dir) is not None or \
        cfg.get('load_from') is not None
    if args.resume is True and not found:
        raise FileNotFoundError(
            f'--resume: {cfg.work_dir} holds no complete checkpoint to '
            'resume from (and the config sets no load_from). Check '
            '--work-dir, train without --resume, or pass --resume auto to '
            'start from scratch where there is none.')
    train(cfg, resume=bool(args.resume) and found, amp=args.amp)


if __name__ == '__main__':
    run_tool(main)

"""Command-line pieces shared by the tools under ``tools/``."""
import argparse
import atexit
import math
import os
import sys
from typing import Callable, Optional

import torch.distributed as torch_dist
from mmengine.config import Config, DictAction

from mmwsss.evaluation import read_best_bg_score
from mmwsss.utils import (CheckpointError, DiskFullError, FolderLockedError,
                          busy_cores_warning)
from .config_utils import load_config

#: Errors that report bad input (a missing or invalid file, a bad value or
#: config key, a refused checkpoint, a work dir in use, a full disk): the
#: tools print them as one line.
USER_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError,
               PermissionError, ValueError, KeyError, CheckpointError,
               FolderLockedError, DiskFullError)


def user_message(error: BaseException) -> str:
    """The one-line message of a user error.

    An error raised in a data loader worker carries the worker's traceback
    in its message; its last line is the original message.
    """
    text = error.args[0] if isinstance(error, KeyError) and error.args \
        else str(error)
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    if 'Original Traceback' in str(text) and lines:
        return lines[-1].strip()
    return ' '.join(line.strip() for line in lines) or type(error).__name__


#: What mmcv's ``LoadImageFromFile`` asserts of an image file it cannot
#: decode (``failed to load image: PATH``): a corrupt file, not a bug.
_UNREADABLE_IMAGE = 'failed to load image: '


def _unreadable_image(error: BaseException) -> Optional[str]:
    """The image file that mmcv could not decode, if ``error`` (raised in
    the tool or in a data loader worker) says so; else None."""
    message = user_message(error)
    if not isinstance(error, AssertionError) or \
            _UNREADABLE_IMAGE not in message:
        return None
    return message.split(_UNREADABLE_IMAGE, 1)[1].strip()


def run_tool(main: Callable[[], None]) -> None:
    """Run a tool's ``main``; print a user error without its traceback.

    A user error (:data:`USER_ERRORS`, or an image file that cannot be
    decoded) is printed as ``error: MESSAGE`` on stderr and the tool exits
    with status 1; with ``--debug`` on the command
    line the traceback is shown. Other errors keep their traceback.

    A distributed run that finishes ends differently: every rank waits for
    the others at a barrier, destroys the process group, runs the exit
    handlers (``atexit``: logging's flush and close among them), flushes
    stdout and stderr and leaves with ``os._exit(0)``, without finalising
    the interpreter. A DDP-wrapped model keeps gloo's process group, and
    its worker threads, alive past ``destroy_process_group``; a worker that
    releases the tensors of a finished collective while the interpreter
    finalises needs the GIL it can no longer take and aborts the process
    after its work is done (``terminate called without an active
    exception``, seen on loaded machines). After an error the process group
    is left to the launcher, as other ranks may still wait in a collective.

    Before ``main``, a warning is printed on stderr if other processes
    already keep the cores busy (see
    :func:`~mmwsss.utils.cores.busy_cores_warning`).

    Args:
        main (Callable): The tool's main function.
    """
    warning = busy_cores_warning()
    if warning:
        print(f'warning: {warning}', file=sys.stderr, flush=True)
    try:
        main()
    except (*USER_ERRORS, AssertionError) as e:
        image = _unreadable_image(e)
        if '--debug' in sys.argv[1:] or not (isinstance(e, USER_ERRORS)
                                             or image):
            raise
        message = f'Cannot decode the image {image}: the file is corrupt ' \
            'or not an image.' if image else user_message(e)
        print(
            f'error: {message}\n(run with --debug for the traceback)',
            file=sys.stderr)
        sys.exit(1)
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def add_debug_arg(parser: argparse.ArgumentParser) -> None:
    """Add ``--debug`` (tracebacks of user errors, see :func:`run_tool`)."""
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the traceback of input errors too')


def _number(value: str, valid: Callable[[float], bool],
            requirement: str) -> float:
    """Parse a finite number that ``valid`` accepts, for argparse."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and valid(number)):
        raise argparse.ArgumentTypeError(
            f'must be a number {requirement}, got {value!r}')
    return number


def unit_interval(value: str) -> float:
    """argparse type: a finite number in [0, 1] (a score, a threshold)."""
    return _number(value, lambda x: 0 <= x <= 1, 'in [0, 1]')


def bg_score_arg(value: str) -> float:
    """argparse type: a background score in [0, 1], or the
    ``seed_metric.json`` of a seed evaluation (its best score)."""
    if value.endswith('.json'):
        try:
            return read_best_bg_score(value)
        except (FileNotFoundError, ValueError) as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return unit_interval(value)


def positive_float(value: str) -> float:
    """argparse type: a finite number > 0."""
    return _number(value, lambda x: x > 0, '> 0')


def add_overwrite_arg(parser: argparse.ArgumentParser) -> None:
    """Add ``--overwrite`` (replace the outputs of other inputs)."""
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='write every image again if the output folder holds the '
        'outputs of other inputs (other checkpoint, threshold or config); '
        'by default such a rerun is refused')


def add_cfg_options_arg(parser: argparse.ArgumentParser) -> None:
    """Add ``--cfg-options`` (key=value overrides of the config)."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value pairs')


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """Add the options of every tool that builds a Runner.

    ``--cfg-options``, ``--launcher``, ``--trust-checkpoint``, ``--debug``
    and the ``--local-rank`` that older launchers pass.

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
    """
    add_cfg_options_arg(parser)
    add_debug_arg(parser)
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(
        '--trust-checkpoint',
        nargs='+',
        default=[],
        metavar='PATH',
        help='checkpoints trusted to run code when loaded (by default every '
        'checkpoint is loaded with torch.load(weights_only=True))')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_runner_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse the command line of a tool made with :func:`add_runner_args`.

    ``LOCAL_RANK`` is taken from ``--local-rank`` unless the launcher has
    set it already (torchrun does).
    """
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def load_tool_config(args: argparse.Namespace,
                     work_dir: Optional[str] = None) -> Config:
    """:func:`load_config` with the options of :func:`add_runner_args`.

    Args:
        args (argparse.Namespace): Parsed arguments with ``config``.
        work_dir (str, optional): Work dir; defaults to ``args.work_dir``.
    """
    return load_config(args.config, work_dir or args.work_dir,
                       args.cfg_options, args.launcher, args.trust_checkpoint)


def folder_arg(value: Optional[str], cfg: Config, key: str) -> str:
    """A folder from the command line, else the config's ``key``.

    Raises:
        SystemExit: If neither gives one.
    """
    value = value or cfg.get(key)
    if not value:
        raise SystemExit(f'error: no folder given: pass it on the command '
                         f'line or set {key} in the config.')
    return value

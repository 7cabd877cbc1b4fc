"""Command-line pieces shared by the tools under ``tools/``."""
import argparse
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mmwsss.registry import RUNNERS
from .config_utils import load_config


def add_cfg_options_arg(parser: argparse.ArgumentParser) -> None:
    """Add ``--cfg-options`` (key=value overrides of the config)."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value pairs')


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """Add the options of every tool that builds a Runner.

    ``--cfg-options``, ``--launcher``, ``--trust-checkpoint`` and the
    ``--local-rank`` that older launchers pass.

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
    """
    add_cfg_options_arg(parser)
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


def build_runner(cfg: Config) -> Runner:
    """The config's own runner type if it names one, else mmengine's."""
    return RUNNERS.build(cfg) if 'runner_type' in cfg else \
        Runner.from_cfg(cfg)


def split_ann_file(split: str) -> str:
    """The VOC split list of ``split``, relative to the data root."""
    return osp.join('ImageSets', 'Segmentation', f'{split}.txt')


def folder_arg(value: Optional[str], cfg: Config, key: str) -> str:
    """A folder from the command line, else the config's ``key``.

    Raises:
        SystemExit: If neither gives one.
    """
    value = value or cfg.get(key)
    if not value:
        raise SystemExit(f'No folder given: pass it on the command line or '
                         f'set {key} in the config.')
    return value

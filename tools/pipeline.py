"""Run the whole WSSS pipeline of a pipeline config, resumably.

    python tools/pipeline.py configs/pipeline/CONFIG.py [--work-dir DIR]
        [--cfg-options seed=1 ...] [--verbose] [--debug]

stage 1 training -> seed evaluation -> pseudo masks -> (AffinityNet and
random walk) -> stage 2 training -> stage 2 evaluation, in this process; a
rerun skips the finished steps. A comparison config (``compare = [...]``,
see mmwsss/apis/comparison.py) runs several pipelines side by side and
prints one table with their difference. The console shows one line per
step; each step's full log is in the work dir's logs/ (--verbose prints
it too). The results table is printed and saved as results.md /
results.json in the work dir. Input errors are printed as one line;
--debug shows their traceback.
"""
import argparse
import os.path as osp

from mmengine.config import Config

from mmwsss.apis.cli import add_cfg_options_arg, add_debug_arg, run_tool
from mmwsss.apis.comparison import PipelineComparison
from mmwsss.apis.pipeline import WSSSPipeline


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description='Run the WSSS pipeline')
    parser.add_argument('config', help='pipeline config file')
    parser.add_argument(
        '--work-dir', help='output folder (default: work_dirs/{config name})')
    parser.add_argument(
        '--verbose',
        action='store_true',
        help='print the full logs of the steps (not with a comparison)')
    add_cfg_options_arg(parser)
    add_debug_arg(parser)
    return parser.parse_args()


def main() -> None:
    """Load the pipeline config and run it."""
    args = parse_args()
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'The config {args.config} does not exist.')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    work_dir = args.work_dir or osp.join(
        'work_dirs',
        osp.splitext(osp.basename(args.config))[0])
    if cfg.get('compare'):
        PipelineComparison(cfg, work_dir).run()
    else:
        WSSSPipeline(cfg, work_dir).run(quiet=not args.verbose)


if __name__ == '__main__':
    run_tool(main)

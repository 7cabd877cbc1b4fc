"""Where the time of a training step and of CAM inference goes.

    python benchmarks/profile_steps.py CONFIG [--train-steps 3]
        [--infer-batches 3] [--rows 12] [--shapes]

Builds the config's Runner (model, optimizer, data), takes real batches of
its ``train_dataloader`` and ``pseudo_mask_dataloader`` (loaded first, in
this process, so that data loading is timed apart), and profiles with
``torch.profiler`` a few full training steps (``train_step``: forward,
losses, backward, update) and the inference of a few pseudo-mask batches
(``test_step``: multi-scale, flipped CAMs), after one warm-up each. Prints
the seconds per step / per image, the time to load the batches, and the
operators that take most of the time (self CPU time); ``--shapes`` also
groups them by input shape.
"""
import argparse
import time

import torch
from mmengine.config import Config
from mmengine.runner import Runner
from torch.profiler import ProfilerActivity, profile

from mmwsss.utils import register_all_modules


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--train-steps', type=int, default=3)
    parser.add_argument('--infer-batches', type=int, default=3)
    parser.add_argument('--rows', type=int, default=12)
    parser.add_argument('--shapes', action='store_true')
    parser.add_argument('--work-dir', default='work_dirs/profile_steps')
    return parser.parse_args()


def batches(runner: Runner, cfg: dict, count: int) -> list:
    """``count`` batches of a dataloader config, loaded in this process;
    prints how long they took."""
    start = time.perf_counter()
    loader = iter(runner.build_dataloader(dict(cfg, num_workers=0,
                                               persistent_workers=False)))
    out = [next(loader) for _ in range(count)]
    print(f'loading {count} batches in this process: '
          f'{time.perf_counter() - start:.2f} s')
    return out


def report(prof, args: argparse.Namespace) -> None:
    """Print the operators that take most of the time."""
    print(prof.key_averages().table(
        sort_by='self_cpu_time_total', row_limit=args.rows))
    if args.shapes:
        print(prof.key_averages(group_by_input_shape=True).table(
            sort_by='self_cpu_time_total',
            row_limit=args.rows,
            max_shapes_column_width=90))


def main() -> None:
    args = parse_args()
    register_all_modules()
    cfg = Config.fromfile(args.config)
    cfg.work_dir = args.work_dir
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    model = runner.model
    optim_wrapper = runner.build_optim_wrapper(cfg.optim_wrapper)

    train = batches(runner, cfg.train_dataloader, args.train_steps + 1)
    model.train()
    model.train_step(train[0], optim_wrapper)
    with profile(activities=[ProfilerActivity.CPU],
                 record_shapes=args.shapes) as prof:
        start = time.perf_counter()
        for batch in train[1:]:
            model.train_step(batch, optim_wrapper)
        seconds = (time.perf_counter() - start) / args.train_steps
    print(f'\ntraining step (batch {cfg.train_dataloader.batch_size}): '
          f'{seconds:.3f} s, profiled')
    report(prof, args)

    infer = batches(runner, cfg.pseudo_mask_dataloader,
                    args.infer_batches + 1)
    model.eval()
    with torch.no_grad():
        model.test_step(infer[0])
        with profile(activities=[ProfilerActivity.CPU],
                     record_shapes=args.shapes) as prof:
            start = time.perf_counter()
            for batch in infer[1:]:
                model.test_step(batch)
            seconds = time.perf_counter() - start
    images = sum(len(batch['data_samples']) for batch in infer[1:])
    print(f'\ninference (test_cfg {dict(model.test_cfg)}): '
          f'{seconds / images:.3f} s per image, profiled')
    report(prof, args)
    print(f'{torch.get_num_threads()} threads')


if __name__ == '__main__':
    main()

"""Training-step time of several configs, as ratios to the first, in one run.

    python benchmarks/train_step_time.py CONFIG [CONFIG ...] [--steps 10]
        [--batch-size 16] [--no-amp]

Builds each config's model and one real training batch from its own
pipeline (same images for every config), then times full steps
(preprocessing, forward, losses, backward, SGD update) under the config's
bfloat16 autocast when it uses BF16OptimWrapper and the CPU has native
bfloat16, as in training (see ``mmwsss.utils.bfloat16_autocast``). The
configs take turns step after step, so that a change of machine load hits
all of them alike; the median per config and its ratio to the first config
are printed.
"""
import argparse
import copy
import statistics
import time

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from mmwsss.registry import DATASETS, MODELS
from mmwsss.utils import (bfloat16_autocast, cpu_has_fast_bfloat16,
                          register_all_modules)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--no-amp', action='store_true')
    return parser.parse_args()


class Job:
    """One config: its model, optimizer and a fixed batch."""

    def __init__(self, path: str, batch_size: int, amp: bool) -> None:
        cfg = Config.fromfile(path)
        np.random.seed(0)
        torch.manual_seed(0)
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
        self.batch = pseudo_collate([dataset[i] for i in range(batch_size)])
        self.model = MODELS.build(cfg.model)
        self.model.init_weights()
        self.model.train()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=1e-3)
        self.amp = amp and cfg.optim_wrapper.get('type') == 'BF16OptimWrapper'
        self.name = path
        self.times = []

    def step(self) -> float:
        start = time.perf_counter()
        data = self.model.data_preprocessor(copy.deepcopy(self.batch), True)
        with bfloat16_autocast('cpu', enabled=self.amp):
            losses = self.model.loss(data['inputs'], data['data_samples'])
        loss = sum(v for k, v in losses.items() if 'loss' in k)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return time.perf_counter() - start


def main() -> None:
    args = parse_args()
    register_all_modules()
    jobs = [Job(p, args.batch_size, not args.no_amp) for p in args.configs]
    for i in range(args.warmup + args.steps):
        for job in jobs:
            seconds = job.step()
            if i >= args.warmup:
                job.times.append(seconds)
    amp_on = any(job.amp for job in jobs) and cpu_has_fast_bfloat16()
    base = statistics.median(jobs[0].times)
    print('| config | s / step (median) | ratio |\n|---|---|---|')
    for job in jobs:
        med = statistics.median(job.times)
        print(f'| {job.name} | {med:.3f} | {med / base:.2f} |')
    print(f'\n{args.steps} steps after {args.warmup} warm-up, batch '
          f'{args.batch_size}, {torch.get_num_threads()} threads, bfloat16 '
          f"autocast {'on' if amp_on else 'off'} (native bfloat16: "
          f"{'yes' if cpu_has_fast_bfloat16() else 'no'})")


if __name__ == '__main__':
    main()

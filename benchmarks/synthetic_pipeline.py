"""The results table of every method on the synthetic benchmark.

    python benchmarks/synthetic_pipeline.py [--benchmark v2]
        [--methods cam seam ppc-seam eps ppc-eps cam-affinity]
        [--seeds 0 1 2] [--work-dir work_dirs/benchmark_v2_final]
        [--out benchmarks/results/synthetic_pipeline_v2_final.md]

Runs the whole pipeline (stage 1, seed evaluation, pseudo masks, stage 2,
evaluation) of each method with each training seed on the same benchmark
data, one process per run, reusing finished runs (the pipeline is
resumable), and writes a markdown table of the medians with their min-max
and of every run (from each run's results.json), with the commands and the
wall time of each step. The results.json of each finished run is also kept
beside the table, as {out without .md}/{method}_seed{seed}.json, and a
later call reuses such a record instead of running that pipeline again, on
whichever machine (delete a record to rerun its run). Benchmark v2 runs
configs/pipeline/{method}_efflite0_synthetic-v2.py (ImageNet-initialised
EfficientNet-Lite0, the scenes of version 2). Its first table
(benchmarks/results/synthetic_pipeline_v2.md, with its records) was made
with the code of commits 60f6eab-070d037 (--out and --work-dir give its
names); the table of benchmark v1 (benchmarks/results/synthetic_pipeline.md)
with configs that are no longer shipped (the last commit with them is
7d6a16c).
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
from typing import List, Optional

from mmwsss.apis.pipeline import RESULTS, markdown_table
from mmwsss.utils import atomic_write_bytes

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
NAMES = {
    'cam': 'CAM',
    'seam': 'SEAM',
    'ppc-seam': 'SEAM + PPC',
    'eps': 'EPS',
    'ppc-eps': 'EPS + PPC',
    'cam-affinity': 'CAM + AffinityNet'
}
#: pipeline config name (after the method), methods, work dir and table of
#: each benchmark
BENCHMARKS = {
    'v2': ('efflite0_synthetic-v2', list(NAMES),
           'work_dirs/benchmark_v2_final',
           'benchmarks/results/synthetic_pipeline_v2_final.md')
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--benchmark', choices=sorted(BENCHMARKS), default='v2')
    parser.add_argument(
        '--methods',
        nargs='+',
        choices=list(NAMES),
        help='default: every method of the benchmark')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--work-dir', help='default: by benchmark')
    parser.add_argument('--out', help='default: by benchmark')
    args = parser.parse_args()
    _, methods, work_dir, out = BENCHMARKS[args.benchmark]
    missing = sorted(set(args.methods or ()) - set(methods))
    if missing:
        parser.error(f'--methods: benchmark {args.benchmark} has no '
                     f'pipeline for {", ".join(missing)} (it has '
                     f'{", ".join(methods)})')
    args.methods = args.methods or methods
    args.work_dir = args.work_dir or work_dir
    args.out = args.out or out
    return args


def command(benchmark: str, method: str, seed: int, work_dir: str) -> list:
    return [
        'python', 'tools/pipeline.py',
        f'configs/pipeline/{method}_{BENCHMARKS[benchmark][0]}.py',
        '--work-dir',
        osp.join(work_dir,
                 f'{method}_seed{seed}'), '--cfg-options', f'seed={seed}'
    ]


def cell(value: Optional[float]) -> str:
    """A result with two decimals; '-' for None (a result the method's
    pipeline lacks)."""
    return '-' if value is None else f'{value:.2f}'


def median_range(values: List[Optional[float]]) -> str:
    """``median (min-max)`` of the results of the training seeds."""
    if None in values:
        return '-'
    return (f'{cell(statistics.median(values))} '
            f'({cell(min(values))}-{cell(max(values))})')


def main() -> None:
    args = parse_args()
    runs = {}
    for seed in args.seeds:  # every method with one seed, then the next
        for method in args.methods:
            record = osp.join(ROOT,
                              osp.splitext(args.out)[0],
                              f'{method}_seed{seed}.json')
            if not osp.isfile(record):
                cmd = command(args.benchmark, method, seed, args.work_dir)
                print('$', ' '.join(cmd), flush=True)
                subprocess.run([sys.executable] + cmd[1:],
                               cwd=ROOT,
                               check=True)
                with open(osp.join(ROOT, cmd[4], 'results.json')) as f:
                    atomic_write_bytes(record, f.read().encode())
            print(f'{method}, seed {seed}: {record}', flush=True)
            with open(record) as f:
                runs[method, seed] = json.load(f)
    metrics = [key for key, *_ in RESULTS]
    columns = [column for *_, column in RESULTS]
    medians = []
    for method in args.methods:
        values = [runs[method, s] for s in args.seeds]
        wall = statistics.median(v['seconds']['total'] for v in values)
        medians.append([
            NAMES[method],
            *(median_range([v.get(k) for v in values]) for k in metrics),
            f'{wall:.0f}'
        ])
    order = {method: i for i, method in enumerate(args.methods)}
    every = [[
        NAMES[method],
        str(seed), *(cell(r.get(k)) for k in metrics),
        ', '.join(f'{k} {v:.0f}' for k, v in r['seconds'].items())
    ] for (method, seed), r in sorted(
        runs.items(), key=lambda x: (order[x[0][0]], x[0][1]))]
    commands = [
        ' '.join(command(args.benchmark, m, s, args.work_dir))
        for (m, s) in runs
    ]
    text = '\n'.join([
        markdown_table(['method', *columns, 'wall time (s)'], medians), '',
        f'Median (min-max) of training seeds {args.seeds} '
        f'on benchmark {args.benchmark}. Every run:',
        '',
        markdown_table(['method', 'seed', *columns, 'seconds of each step'],
                       every), '', 'Commands:', '', '```bash', *commands, '```'
    ]) + '\n'
    out = osp.join(ROOT, args.out)
    os.makedirs(osp.dirname(out), exist_ok=True)
    with open(out, 'w') as f:
        f.write(text)
    print(text)


if __name__ == '__main__':
    main()

"""The results table of every method on the synthetic benchmark.

    python benchmarks/synthetic_pipeline.py [--methods cam seam ppc-seam eps
        ppc-eps] [--seeds 0 1 2] [--work-dir work_dirs/benchmark]
        [--out benchmarks/results/synthetic_pipeline.md]

Runs the whole pipeline (configs/pipeline/{method}_r18c32_synthetic.py:
stage 1, seed evaluation, pseudo masks, stage 2, evaluation) of each method
with each training seed on the same benchmark data, one process per run,
reusing finished runs (the pipeline is resumable), and writes a markdown
table of the medians and of every run (from each run's results.json), with
the commands and the wall time of each step.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys

from mmwsss.apis.pipeline import markdown_table

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
NAMES = {
    'cam': 'CAM',
    'seam': 'SEAM',
    'ppc-seam': 'SEAM + PPC',
    'eps': 'EPS',
    'ppc-eps': 'EPS + PPC'
}
METRICS = ('seed_mIoU', 'seed_bg_score', 'pseudo_mask_mIoU_train',
           'seg_mIoU_val')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--methods', nargs='+', default=list(NAMES))
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--work-dir', default='work_dirs/benchmark')
    parser.add_argument(
        '--out', default='benchmarks/results/synthetic_pipeline.md')
    return parser.parse_args()


def command(method: str, seed: int, work_dir: str) -> list:
    return [
        'python', 'tools/pipeline.py',
        f'configs/pipeline/{method}_r18c32_synthetic.py', '--work-dir',
        osp.join(work_dir,
                 f'{method}_seed{seed}'), '--cfg-options', f'seed={seed}'
    ]


def main() -> None:
    args = parse_args()
    runs = {}
    for seed in args.seeds:  # every method with one seed, then the next
        for method in args.methods:
            cmd = command(method, seed, args.work_dir)
            print('$', ' '.join(cmd), flush=True)
            subprocess.run([sys.executable] + cmd[1:], cwd=ROOT, check=True)
            with open(osp.join(ROOT, cmd[4], 'results.json')) as f:
                runs[method, seed] = json.load(f)
    medians = []
    for method in args.methods:
        values = [runs[method, s] for s in args.seeds]
        med = {k: statistics.median(v[k] for v in values) for k in METRICS}
        wall = statistics.median(v['seconds']['total'] for v in values)
        medians.append([
            NAMES[method], *(f'{med[k]:.2f}' for k in METRICS), f'{wall:.0f}'
        ])
    order = {method: i for i, method in enumerate(args.methods)}
    every = [[
        NAMES[method],
        str(seed), *(f'{r[k]:.2f}' for k in METRICS),
        ', '.join(f'{k} {v:.0f}' for k, v in r['seconds'].items())
    ] for (method, seed), r in sorted(
        runs.items(), key=lambda x: (order[x[0][0]], x[0][1]))]
    commands = [' '.join(command(m, s, args.work_dir)) for (m, s) in runs]
    text = '\n'.join([
        markdown_table([
            'method', 'seed mIoU (train)', 'bg score',
            'pseudo-mask mIoU (train)', 'seg mIoU (val)', 'wall time (s)'
        ], medians), '', f'Median of training seeds {args.seeds}. Every run:',
        '',
        markdown_table([
            'method', 'seed', 'seed mIoU', 'bg', 'pseudo-mask mIoU',
            'seg mIoU', 'seconds per step'
        ], every), '', 'Commands:', '', '```bash', *commands, '```'
    ]) + '\n'
    out = osp.join(ROOT, args.out)
    os.makedirs(osp.dirname(out), exist_ok=True)
    with open(out, 'w') as f:
        f.write(text)
    print(text)


if __name__ == '__main__':
    main()

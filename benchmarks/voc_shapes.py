"""Training-step and inference cost of the VOC configs at VOC shapes.

For each config: one training step (the config's pipeline, model, loss,
backward and optimizer update, through ``model.train_step``) on a batch of
generated VOC-sized images (375-500 px, in the VOC 2012 layout, written by
``tools/dataset_converters/synthetic_voc.py``), and the inference of one
image through ``model.test_step`` with the config's test settings (the
multi-scale, flipped CAM of a stage-1 classifier; the whole-image prediction
of a stage-2 segmentor). It reports seconds per step, training images per
second, seconds per inferred image and the peak memory of each phase (GPU:
``torch.cuda.max_memory_allocated``; CPU: the peak resident set of the
process that ran the phase, which includes the interpreter and the model).

Each (config, phase) runs in its own process, so that peaks do not carry
over. The batch size defaults to each config's; on a CPU give a small one
(``--batch-size 1``): a ResNet-38d step at 448 px takes tens of seconds.
``--dtype`` sets the training precision: ``float32`` (the optimizer
wrapper becomes mmengine's ``OptimWrapper``), ``bfloat16`` (autocast, CPU
or GPU) or ``float16`` (``AmpOptimWrapper``, GPU).

Usage::

    python benchmarks/voc_shapes.py [--configs CONFIG ...] [--device cpu]
        [--batch-size 1] [--dtype float32] [--steps 2] [--out FILE]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Dict, List

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper

from mmwsss.registry import DATASETS, MODELS
from mmwsss.utils import register_all_modules

CONFIGS = [
    'configs/cam/cam_r38d_1xb8-8e_voc12aug-448x448.py',
    'configs/seam/seam_r38d_1xb8-8e_voc12aug-448x448.py',
    'configs/ppc/ppc-seam_r38d_1xb8-8e_voc12aug-448x448.py',
    'configs/eps/eps_r38d_1xb8-20k_voc12aug-448x448.py',
    'configs/ppc/ppc-eps_r38d_1xb8-20k_voc12aug-448x448.py',
    'configs/seg/deeplabv1-largefov_r38d_1xb10-20k_voc12aug-448x448.py',
    'configs/seg/deeplabv2_r101-d8_1xb10-20k_voc12aug-448x448.py',
]
WRAPPERS = {
    'float32': dict(type='OptimWrapper'),
    'bfloat16': dict(type='BF16OptimWrapper'),
    'float16': dict(type='AmpOptimWrapper', loss_scale='dynamic'),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--configs', nargs='+', default=CONFIGS)
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--batch-size',
        type=int,
        help='training batch size (default: each config\'s own)')
    parser.add_argument(
        '--dtype', choices=sorted(WRAPPERS), default='float32')
    parser.add_argument('--steps', type=int, default=2)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument(
        '--data', help='a VOC-layout folder (default: generated)')
    parser.add_argument('--out', help='also write the table to this file')
    parser.add_argument(
        '--child', help=argparse.SUPPRESS)  # JSON job of a child process
    return parser.parse_args()


def load_config(path: str, data_root: str, dtype: str) -> Config:
    """The config with its data under ``data_root`` and the optimizer
    wrapper of ``dtype``."""
    cfg = Config.fromfile(path)
    for loader in ('train_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = data_root
    if 'pseudo_mask_dir' in cfg:  # stage 2: train on the ground truth
        cfg.train_dataloader.dataset.data_prefix.seg_map_path = \
            'SegmentationClassAug'
    wrapper = cfg.optim_wrapper
    wrapper.update(WRAPPERS[dtype])
    if dtype != 'float16':
        wrapper.pop('loss_scale', None)
    return cfg


def peak_memory_mb(device: str) -> float:
    """Peak memory of this process so far (see the module docstring)."""
    if device.startswith('cuda'):
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


def sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize(device)


def run_phase(job: Dict) -> Dict:
    """Time one phase (``'train'`` or ``'infer'``) of one config."""
    register_all_modules()
    torch.manual_seed(0)
    device = job['device']
    cfg = load_config(job['config'], job['data'], job['dtype'])
    model = MODELS.build(cfg.model).to(device)
    loader = cfg.train_dataloader if job['phase'] == 'train' else \
        cfg.test_dataloader
    dataset = DATASETS.build(loader.dataset)
    batch_size = job['batch_size'] or loader.batch_size
    if job['phase'] == 'infer':
        batch_size = 1
    batch = pseudo_collate([dataset[i] for i in range(batch_size)])
    if job['phase'] == 'train':
        model.train()
        wrapper = build_optim_wrapper(model, cfg.optim_wrapper)

        def step() -> None:
            model.train_step(batch, wrapper)
    else:
        model.eval()

        def step() -> None:
            with torch.no_grad():
                model.test_step(batch)

    times = []
    for i in range(job['warmup'] + job['steps']):
        sync(device)
        start = time.perf_counter()
        step()
        sync(device)
        if i >= job['warmup']:
            times.append(time.perf_counter() - start)
    seconds = sorted(times)[len(times) // 2]
    return dict(
        seconds=seconds,
        batch_size=batch_size,
        images_per_second=batch_size / seconds,
        peak_mb=peak_memory_mb(device))


def run_child(job: Dict) -> Dict:
    """Run one phase in a fresh process and return its result."""
    out = subprocess.run(
        [sys.executable, __file__, '--child',
         json.dumps(job)],
        capture_output=True,
        text=True)
    if out.returncode:
        raise SystemExit(f"{job['config']} ({job['phase']}) failed:\n"
                         f'{out.stderr[-3000:]}')
    return json.loads(out.stdout.strip().splitlines()[-1])


def generate_data(folder: str) -> str:
    """A few VOC-sized images in the VOC 2012 layout."""
    subprocess.run([
        sys.executable, 'tools/dataset_converters/synthetic_voc.py', '--out',
        folder, '--num-train', '4', '--num-train-aug', '12', '--num-val',
        '2', '--min-size', '375', '--max-size', '500'
    ],
                   check=True,
                   capture_output=True)
    return folder


def table(rows: List[Dict], args: argparse.Namespace) -> str:
    device = (
        torch.cuda.get_device_name(args.device)
        if args.device.startswith('cuda') else
        f'CPU ({torch.get_num_threads()} threads)')
    memory = 'peak GPU memory' if args.device.startswith(
        'cuda') else 'peak RSS'
    lines = [
        f'{device}, torch {torch.__version__}, training in {args.dtype}, '
        f'median of {args.steps} after {args.warmup} warm-up\n',
        f'| config | batch | s / step | train images / s | {memory} train '
        f'(MB) | s / image, inference | {memory} inference (MB) |',
        '|---|---|---|---|---|---|---|'
    ]
    for row in rows:
        train, infer = row['train'], row['infer']
        lines.append(
            f"| {os.path.basename(row['config'])} | {train['batch_size']} | "
            f"{train['seconds']:.2f} | {train['images_per_second']:.3g} | "
            f"{train['peak_mb']:.0f} | {infer['seconds']:.2f} | "
            f"{infer['peak_mb']:.0f} |")
    return '\n'.join(lines)


def main() -> None:
    args = parse_args()
    if args.child:
        print(json.dumps(run_phase(json.loads(args.child))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or generate_data(os.path.join(tmp, 'voc'))
        rows = []
        for config in args.configs:
            row = dict(config=config)
            for phase in ('train', 'infer'):
                row[phase] = run_child(
                    dict(
                        config=config,
                        phase=phase,
                        data=data,
                        device=args.device,
                        dtype=args.dtype,
                        batch_size=args.batch_size,
                        steps=args.steps,
                        warmup=args.warmup))
            rows.append(row)
            print(f'{config}: done', file=sys.stderr)
    text = table(rows, args)
    print(text)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()

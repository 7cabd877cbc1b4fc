"""Speed of multi-scale, flipped CAM inference: batched vs one at a time.

    python benchmarks/cam_inference.py CONFIG [--checkpoint CKPT]
        [--num-images 32] [--batch-size 8] [--scales 0.5 1.0 1.5 2.0]

Runs the model's batched inference (every scale once on the whole batch with
the flipped copies stacked on it, ``mmwsss.models.utils.multiscale_cam``)
and a straightforward loop (one image, one scale, one flip per forward) on
the same images and weights, each in its own process so that each reports
its own peak memory, and prints images/s, the ratio, peak memory and the
largest difference between the two outputs.
"""
import argparse
import json
import os.path as osp
import resource
import subprocess
import sys
import time

import torch
import torch.nn.functional as F


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', default=None)
    parser.add_argument('--num-images', type=int, default=32)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--size', type=int, default=128)
    parser.add_argument(
        '--scales', type=float, nargs='+', default=[0.5, 1.0, 1.5, 2.0])
    parser.add_argument(
        '--amp', action='store_true', help='bfloat16 autocast (CPU)')
    parser.add_argument(
        '--mode', choices=['both', 'batched', 'loop'], default='both')
    parser.add_argument('--out', default=None, help='JSON output (children)')
    return parser.parse_args()


def build_model(args):
    from mmengine.config import Config
    from mmengine.runner import load_checkpoint

    from mmwsss.registry import MODELS
    from mmwsss.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(args.config)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint, map_location='cpu')
    return model.eval()


def loop_cam(cam_fn, inputs, scales):
    """One image, one scale, one flip per forward."""
    results = []
    for image in inputs:
        x = image[None]
        total = 0
        for scale in scales:
            xs = x if scale == 1 else F.interpolate(
                x, scale_factor=scale, mode='bilinear', align_corners=False)
            for flip in (False, True):
                cam = cam_fn(xs.flip(-1) if flip else xs)
                cam = F.interpolate(
                    cam,
                    size=x.shape[-2:],
                    mode='bilinear',
                    align_corners=False)
                total = total + (cam.flip(-1) if flip else cam)
        results.append(total)
    return torch.cat(results)


def child(args) -> None:
    from mmwsss.models.utils import multiscale_cam
    model = build_model(args)
    gen = torch.Generator().manual_seed(0)
    inputs = torch.randn(
        args.num_images, 3, args.size, args.size, generator=gen)
    with torch.no_grad(), torch.autocast(
            'cpu', dtype=torch.bfloat16, enabled=args.amp):
        model.inference_cam(inputs[:1])  # warm-up
        start = time.perf_counter()
        if args.mode == 'batched':
            outs = [
                multiscale_cam(model.inference_cam,
                               inputs[i:i + args.batch_size], args.scales,
                               True)
                for i in range(0, args.num_images, args.batch_size)
            ]
        else:
            outs = [loop_cam(model.inference_cam, inputs, args.scales)]
        seconds = time.perf_counter() - start
    torch.save(torch.cat(outs).float(), args.out + '.pt')
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if torch.cuda.is_available():
        peak_mb = torch.cuda.max_memory_allocated() / 2**20
    with open(args.out, 'w') as f:
        json.dump(
            dict(images_per_s=args.num_images / seconds, peak_mb=peak_mb), f)


def main() -> None:
    args = parse_args()
    if args.mode != 'both':
        child(args)
        return
    import tempfile
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ('batched', 'loop'):
            out = osp.join(tmp, f'{mode}.json')
            cmd = [sys.executable, __file__] + [a for a in sys.argv[1:]] + [
                '--mode', mode, '--out', out
            ]
            subprocess.run(cmd, check=True)
            with open(out) as f:
                results[mode] = json.load(f)
            results[mode]['cams'] = torch.load(out + '.pt')
    diff = (results['batched']['cams'] - results['loop']['cams']).abs().max()
    ratio = results['batched']['images_per_s'] / \
        results['loop']['images_per_s']
    print('| mode | images/s | peak memory (MB) |\n|---|---|---|')
    for mode in ('batched', 'loop'):
        r = results[mode]
        print(f'| {mode} | {r["images_per_s"]:.2f} | {r["peak_mb"]:.0f} |')
    print(f'\nbatched / loop speed: {ratio:.2f}x; max |difference| of the '
          f'summed CAMs: {diff:.2e}; {args.num_images} images of '
          f'{args.size}x{args.size}, scales {args.scales} + flip, batch '
          f'{args.batch_size}, {torch.get_num_threads()} threads')


if __name__ == '__main__':
    main()

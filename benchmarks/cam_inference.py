"""Speed of multi-scale, flipped CAM inference: batched vs one at a time,
and ours vs the authors' inference script.

    python benchmarks/cam_inference.py CONFIG [--checkpoint CKPT]
        [--num-images 32] [--batch-size 8] [--scales 0.5 1.0 1.5 2.0]
    python benchmarks/cam_inference.py --authors EPS_CLONE [--method eps]
        [--num-images 32] [--batch-size 8] [--size H W]

The first form runs the model's batched inference (every scale once on the
whole batch with the flipped copies stacked on it,
``mmwsss.models.utils.multiscale_cam``) and a straightforward loop (one
image, one scale, one flip per forward) on the same images and weights,
each in its own process so that each reports its own peak memory, and
prints images/s, the ratio, peak memory and the largest difference between
the two outputs.

With ``--authors``, a clone of halbielee/EPS: its ``infer.py`` (CAM with
``--method cam``, EPS with ``--method eps``) runs unmodified, on CPU, as
``tests/data/authors/generate.py`` runs it for the inference fixture, with
the tiny stand-in network of that fixture under the authors' network class,
on generated images of ``--size``; then mmwsss's ``predict`` of the same
classifier on the stand-in (the same weights; the authors' scales 0.5, 1,
1.5, 2 with flip, PIL-bicubic image resize, their CAM normalisation), in
batches of ``--batch-size``, each in its own process. Both include reading
the images; the authors' time also includes writing their CAM and seed
files. The stand-in network costs next to nothing, so this measures the
inference around the network. The last line is ``speed-up N.Nx, CAMs equal
(max diff D)`` (or ``CAMs differ``). ``--mode ours --profile N`` runs
mmwsss's side alone and prints the N functions with the most time of their
own (cProfile) in its inference (the authors' script infers in a child
process, out of a profiler's sight).
"""
import argparse
import contextlib
import cProfile
import json
import os
import os.path as osp
import pstats
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from mmwsss.utils import load_model_weights, register_all_modules

TESTS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'tests')
#: the authors' runner and the stand-in network of the inference fixture
AUTHORS = osp.join(TESTS, 'data', 'authors')
STANDIN = osp.join(TESTS, 'test_models', 'test_utils')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', nargs='?')
    parser.add_argument('--checkpoint', default=None)
    parser.add_argument('--num-images', type=int, default=32)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument(
        '--size', type=int, nargs='+', default=[128], help='H [W]')
    parser.add_argument('--authors', help='a clone of halbielee/EPS')
    parser.add_argument('--method', choices=['cam', 'eps'], default='eps')
    parser.add_argument(
        '--scales', type=float, nargs='+', default=[0.5, 1.0, 1.5, 2.0])
    parser.add_argument(
        '--amp', action='store_true', help='bfloat16 autocast (CPU)')
    parser.add_argument(
        '--mode',
        choices=['both', 'batched', 'loop', 'authors', 'ours'],
        default='both')
    parser.add_argument('--out', default=None, help='JSON output (children)')
    parser.add_argument(
        '--profile',
        type=int,
        default=0,
        metavar='N',
        help='with --authors and --mode ours: print the N functions with '
        'the most own time (cProfile) of the timed inference')
    args = parser.parse_args()
    if not (args.config or args.authors):
        parser.error('give a CONFIG, or --authors EPS_CLONE')
    args.size = (args.size * 2)[:2]
    return args


def build_model(args):
    from mmengine.config import Config

    from mmwsss.registry import MODELS
    register_all_modules()
    cfg = Config.fromfile(args.config)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    if args.checkpoint:
        load_model_weights(model, args.checkpoint)
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
    inputs = torch.randn(args.num_images, 3, *args.size, generator=gen)
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


@contextlib.contextmanager
def profiled(rows: int):
    """Print the ``rows`` functions with the most own time of the block
    (nothing when ``rows`` is 0)."""
    if not rows:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    yield
    profiler.disable()
    pstats.Stats(profiler).sort_stats('tottime').print_stats(rows)


def authors_inputs(args) -> tuple:
    """The generated images, their ids and classes (1 to 3 of 20)."""
    sys.path.insert(0, AUTHORS)
    import generate
    rng = np.random.default_rng(0)
    names = [f'2007_{i:06d}' for i in range(args.num_images)]
    classes = [
        sorted(rng.choice(20, rng.integers(1, 4), replace=False).tolist())
        for _ in names
    ]
    return generate, generate.make_images([args.size] * len(names),
                                          seed=1), names, classes


def authors_child(args) -> None:
    """The authors' ``infer.py`` on the stand-in, in a temporary folder."""
    generate, images, names, classes = authors_inputs(args)
    generate.patch_for_cpu()
    repo = osp.abspath(args.authors)
    sys.path.insert(0, repo)
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        result = generate.run_inference(args.method, repo, images, names,
                                        classes)
        os.chdir(here)
    torch.save(dict(cams=result['cams'], seconds=result['seconds']),
               args.out)


def ours_child(args) -> None:
    """mmwsss's ``predict`` of the same classifier on the same images."""
    generate, images, names, classes = authors_inputs(args)
    sys.path.insert(0, STANDIN)
    from authors_standin import build_standin_classifier, predict_images
    register_all_modules()
    model = build_standin_classifier(args.method, generate.make_weights())
    images = [torch.from_numpy(img) for img in images]
    with tempfile.TemporaryDirectory() as tmp:
        paths = []  # read back from files, as the authors' script does
        for name, img in zip(names, images):
            paths.append(osp.join(tmp, f'{name}.png'))
            Image.fromarray(img.numpy()).save(paths[-1])
        cams = []
        with torch.no_grad(), profiled(args.profile):
            start = time.perf_counter()
            for i in range(0, len(paths), args.batch_size):
                batch = [
                    torch.from_numpy(np.array(Image.open(p).convert("RGB")))
                    for p in paths[i:i + args.batch_size]
                ]
                for sample, label in zip(
                        predict_images(model, batch,
                                       classes[i:i + args.batch_size],
                                       generate.BG_THR[args.method]),
                        classes[i:i + args.batch_size]):
                    cams.append(sample.pred_cam.data[label].clone())
            seconds = time.perf_counter() - start
    torch.save(dict(cams=cams, seconds=seconds), args.out)


def compare_with_authors(args) -> None:
    """Run both children and print the speed-up and the CAM difference."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ('authors', 'ours'):
            out = osp.join(tmp, f'{mode}.pt')
            subprocess.run(
                [sys.executable, __file__] + sys.argv[1:] +
                ['--mode', mode, '--out', out],
                check=True,
                stdout=subprocess.DEVNULL)
            results[mode] = torch.load(out)
    diff = max((a - b).abs().max().item() for a, b in zip(
        results['authors']['cams'], results['ours']['cams']))
    n = args.num_images
    print('| inference | images/s |\n|---|---|')
    for mode in ('authors', 'ours'):
        print(f"| {mode} | {n / results[mode]['seconds']:.2f} |")
    speed_up = results['authors']['seconds'] / results['ours']['seconds']
    print(f'\n{n} images of {args.size[0]}x{args.size[1]}, {args.method}, '
          f'scales 0.5 1 1.5 2 + flip, batch {args.batch_size}, '
          f'{torch.get_num_threads()} threads')
    equal = 'CAMs equal' if diff < 1e-4 else 'CAMs differ'
    print(f'speed-up {speed_up:.1f}x, {equal} (max diff {diff:.1e})')


def main() -> None:
    args = parse_args()
    children = dict(
        batched=child, loop=child, authors=authors_child, ours=ours_child)
    if args.mode in children:
        children[args.mode](args)
        return
    if args.authors:
        compare_with_authors(args)
        return
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
          f'{args.size[0]}x{args.size[1]}, scales {args.scales} + flip, batch '
          f'{args.batch_size}, {torch.get_num_threads()} threads')


if __name__ == '__main__':
    main()

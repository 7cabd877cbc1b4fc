"""Time the pixel-to-prototype contrast against the authors' block.

The reference is the authors' own PPC block, ``get_contrast_loss`` of
``module/train.py`` in the branch ``esp`` of usr922/wseg (EPS + PPC: the
background channel last, background score 0.10, top-k ``h * w // 16``,
weights 0.1), imported at run time from a clone the user gives with
``--wseg`` (without one the script says so and stops). Ours is the plug-in
of the shipped EPS + PPC config, fed the same projected features (its
projection head replaced by the identity) and resampling view 1 onto view
2's grid as in training.

Both run forward + backward on identical tensors at the paper's shapes
(batch 8, 21 classes, 128-d, view 1 56x56 resized to 16x16, view 2 16x16,
CAMs whose absent classes are 0), interleaved in this process; the times
are medians. The values are checked equal with the random half of the
hard-pixel sampling made the same on both sides (each class's first pixels
in index order). A third function, timed with them, only resamples view
1's features and CAMs onto view 2's grid (ours' warp) and back-propagates
a dot product: the part of the cost every implementation pays, against
which the time left for the contrast itself at the asked speed-up is
printed.

Usage::

    git clone -b esp <usr922/wseg> ../wseg-esp
    python benchmarks/contrast_loss.py --wseg ../wseg-esp [--repeat 20] \
        [--threads 2] [--profile]
"""
import argparse
import contextlib
import gc
import importlib
import random
import sys
import time
from typing import Callable, Dict, Iterator, List, Tuple
from unittest import mock

import torch
from mmengine.config import Config
from torch import Tensor, nn

from mmwsss.models.utils import ViewWarp
from mmwsss.registry import MODELS
from mmwsss.utils import register_all_modules

NUM_IMGS, NUM_CLASSES, EMBED_DIM = 8, 20, 128
VIEW1_GRID, VIEW2_GRID, STRIDE = 56, 16, 8
SEED = 0
#: the speed-up asked of ours over the authors' block
TARGET = 12


def make_inputs(device: str) -> Dict[str, Tensor]:
    """Projected features, refined CAMs (background last) and labels of the
    two views, 1 to 3 classes per image; the classes absent from the batch
    have all-zero CAMs."""
    generator = torch.Generator().manual_seed(SEED)
    labels = torch.zeros(NUM_IMGS, NUM_CLASSES)
    for img in range(NUM_IMGS):
        classes = torch.randperm(NUM_CLASSES, generator=generator)
        labels[img, classes[:img % 3 + 1]] = 1
    present = torch.cat([labels.amax(0), torch.ones(1)])  # (C + 1,)
    inputs = dict(labels=labels)
    for view, size in ((1, VIEW1_GRID), (2, VIEW2_GRID)):
        inputs[f'f{view}'] = torch.randn(
            NUM_IMGS, EMBED_DIM, size, size, generator=generator).relu()
        cam = torch.randn(
            NUM_IMGS, NUM_CLASSES + 1, size, size, generator=generator)
        inputs[f'cam{view}'] = cam.relu() * present[:, None, None]
    return {name: value.to(device) for name, value in inputs.items()}


def load_authors_block(wseg: str) -> Callable[..., Tensor]:
    """``get_contrast_loss`` of the authors' EPS + PPC code at ``wseg``."""
    sys.path.insert(0, wseg)
    try:
        module = importlib.import_module('module.train')
    except ImportError as error:
        raise SystemExit(f'--wseg {wseg}: cannot import module/train.py of '
                         f'the esp branch of usr922/wseg ({error})')
    return module


@contextlib.contextmanager
def authors_on(device: str, same_random: bool) -> Iterator[None]:
    """Let the authors' block run on ``device`` (it calls ``.cuda()``) and,
    with ``same_random``, make ``random.sample`` take the first elements."""
    patches = []
    if device == 'cpu':
        patches.append(mock.patch.object(Tensor, 'cuda', lambda self: self))
    if same_random:
        patches.append(
            mock.patch.object(random, 'sample',
                              lambda population, k: list(population)[:k]))
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        yield


def build_ours(device: str) -> Tuple[nn.Module, ViewWarp]:
    """The shipped EPS + PPC plug-in (identity projection; EPS's background
    channel, last) and the warp of view 1 onto view 2's grid for a view 2
    that is view 1 resized."""
    register_all_modules()
    cfg = Config.fromfile(
        'configs/ppc/ppc-eps_r38d_1xb8-20k_voc12aug-448x448.py')
    contrast = MODELS.build(dict(cfg.model.contrast, bg_index=-1)).to(device)
    contrast.projection = nn.Identity()
    src, dst = VIEW1_GRID * STRIDE, VIEW2_GRID * STRIDE
    relation = dict(
        src_shape=(src, src),
        dst_shape=(dst, dst),
        scale=(dst / src, dst / src),
        offset=(0., 0.),
        flip=False)
    warp = ViewWarp([relation] * NUM_IMGS, (VIEW2_GRID, VIEW2_GRID),
                    torch.device(device))
    return contrast, warp


def forward_backward(fn: Callable[[Tensor, Tensor], Tensor],
                     inputs: Dict[str, Tensor]) -> Tuple[Tensor, List[Tensor]]:
    """The loss and its gradients w.r.t. both views' features."""
    leaves = [inputs[key].detach().requires_grad_() for key in ('f1', 'f2')]
    loss = fn(*leaves)
    loss.backward()
    return loss.detach(), [leaf.grad for leaf in leaves]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--wseg', help='a clone of usr922/wseg, branch esp (the reference)')
    parser.add_argument('--repeat', type=int, default=20)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--profile', action='store_true', help='print the profile of ours')
    args = parser.parse_args()
    if not args.wseg:
        print('No --wseg: give a clone of usr922/wseg (branch esp) to '
              'compare against the authors\' block.')
        return
    torch.set_num_threads(args.threads)
    authors = load_authors_block(args.wseg)
    contrast, warp = build_ours(args.device)
    inputs = make_inputs(args.device)
    labels = inputs['labels']

    def ours(f1: Tensor, f2: Tensor) -> Tensor:
        losses = contrast.loss((f1, f2), (inputs['cam1'], inputs['cam2']),
                               labels, warp)
        return sum(losses.values())

    def resize_only(f1: Tensor, f2: Tensor) -> Tensor:
        # what every implementation pays: view 1's features and CAMs
        # resampled onto view 2's grid, and the gradient back to view 1
        return (warp(f1) * f2).sum() + warp(inputs['cam1']).sum()

    def theirs(f1: Tensor, f2: Tensor) -> Tensor:
        with authors_on(args.device, same_random=False):
            return authors.get_contrast_loss(
                inputs['cam1'], inputs['cam2'], f1, f2, labels,
                gamma=0.1, bg_thres=0.10)

    # Equal values: the random half of the pixel sampling made the same.
    with authors_on(args.device, same_random=True):
        their_loss, their_grads = forward_backward(
            lambda f1, f2: authors.get_contrast_loss(
                inputs['cam1'], inputs['cam2'], f1, f2, labels,
                gamma=0.1, bg_thres=0.10), inputs)
    with mock.patch.object(torch, 'randperm',
                           lambda n, device=None: torch.arange(
                               n, device=device)):
        our_loss, our_grads = forward_backward(ours, inputs)
    loss_diff = (our_loss - their_loss.reshape(())).abs().item()
    grad_diff = max(((a - b).abs().max() / b.abs().max()).item()
                    for a, b in zip(our_grads, their_grads))

    runs = (('ours', ours), ('resize', resize_only), ('authors', theirs))
    times = {name: [] for name, _ in runs}
    for _, fn in runs:  # warm-up
        forward_backward(fn, inputs)
    gc.collect()
    gc.disable()
    for _ in range(args.repeat):
        for name, fn in runs:
            if args.device.startswith('cuda'):
                torch.cuda.synchronize()
            start = time.perf_counter()
            forward_backward(fn, inputs)
            if args.device.startswith('cuda'):
                torch.cuda.synchronize()
            times[name].append(1000 * (time.perf_counter() - start))
    gc.enable()
    median = {name: sorted(t)[len(t) // 2] for name, t in times.items()}
    print(f'torch {torch.__version__}, device {args.device}, '
          f'{torch.get_num_threads()} threads, batch {NUM_IMGS}, '
          f'{NUM_CLASSES + 1} classes, {EMBED_DIM}-d, view 1 {VIEW1_GRID}^2 '
          f'-> {VIEW2_GRID}^2, view 2 {VIEW2_GRID}^2, medians of '
          f'{args.repeat}, interleaved\n')
    print('| PPC loss fwd+bwd | ours (ms) | authors (ms) | speed-up | '
          'loss: ours / authors | max rel. diff of gradients |')
    print('|---|---|---|---|---|---|')
    print(f"| 3 terms x 2 views | {median['ours']:.2f} | "
          f"{median['authors']:.2f} | "
          f"{median['authors'] / median['ours']:.1f}x | "
          f'{our_loss.item():.6f} / {their_loss.item():.6f} '
          f'(diff {loss_diff:.1e}) | {grad_diff:.1e} |')
    print(f"| view-1 resize alone (ours' warp) | {median['resize']:.2f} | - | "
          f"- | - | - |")
    print(f"\nA {TARGET:g}x speed-up leaves {median['authors'] / TARGET:.2f} "
          f"ms for ours, {median['authors'] / TARGET - median['resize']:.2f} "
          'ms of it beyond the resize.')
    if args.profile:
        with torch.profiler.profile() as prof:
            for _ in range(args.repeat):
                forward_backward(ours, inputs)
        print(prof.key_averages().table(
            sort_by='self_cpu_time_total', row_limit=20))


if __name__ == '__main__':
    main()

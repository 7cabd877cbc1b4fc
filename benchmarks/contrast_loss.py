"""Time the pixel-to-prototype contrast against a loop reference.

The reference follows the method as written: a loop over classes for the
prototypes and the intra-view term, a loop over pixels for every contrast.
It receives the same random choices as the vectorised implementation (the
pixel sampler's permutations, drawn from the same seed), so that the loss
values and the gradients can be compared.

Usage::

    python benchmarks/contrast_loss.py [--repeat 5] [--ref-repeat 1] \
        [--device cpu]
"""
import argparse
import gc
import time
from typing import Any, Callable, Dict, List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

import mmwsss.models.heads.projection_head  # noqa: F401 (registers)
import mmwsss.models.losses  # noqa: F401
import mmwsss.models.samplers  # noqa: F401
from mmwsss.models.plugins import PixelPrototypeContrast
from mmwsss.models.utils import pseudo_labels_and_prototypes
from mmwsss.registry import MODELS

NUM_IMGS, NUM_CLASSES, EMBED_DIM = 8, 20, 128
BG_INDEX, BG_SCORE, TOPK_DIVISOR, TEMPERATURE = 0, 0.20, 8, 0.1
LOSS_WEIGHT = 0.1
SEED = 0
CONFIG = dict(
    type='PixelPrototypeContrast',
    projection=dict(type='ProjectionHead', in_channels=4096, channels=128),
    bg_score=BG_SCORE,
    topk_divisor=TOPK_DIVISOR,
    losses=[
        dict(type='CrossPrototypeContrastLoss', loss_weight=LOSS_WEIGHT),
        dict(type='CrossPseudoLabelContrastLoss', loss_weight=LOSS_WEIGHT),
        dict(
            type='IntraViewContrastLoss',
            loss_weight=LOSS_WEIGHT,
            prototype_miner=dict(
                type='SemiHardPrototypeMiner', num_skip=3, num_keep=10),
            pixel_sampler=dict(type='HardPixelSampler'))
    ])


def make_inputs(size: int,
                device: str) -> Tuple[List[Tensor], List[Tensor], Tensor]:
    """Projected features, refined CAMs and labels of two views on a
    ``size`` x ``size`` grid, 1 to 3 classes per image."""
    generator = torch.Generator().manual_seed(SEED)
    projs = [
        torch.randn(NUM_IMGS, EMBED_DIM, size, size,
                    generator=generator).relu().to(device) for _ in range(2)
    ]
    cams = [
        torch.randn(
            NUM_IMGS, NUM_CLASSES + 1, size, size,
            generator=generator).to(device) for _ in range(2)
    ]
    labels = torch.zeros(NUM_IMGS, NUM_CLASSES)
    for img in range(NUM_IMGS):
        classes = torch.randperm(NUM_CLASSES, generator=generator)
        labels[img, classes[:img % 3 + 1]] = 1
    return projs, cams, labels.to(device)


def reference_targets(cam: Tensor, feats: Tensor,
                      labels: Tensor) -> Tuple[Tensor, Tensor]:
    """Pseudo labels (M,) and prototypes (C + 1, D), a loop over classes.

    Ties of the top-K are broken like the vectorised version (lower flat
    index first), which matters for the constant background channel.
    """
    with torch.no_grad():
        _, num_channels, height, width = cam.shape
        cam = cam.relu()
        low = cam.amin((2, 3), keepdim=True)
        high = cam.amax((2, 3), keepdim=True)
        norm = (cam - low - 1e-5).relu() / (high - low + 1e-5)
        norm[:, BG_INDEX] = BG_SCORE
        label_with_bg = torch.cat([
            labels[:, :BG_INDEX],
            labels.new_ones(len(labels), 1), labels[:, BG_INDEX:]
        ], 1)
        scores = torch.softmax(norm * label_with_bg[:, :, None, None], dim=1)
        pseudo_labels = scores.argmax(dim=1).flatten()

        topk = height * width // TOPK_DIVISOR
        flat_feats = feats.permute(0, 2, 3, 1).reshape(-1, feats.shape[1])
        prototypes = []
        for cls in range(num_channels):
            values, index = norm[:, cls].flatten().sort(
                descending=True, stable=True)
            values, index = values[:topk], index[:topk]
            prototype = (values[:, None] * flat_feats[index]).sum(0)
            prototypes.append(F.normalize(prototype / values.sum(), dim=0))
    return pseudo_labels, torch.stack(prototypes)


def pixel_nce(feat: Tensor, positive: Tensor, prototypes: Tensor) -> Tensor:
    """-log(exp(v.p+ / t) / sum_{p in P} exp(v.p / t)) of one pixel."""
    numerator = torch.exp(feat @ positive / TEMPERATURE)
    return -torch.log(
        numerator / torch.exp(prototypes @ feat / TEMPERATURE).sum())


def reference_intra_view(feats: Tensor, labels: Tensor, prototypes: Tensor,
                         permutation: Tensor) -> Tensor:
    """The intra-view term of one view: a loop over classes, then pixels."""
    class_losses = []
    for cls in range(len(prototypes)):
        members = (labels == cls).nonzero()[:, 0]
        num = len(members)
        if num < 2:
            continue
        in_class = permutation[labels[permutation] == cls]
        random_part = in_class[:num // 2]
        with torch.no_grad():
            similarity = feats[members] @ prototypes[cls]
        end = int(0.6 * num)
        least_similar = similarity.topk(end, largest=False).indices
        hard_part = members[least_similar[end - num // 2:]]
        pixel_losses = []
        for pixel in torch.cat([random_part, hard_part]).tolist():
            feat = feats[pixel]
            with torch.no_grad():
                ranked = (prototypes @ feat).topk(13).indices[3:]
            denominator = torch.cat(
                [prototypes[cls][None], prototypes[ranked]])
            pixel_losses.append(pixel_nce(feat, prototypes[cls], denominator))
        class_losses.append(torch.stack(pixel_losses).mean())
    return torch.stack(class_losses).mean()


def reference_contrast(projs: Sequence[Tensor], cams: Sequence[Tensor],
                       labels: Tensor,
                       permutations: Sequence[Tensor]) -> Dict[str, Tensor]:
    """The three terms with loops over classes and pixels."""
    targets = [
        reference_targets(cam, proj, labels) for cam, proj in zip(cams, projs)
    ]
    feats = [
        F.normalize(proj, dim=1).permute(0, 2, 3,
                                         1).reshape(-1, proj.shape[1])
        for proj in projs
    ]
    pseudo = [target[0] for target in targets]
    protos = [target[1] for target in targets]

    def mean_over_pixels(view: int, label_view: int, proto_view: int):
        losses = [
            pixel_nce(feats[view][m],
                      protos[proto_view][pseudo[label_view][m]],
                      protos[proto_view]) for m in range(len(feats[view]))
        ]
        return torch.stack(losses).mean()

    cross_proto = sum(mean_over_pixels(v, v, 1 - v) for v in (0, 1)) / 2
    cross_label = sum(mean_over_pixels(v, 1 - v, v) for v in (0, 1)) / 2
    intra = sum(
        reference_intra_view(feats[v], pseudo[v], protos[v], permutations[v])
        for v in (0, 1)) / 2
    return dict(
        loss_cross_proto=LOSS_WEIGHT * cross_proto,
        loss_cross_label=LOSS_WEIGHT * cross_label,
        loss_intra=LOSS_WEIGHT * intra)


def time_ms(fn: Callable[[], Any], repeat: int,
            device: str) -> Tuple[float, Any]:
    """Median wall time of ``fn`` in milliseconds, after one warm-up, with
    Python's garbage collector off (as ``timeit`` does); and the result of
    the last call."""
    result = fn()
    gc.collect()
    gc.disable()
    times = []
    for _ in range(repeat):
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        start = time.perf_counter()
        result = fn()
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    gc.enable()
    return 1000 * sorted(times)[len(times) // 2], result


def forward_backward(
        loss_fn: Callable[[List[Tensor]], Dict[str, Tensor]],
        projs: Sequence[Tensor]) -> Tuple[Dict[str, Tensor], List[Tensor]]:
    """The losses and the gradients of their sum w.r.t. the projections."""
    leaves = [proj.detach().requires_grad_() for proj in projs]
    losses = loss_fn(leaves)
    sum(losses.values()).backward()
    return {
        name: value.detach()
        for name, value in losses.items()
    }, [leaf.grad for leaf in leaves]


def benchmark(size: int, args: argparse.Namespace,
              contrast: PixelPrototypeContrast) -> List[str]:
    """Markdown rows of one grid size."""
    projs, cams, labels = make_inputs(size, args.device)
    num_pixels = NUM_IMGS * size * size

    def ours(leaves):
        torch.manual_seed(SEED)
        return contrast.loss_by_proj(leaves, cams, labels, BG_INDEX)

    def reference(leaves):
        # The same permutations the pixel sampler draws, view 1 first.
        torch.manual_seed(SEED)
        permutations = [
            torch.randperm(num_pixels, device=args.device) for _ in range(2)
        ]
        return reference_contrast(leaves, cams, labels, permutations)

    ours_ms, (ours_losses,
              ours_grads) = time_ms(lambda: forward_backward(ours, projs),
                                    args.repeat, args.device)
    ref_ms, (ref_losses,
             ref_grads) = time_ms(lambda: forward_backward(reference, projs),
                                  args.ref_repeat, args.device)
    loss_diff = max((ours_losses[name] - ref_losses[name]).abs().item()
                    for name in ref_losses)
    grad_diff = max((ours_grad - ref_grad).abs().max().item()
                    for ours_grad, ref_grad in zip(ours_grads, ref_grads))

    def vectorised():
        return [
            pseudo_labels_and_prototypes(cam, proj, labels, BG_INDEX, BG_SCORE,
                                         TOPK_DIVISOR)
            for cam, proj in zip(cams, projs)
        ]

    def class_loop():
        return [
            reference_targets(cam, proj, labels)
            for cam, proj in zip(cams, projs)
        ]

    vec_ms, vec_targets = time_ms(vectorised, args.repeat, args.device)
    loop_ms, loop_targets = time_ms(class_loop, args.repeat, args.device)
    proto_diff = max((vec.prototypes - loop[1]).abs().max().item()
                     for vec, loop in zip(vec_targets, loop_targets))
    label_mismatch = sum((vec.pseudo_labels.flatten() != loop[0]).sum().item()
                         for vec, loop in zip(vec_targets, loop_targets))
    for name in ours_losses:
        print(f'{size}x{size} {name}: ours {ours_losses[name].item():.6f} '
              f'reference {ref_losses[name].item():.6f}')
    grid = f'{size}x{size}'
    return [
        f'| {grid} | contrast fwd+bwd, 3 terms x 2 views (pixel+class '
        f'loops) | {ours_ms:.1f} | {ref_ms:.1f} | {ref_ms / ours_ms:.0f}x | '
        f'{loss_diff:.1e} | {grad_diff:.1e} |',
        f'| {grid} | prototypes + pseudo labels, 2 views (class loop) | '
        f'{vec_ms:.2f} | {loop_ms:.2f} | {loop_ms / vec_ms:.1f}x | '
        f'{proto_diff:.1e} | {label_mismatch} labels differ |',
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--repeat', type=int, default=5, help='timed runs of ours')
    parser.add_argument(
        '--ref-repeat',
        type=int,
        default=1,
        help='timed runs of the loop reference (slow)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--sizes',
        type=int,
        nargs='+',
        default=[16, 32],
        help='grid sizes (16: the paper, 128x128 view 2 at stride 8)')
    args = parser.parse_args()

    torch.manual_seed(SEED)
    contrast = MODELS.build(CONFIG).to(args.device)
    print(f'torch {torch.__version__}, device {args.device}, '
          f'{torch.get_num_threads()} CPU threads, batch {NUM_IMGS}, '
          f'{NUM_CLASSES + 1} classes, {EMBED_DIM}-d\n')
    rows = []
    for size in args.sizes:
        rows += benchmark(size, args, contrast)
    print('\n| grid | what (reference) | ours (ms) | reference (ms) | '
          'speed-up | max abs diff, losses / prototypes | '
          'max abs diff, gradients |')
    print('|---|---|---|---|---|---|---|')
    print('\n'.join(rows))


if __name__ == '__main__':
    main()

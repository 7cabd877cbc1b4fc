"""Multi-scale, flipped CAM inference and CAM normalisation."""
from typing import Callable, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor


def multiscale_cam(cam_fn: Callable[[Tensor], Tensor],
                   inputs: Tensor,
                   scales: Sequence[float] = (0.5, 1.0, 1.5, 2.0),
                   flip: bool = True) -> Tensor:
    """Sum of CAMs over scales and horizontal flips, at the input size.

    Every scale runs once on the whole batch, the flipped copies stacked onto
    it, so a batch of N images costs one forward of 2N images per scale. Each
    map is resized bilinearly to the input size, flipped maps are flipped
    back, and all maps are summed.

    Args:
        cam_fn (Callable): ``(B, 3, h, w)`` images -> ``(B, C, h', w')`` CAMs.
        inputs (Tensor): ``(N, 3, H, W)`` normalised images.
        scales (Sequence[float]): Image scales. Defaults to the authors'.
        flip (bool): Add horizontally flipped images. Defaults to True.

    Returns:
        Tensor: ``(N, C, H, W)`` summed CAMs.
    """
    n, _, h, w = inputs.shape
    total = None
    for scale in scales:
        x = inputs if scale == 1 else F.interpolate(
            inputs, scale_factor=scale, mode='bilinear', align_corners=False)
        if flip:
            x = torch.cat([x, x.flip(-1)])
        cam = F.interpolate(
            cam_fn(x), size=(h, w), mode='bilinear', align_corners=False)
        if flip:
            cam = cam[:n] + cam[n:].flip(-1)
        total = cam if total is None else total + cam
    return total


def minmax_norm(cam: Tensor, eps: float = 1e-5) -> Tensor:
    """ReLU, then min-max normalise each map of ``(N, C, H, W)`` to [0, 1].

    The authors' ``max_norm``: ``relu(x - min - eps) / (max - min + eps)``
    of the ReLU'd map, per image and channel.
    """
    cam = cam.relu()
    flat = cam.flatten(2)
    low = flat.amin(-1)[..., None, None]
    high = flat.amax(-1)[..., None, None]
    return (cam - low - eps).relu() / (high - low + eps)


def normalize_cam(cam: Tensor, labels: Tensor, eps: float = 1e-5) -> Tensor:
    """Min-max normalise per class and keep the labelled classes.

    Args:
        cam (Tensor): ``(N, C, H, W)`` summed CAMs.
        labels (Tensor): ``(N, C)`` multi-hot image labels.
        eps (float): Stabiliser. Defaults to 1e-5.

    Returns:
        Tensor: ``(N, C, H, W)`` maps in [0, 1], zero for absent classes.
    """
    cam = minmax_norm(cam, eps)
    return cam * labels[..., None, None].to(cam.dtype)


def seeds_from_cam(cam: Tensor, bg_thr: float) -> Tensor:
    """Seed labels: argmax over ``[bg_thr, cam]`` (0 = background).

    Args:
        cam (Tensor): ``(..., C, H, W)`` normalised CAMs.
        bg_thr (float): Constant background score.

    Returns:
        Tensor: ``(..., H, W)`` long labels in ``[0, C]``.
    """
    score, index = cam.max(dim=-3)
    return torch.where(score > bg_thr, index + 1, torch.zeros_like(index))


def resize_to(x: Tensor, size: Tuple[int, int]) -> Tensor:
    """Bilinear resize of ``(N, C, h, w)`` maps to ``size`` (no-op if same)."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=size, mode='bilinear', align_corners=False)

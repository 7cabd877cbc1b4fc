"""Multi-scale, flipped CAM inference and CAM normalisation.

The defaults reproduce the authors' inference scripts (SEAM's
``infer_SEAM.py``, the PPC authors' ``contrast_infer.py``, EPS's
``infer.py``): each image is resized with PIL's bicubic filter to
``round(size * scale)``, its horizontal flip added, the CAMs upsampled to the
image size, flipped back and summed, then normalised per class.
"""
import math
from typing import Callable, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import Tensor

#: ``test_cfg`` choices of the inference (see :func:`multiscale_cam`,
#: :func:`normalize_cam`)
IMG_RESIZE_MODES = ('pil_bicubic', 'bilinear')
CAM_UPSAMPLE_MODES = ('direct', 'via_input')
CAM_NORM_MODES = ('max', 'minmax', 'minmax_clamp')

_PIL_PRECISION_BITS = 22  # Pillow's fixed point for 8-bit images


def _pil_bicubic_filter(x: Tensor) -> Tensor:
    """Pillow's bicubic kernel (``a = -0.5``), same operation order."""
    a = -0.5
    x = x.abs()
    near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1
    far = (((x - 5) * x + 8) * x - 4) * a
    return torch.where(x < 1, near, torch.where(x < 2, far, 0.))


def pil_bicubic_weights(in_size: int,
                        out_size: int,
                        device: Optional[torch.device] = None) -> Tensor:
    """Pillow's bicubic resampling of one axis as an integer matrix.

    Pillow (``Image.resize(..., Image.BICUBIC)`` of an 8-bit image) widens
    the kernel by the scale when downsampling (antialiasing), normalises
    each output pixel's taps to sum 1 and rounds them to fixed point with
    22 fractional bits. This computes the same numbers, in the same double
    precision operation order.

    Args:
        in_size (int): Input length.
        out_size (int): Output length.
        device (torch.device, optional): Device of the result.

    Returns:
        Tensor: ``(out_size, in_size)`` float64 matrix of integer weights
        (``2 ** 22`` stands for 1).
    """
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = 2.0 * filterscale
    ksize = int(math.ceil(support)) * 2 + 1
    f64 = dict(dtype=torch.float64, device=device)
    center = (torch.arange(out_size, **f64) + 0.5) * scale
    xmin = (center - support + 0.5).trunc().clamp(min=0).long()
    xmax = (center + support + 0.5).trunc().clamp(max=in_size).long() - xmin
    taps = torch.arange(ksize, device=device)
    valid = taps[None] < xmax[:, None]
    index = xmin[:, None] + taps[None]
    w = _pil_bicubic_filter(
        (index - center[:, None] + 0.5) * (1.0 / filterscale))
    w = torch.where(valid, w, 0.)
    total = torch.zeros_like(center)
    for k in range(ksize):  # Pillow's summation order
        total = total + w[:, k]
    w = torch.where(total[:, None] != 0, w / total[:, None], w)
    one = float(1 << _PIL_PRECISION_BITS)
    w = torch.where(w < 0, (w * one - 0.5).trunc(), (w * one + 0.5).trunc())
    matrix = torch.zeros(out_size, in_size + ksize, **f64)
    matrix.scatter_(1, index, torch.where(valid, w, 0.))
    return matrix[:, :in_size]


def _pil_pass(pixels: Tensor, weights: Tensor, dim: int) -> Tensor:
    """One 8-bit pass of Pillow's resampling along ``dim`` (-1 or -2)."""
    acc = pixels.movedim(dim, -1) @ weights.T
    out = torch.floor((acc + (1 << (_PIL_PRECISION_BITS - 1))) /
                      (1 << _PIL_PRECISION_BITS)).clamp(0, 255)
    return out.movedim(-1, dim)


def image_pixels(img: Tensor,
                 mean: Optional[Tensor] = None,
                 std: Optional[Tensor] = None) -> Tensor:
    """The 0-255 values of normalised ``(N, 3, H, W)`` images.

    Args:
        img (Tensor): Images, normalised by ``mean`` / ``std`` if given.
        mean (Tensor, optional): ``(3, 1, 1)`` normalisation mean.
        std (Tensor, optional): ``(3, 1, 1)`` normalisation std.

    Returns:
        Tensor: ``(N, 3, H, W)`` float64 integers in [0, 255].
    """
    mean = img.new_zeros(()) if mean is None else mean
    std = img.new_ones(()) if std is None else std
    return (img.double() * std.double() + mean.double()).round().clamp(
        0, 255)


def normalize_pixels(pixels: Tensor,
                     dtype: torch.dtype,
                     mean: Optional[Tensor] = None,
                     std: Optional[Tensor] = None) -> Tensor:
    """``(pixels - mean) / std`` of 0-255 ``(N, 3, H, W)`` pixels as computed
    in float64 and cast to ``dtype`` (the inverse of :func:`image_pixels`).

    The result depends only on a pixel's level and channel, so the 256
    levels of each channel decide the precision: where ``dtype``'s own
    arithmetic gives the same numbers for every level (float32 with the
    usual means and deviations), the pixels are normalised in ``dtype``,
    several times faster; otherwise in float64.

    Args:
        pixels (Tensor): Integer values in [0, 255] (any dtype).
        dtype (torch.dtype): The result's dtype.
        mean (Tensor, optional): ``(3, 1, 1)`` normalisation mean.
        std (Tensor, optional): ``(3, 1, 1)`` normalisation std.

    Returns:
        Tensor: ``(N, 3, H, W)`` normalised images.
    """

    def normalize(x: Tensor, work: torch.dtype) -> Tensor:
        x = x.to(work)
        low = x.new_zeros(()) if mean is None else mean.to(work)
        scale = x.new_ones(()) if std is None else std.to(work)
        return ((x - low) / scale).to(dtype)

    levels = torch.arange(
        256, dtype=dtype, device=pixels.device).expand(1, 3, 1, 256)
    if torch.equal(
            normalize(levels, dtype), normalize(levels, torch.float64)):
        return normalize(pixels, dtype)
    return normalize(pixels, torch.float64)


def resize_image(img: Tensor,
                 size: Tuple[int, int],
                 mode: str = 'pil_bicubic',
                 mean: Optional[Tensor] = None,
                 std: Optional[Tensor] = None,
                 pixels: Optional[Tensor] = None) -> Tensor:
    """Resize ``(N, 3, H, W)`` images to ``size`` (unchanged if equal).

    Args:
        img (Tensor): Images, normalised by ``mean`` / ``std`` if given.
        size (tuple[int, int]): Output ``(h, w)``.
        mode (str): ``'pil_bicubic'``, the authors' PIL bicubic resize of
            the 8-bit image, exactly (the images are turned back into their
            0-255 values, resized and normalised again; on CPU by Pillow
            itself, elsewhere by :func:`pil_bicubic_weights`: horizontal
            pass, then vertical, each rounded to 8 bits, as Pillow), or
            ``'bilinear'`` of the normalised tensor. Defaults to
            'pil_bicubic'.
        mean (Tensor, optional): ``(3, 1, 1)`` normalisation mean.
        std (Tensor, optional): ``(3, 1, 1)`` normalisation std.
        pixels (Tensor, optional): :func:`image_pixels` of ``img``, if
            already computed (e.g. once for several sizes).

    Returns:
        Tensor: ``(N, 3, h, w)`` images, normalised as the input.
    """
    if mode not in IMG_RESIZE_MODES:
        raise ValueError(f'img_resize must be one of {IMG_RESIZE_MODES}, '
                         f'got {mode!r}.')
    h, w = size
    if tuple(img.shape[-2:]) == (h, w):
        return img
    if mode == 'bilinear':
        return F.interpolate(
            img, size=size, mode='bilinear', align_corners=False)
    if pixels is None:
        pixels = image_pixels(img, mean, std)
    if pixels.device.type == 'cpu' and pixels.shape[1] == 3:
        pixels = _pillow_resize(pixels, (h, w))
    else:
        pixels = pil_bicubic_resize(pixels, (h, w))
    return normalize_pixels(pixels, img.dtype, mean, std)


def pil_bicubic_resize(pixels: Tensor, size: Tuple[int, int]) -> Tensor:
    """Pillow's bicubic resize of 0-255 ``(..., H, W)`` pixels as tensor
    operations (on any device): horizontal pass, then vertical, each with
    :func:`pil_bicubic_weights` and rounded to 8 bits, as Pillow."""
    for dim, length in ((-1, size[1]), (-2, size[0])):
        if pixels.shape[dim] != length:
            weights = pil_bicubic_weights(pixels.shape[dim], length,
                                          pixels.device)
            pixels = _pil_pass(pixels, weights, dim)
    return pixels


def _pillow_resize(pixels: Tensor, size: Tuple[int, int]) -> Tensor:
    """Pillow's own bicubic resize of ``(N, 3, H, W)`` 0-255 pixels (the
    same numbers as :func:`_pil_pass`, computed by Pillow: faster on CPU)."""
    h, w = size
    images = pixels.to(torch.uint8).permute(0, 2, 3, 1).numpy()
    return torch.stack([
        torch.from_numpy(
            np.asarray(
                Image.fromarray(image).resize((w, h),
                                              resample=Image.BICUBIC)))
        for image in images
    ]).permute(0, 3, 1, 2).contiguous()  # NCHW: the convolutions' format


def scaled_size(size: Sequence[int], scale: float) -> Tuple[int, int]:
    """``(round(h * scale), round(w * scale))`` as the authors (Python's
    round: halves to even)."""
    return round(size[0] * scale), round(size[1] * scale)


def multiscale_cam(cam_fn: Callable[[Tensor], Tensor],
                   inputs: Tensor,
                   scales: Sequence[float] = (0.5, 1.0, 1.5, 2.0),
                   flip: bool = True,
                   out_size: Optional[Tuple[int, int]] = None,
                   img_resize: str = 'pil_bicubic',
                   cam_upsample: str = 'direct',
                   mean: Optional[Tensor] = None,
                   std: Optional[Tensor] = None) -> Tensor:
    """Sum of CAMs over scales and horizontal flips, at ``out_size``.

    Every scale runs once on the whole batch (images of one size), the
    flipped copies stacked onto it, so a batch of N images costs one forward
    of 2N images per scale. The images are resized by :func:`resize_image`
    to :func:`scaled_size`; each map is upsampled to ``out_size``, flipped
    maps are flipped back, and the maps are summed in the authors' order
    (scale by scale, each image before its flip).

    Args:
        cam_fn (Callable): ``(B, 3, h, w)`` images -> ``(B, C, h', w')`` maps
            on the feature grid.
        inputs (Tensor): ``(N, 3, H, W)`` images, without padding.
        scales (Sequence[float]): Image scales. Defaults to the authors'.
        flip (bool): Add horizontally flipped images. Defaults to True.
        out_size (tuple[int, int], optional): Size of the result. Defaults
            to ``(H, W)``.
        img_resize (str): See :func:`resize_image`. Defaults to
            'pil_bicubic'.
        cam_upsample (str): ``'direct'``: bilinear from the feature grid to
            ``out_size`` (``align_corners=False``; CAM and EPS); or
            ``'via_input'``: first to the scaled input's size
            (``align_corners=True``, inside SEAM's network), then to
            ``out_size`` (``align_corners=False``; SEAM, SEAM + PPC).
            Defaults to 'direct'.
        mean (Tensor, optional): Normalisation mean of ``inputs``.
        std (Tensor, optional): Normalisation std of ``inputs``.

    Returns:
        Tensor: ``(N, C, *out_size)`` summed maps.
    """
    if cam_upsample not in CAM_UPSAMPLE_MODES:
        raise ValueError(f'cam_upsample must be one of {CAM_UPSAMPLE_MODES}'
                         f', got {cam_upsample!r}.')
    n = len(inputs)
    out_size = tuple(out_size or inputs.shape[-2:])
    # the 0-255 values, once for every scale
    pixels = image_pixels(inputs, mean, std) \
        if img_resize == 'pil_bicubic' else None
    total = None
    for scale in scales:
        size = scaled_size(inputs.shape[-2:], scale)
        x = resize_image(inputs, size, img_resize, mean, std, pixels)
        if flip:
            x = torch.cat([x, x.flip(-1)])
        cam = cam_fn(x)
        if cam_upsample == 'via_input':
            cam = F.interpolate(
                cam, size=size, mode='bilinear', align_corners=True)
        cam = F.interpolate(
            cam, size=out_size, mode='bilinear', align_corners=False)
        for part in (cam[:n], cam[n:].flip(-1)) if flip else (cam, ):
            total = part if total is None else total + part
    return total


def minmax_norm(cam: Tensor, eps: float = 1e-5, clamp: bool = True) -> Tensor:
    """ReLU, then min-max normalise each map of ``(N, C, H, W)``.

    With ``clamp`` (the authors' training ``max_norm``): ``relu(x - min -
    eps) / (max - min + eps)`` of the ReLU'd map, per image and channel, in
    [0, 1]. Without it (SEAM's inference scripts): the values below ``min +
    eps`` set to 0, then ``(x - min - eps) / (max - min + eps)``, which
    leaves ``-(min + eps) / (max - min + eps)`` at each map's minimum.
    """
    cam = cam.relu()
    flat = cam.flatten(2)
    low = flat.amin(-1)[..., None, None]
    high = flat.amax(-1)[..., None, None]
    if clamp:
        return (cam - low - eps).relu() / (high - low + eps)
    cam = torch.where(cam < low + eps, 0., cam)
    return (cam - low - eps) / (high - low + eps)


def normalize_cam(cam: Tensor,
                  labels: Tensor,
                  mode: str = 'max',
                  eps: float = 1e-5) -> Tensor:
    """Normalise summed CAMs per class and keep the labelled classes.

    Args:
        cam (Tensor): ``(N, C, H, W)`` summed CAMs.
        labels (Tensor): ``(N, C)`` multi-hot image labels.
        mode (str): ``'max'``: ``cam / (max + eps)`` (CAM and EPS's
            ``infer.py``, the PPC authors' EPS + PPC); ``'minmax'``: SEAM's
            and SEAM + PPC's, exactly: ReLU, the values below ``min + eps``
            set to 0, then ``(cam - min - eps) / (max - min + eps)``, which
            leaves ``-(min + eps) / (max - min + eps) <= 0`` at each map's
            minimum (-1 on a map of zeros); ``'minmax_clamp'``: the same,
            those values clamped to 0 (:func:`minmax_norm`; the seeds are the
            same for any background score >= 0). Defaults to 'max'.
        eps (float): Stabiliser. Defaults to 1e-5.

    Returns:
        Tensor: ``(N, C, H, W)`` normalised maps, zero for absent classes.
    """
    if mode not in CAM_NORM_MODES:
        raise ValueError(f'cam_norm must be one of {CAM_NORM_MODES}, got '
                         f'{mode!r}.')
    if mode == 'max':
        cam = cam / (cam.flatten(2).amax(-1)[..., None, None] + eps)
    else:
        cam = minmax_norm(cam, eps, clamp=mode == 'minmax_clamp')
    return cam * labels[..., None, None].to(cam.dtype)


def resize_to(x: Tensor, size: Tuple[int, int]) -> Tensor:
    """Bilinear resize of ``(N, C, h, w)`` maps to ``size`` (no-op if same)."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=size, mode='bilinear', align_corners=False)

"""Geometric helpers shared by the transforms that move pixels.

A pipeline result dict holds the image under ``'img'`` and every map aligned
with it under the keys listed in ``results['seg_fields']`` (masks such as
``gt_seg_map``, saliency ``gt_saliency``). Masks hold class indices and are
resampled with nearest neighbour; saliency is continuous and resampled
bilinearly.
"""
from typing import Sequence, Tuple

import mmcv
import numpy as np
import torch
import torch.nn.functional as F

#: Aligned maps that hold continuous values (resampled bilinearly).
CONTINUOUS_FIELDS = ('gt_saliency', )


def aligned_keys(results: dict) -> Tuple[str, ...]:
    """Keys of the maps aligned with ``results['img']``."""
    return tuple(k for k in results.get('seg_fields', []) if k in results)


def resize_aligned(results: dict, size: Tuple[int, int],
                   interpolation: str) -> None:
    """Resize the image and its aligned maps in place.

    Args:
        results (dict): Pipeline results.
        size (tuple[int, int]): Target ``(w, h)``.
        interpolation (str): Interpolation of the image (mmcv name).
    """
    results['img'] = mmcv.imresize(
        results['img'], size, interpolation=interpolation)
    for key in aligned_keys(results):
        mode = 'bilinear' if key in CONTINUOUS_FIELDS else 'nearest'
        results[key] = mmcv.imresize(results[key], size, interpolation=mode)
    results['img_shape'] = results['img'].shape[:2]


def resize_align_corners(array: np.ndarray,
                         size: Tuple[int, int]) -> np.ndarray:
    """Bilinear resize with corner samples aligned, as
    ``F.interpolate(mode='bilinear', align_corners=True)``.

    Args:
        array (np.ndarray): ``(H, W)`` or ``(H, W, C)`` image or map.
        size (tuple[int, int]): Target ``(h, w)``.

    Returns:
        np.ndarray: The float32 resized array, ``(h, w[, C])``.
    """
    tensor = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
    planes = tensor.reshape(array.shape[:2] + (-1, )).permute(2, 0, 1)
    resized = F.interpolate(
        planes[None], size, mode='bilinear', align_corners=True)[0]
    return resized.permute(1, 2, 0).reshape(
        tuple(size) + array.shape[2:]).numpy()


def random_offset(size: int, crop: int) -> int:
    """Random source coordinate of a window's origin along one axis.

    A side longer than the window is cropped at a uniformly random position;
    a shorter side is placed at a uniformly random position inside the window
    (a negative offset).

    Args:
        size (int): Length of the side.
        crop (int): Length of the window.

    Returns:
        int: The offset, in ``[min(0, size - crop), max(0, size - crop)]``.
    """
    space = size - crop
    if space >= 0:
        return int(np.random.randint(space + 1))
    return -int(np.random.randint(-space + 1))


def shift_into_canvas(array: np.ndarray, shape: Tuple[int, int],
                      offset: Tuple[int, int],
                      pad_val: Sequence[float]) -> np.ndarray:
    """Copy ``array`` onto a canvas: ``canvas[y, x] = array[y + oy, x + ox]``.

    One operation for both cropping (offset inside the array) and padding
    (negative offset, or a canvas larger than the array); canvas pixels that
    fall outside ``array`` get ``pad_val``.

    Args:
        array (np.ndarray): ``(H, W)`` or ``(H, W, C)`` source.
        shape (tuple[int, int]): Canvas ``(h, w)``.
        offset (tuple[int, int]): ``(oy, ox)``, source coordinates of the
            canvas origin.
        pad_val (float | Sequence[float]): Fill value (per channel).

    Returns:
        np.ndarray: The ``(h, w[, C])`` canvas, of ``array``'s dtype.
    """
    h, w = shape
    oy, ox = offset
    canvas = np.empty((h, w) + array.shape[2:], dtype=array.dtype)
    canvas[...] = pad_val
    y0, x0 = max(0, -oy), max(0, -ox)
    y1 = min(h, array.shape[0] - oy)
    x1 = min(w, array.shape[1] - ox)
    if y1 > y0 and x1 > x0:
        canvas[y0:y1, x0:x1] = array[y0 + oy:y1 + oy, x0 + ox:x1 + ox]
    return canvas


def shift_aligned(results: dict, shape: Tuple[int, int],
                  offset: Tuple[int, int], pad_val: Sequence[float],
                  seg_pad_val: int, saliency_pad_val: float) -> None:
    """Apply :func:`shift_into_canvas` to the image and its aligned maps.

    Args:
        results (dict): Pipeline results, changed in place.
        shape (tuple[int, int]): Canvas ``(h, w)``.
        offset (tuple[int, int]): ``(oy, ox)`` source coordinates of the
            canvas origin.
        pad_val (Sequence[float]): Image fill, in the image's channel order.
        seg_pad_val (int): Mask fill (the ignore index).
        saliency_pad_val (float): Saliency fill.
    """
    results['img'] = shift_into_canvas(results['img'], shape, offset, pad_val)
    for key in aligned_keys(results):
        fill = saliency_pad_val if key in CONTINUOUS_FIELDS else seg_pad_val
        results[key] = shift_into_canvas(results[key], shape, offset, fill)
    results['img_shape'] = tuple(shape)

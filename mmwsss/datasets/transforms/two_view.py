"""The second view of a training image, with its exact geometric relation."""
from typing import Optional, Tuple

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from mmwsss.registry import TRANSFORMS
from .utils import (random_offset, resize_align_corners, resize_aligned,
                    shift_aligned)


@TRANSFORMS.register_module()
class TwoViewTransform(BaseTransform):
    """Make view 2 of the (already augmented) image and record the relation.

    View 2 is view 1 resized to ``size`` times a scale ``s``, then cropped
    (``s > 1``) or padded (``s < 1``) back to ``size`` at a random position,
    then flipped horizontally with probability ``flip_prob``. The default
    (``s = 1``, no flip) reproduces the PPC authors: view 2 is view 1 resized
    to 128x128. The relation is recorded in ``view_relation`` (see
    :mod:`mmwsss.structures.view_relation`), so a model can map view 1's
    maps onto view 2's grid exactly. Saliency follows the image; masks are
    not carried to view 2 (they never serve training).

    Required Keys:

    - img
    - gt_saliency (optional)

    Added Keys:

    - view2_img
    - view2_saliency (if ``gt_saliency`` is present)
    - view_relation (dict: src_shape, dst_shape, scale, offset, flip)

    Args:
        size (tuple[int, int]): View 2 ``(h, w)``. Defaults to (128, 128).
        scale_range (tuple[float, float], optional): Range of the random
            zoom ``s`` of view 2 relative to ``size``. Defaults to None
            (``s = 1``).
        flip_prob (float): Probability of flipping view 2. Defaults to 0.
        interpolation (str): Image interpolation of mmcv's ``imresize``,
            used with ``align_corners=False``. Defaults to 'bilinear'.
        align_corners (bool): Resize the image (and saliency) as the
            authors do, ``F.interpolate(mode='bilinear',
            align_corners=True)`` on float values, which gives a float32
            view 2 (the authors resize the normalised batch; normalisation
            commutes with the resize). False: mmcv's ``imresize`` with
            ``interpolation`` (pixel centres, the image's dtype). Defaults to
            True.
        pad_val (Sequence[float]): Image fill where view 2 extends beyond
            view 1 (``s < 1``). Defaults to the ImageNet mean, BGR.
    """

    def __init__(self,
                 size: Tuple[int, int] = (128, 128),
                 scale_range: Optional[Tuple[float, float]] = None,
                 flip_prob: float = 0.,
                 interpolation: str = 'bilinear',
                 align_corners: bool = True,
                 pad_val: Tuple[float, ...] = (103.53, 116.28, 123.675)):
        if len(size) != 2 or min(size) <= 0:
            raise ValueError(f'TwoViewTransform: invalid size {size}.')
        if scale_range is not None and not (0 < scale_range[0] <=
                                            scale_range[1]):
            raise ValueError('TwoViewTransform: scale_range must be '
                             f'(low, high) with 0 < low <= high, got '
                             f'{scale_range}.')
        if not 0 <= flip_prob <= 1:
            raise ValueError('TwoViewTransform: flip_prob must be in [0, 1], '
                             f'got {flip_prob}.')
        self.size = tuple(size)
        self.scale_range = scale_range
        self.flip_prob = flip_prob
        self.interpolation = interpolation
        self.align_corners = align_corners
        self.pad_val = tuple(pad_val)

    def transform(self, results: dict) -> dict:
        """Add view 2 and the relation to ``results``.

        Args:
            results (dict): Pipeline results holding view 1.

        Returns:
            dict: The results with ``view2_img`` and ``view_relation``.
        """
        h1, w1 = results['img'].shape[:2]
        h2, w2 = self.size
        zoom = 1. if self.scale_range is None else np.random.uniform(
            *self.scale_range)
        rh, rw = max(1, round(h2 * zoom)), max(1, round(w2 * zoom))
        view = dict(
            img=results['img'],
            seg_fields=['gt_saliency'] if 'gt_saliency' in results else [])
        if 'gt_saliency' in results:
            view['gt_saliency'] = results['gt_saliency']
        if self.align_corners:
            for key in ['img'] + view['seg_fields']:
                view[key] = resize_align_corners(view[key], (rh, rw))
        else:
            resize_aligned(view, (rw, rh), self.interpolation)
        offset = (random_offset(rh, h2), random_offset(rw, w2))
        shift_aligned(view, (h2, w2), offset, self.pad_val, 255, 0.)
        flip = bool(np.random.rand() < self.flip_prob)
        if flip:
            for key in ['img'] + view['seg_fields']:
                view[key] = np.ascontiguousarray(
                    mmcv.imflip(view[key], direction='horizontal'))
        results['view2_img'] = view['img']
        if 'gt_saliency' in view:
            results['view2_saliency'] = view['gt_saliency']
        results['view_relation'] = dict(
            src_shape=(h1, w1),
            dst_shape=(h2, w2),
            scale=(rh / h1, rw / w1),
            offset=tuple(int(o) for o in offset),
            flip=flip)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'scale_range={self.scale_range}, '
                f'align_corners={self.align_corners}, '
                f'flip_prob={self.flip_prob}, '
                f'interpolation={self.interpolation!r})')

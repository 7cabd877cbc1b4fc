"""Random resize of the long image side (the WSSS training augmentation)."""
from typing import Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmwsss.registry import TRANSFORMS
from .utils import resize_aligned


@TRANSFORMS.register_module()
class RandomResizeLong(BaseTransform):
    """Resize so that the long side is a random length in a range.

    The long side becomes an integer drawn uniformly from
    ``[min_long, max_long]``; the aspect ratio is kept. Aligned maps follow
    (masks by nearest neighbour, saliency bilinearly).

    Required Keys:

    - img

    Modified Keys:

    - img
    - img_shape
    - every key in ``seg_fields`` (e.g. gt_seg_map, gt_saliency)

    Added Keys:

    - scale_factor (``(w_scale, h_scale)``)

    Args:
        min_long (int): Shortest long side.
        max_long (int): Longest long side.
        interpolation (str): Image interpolation; the authors use bicubic.
            Defaults to 'bicubic'.
    """

    def __init__(self,
                 min_long: int,
                 max_long: int,
                 interpolation: str = 'bicubic') -> None:
        if not 0 < min_long <= max_long:
            raise ValueError(
                'RandomResizeLong needs 0 < min_long <= max_long, '
                f'got {min_long}, {max_long}.')
        self.min_long = min_long
        self.max_long = max_long
        self.interpolation = interpolation

    def _target_size(self, h: int, w: int) -> Tuple[int, int]:
        """Draw the target ``(w, h)``."""
        long_side = np.random.randint(self.min_long, self.max_long + 1)
        scale = long_side / max(h, w)
        return max(1, round(w * scale)), max(1, round(h * scale))

    def transform(self, results: dict) -> dict:
        """Resize the image and its aligned maps.

        Args:
            results (dict): Pipeline results.

        Returns:
            dict: Resized results.
        """
        h, w = results['img'].shape[:2]
        new_w, new_h = self._target_size(h, w)
        resize_aligned(results, (new_w, new_h), self.interpolation)
        results['scale_factor'] = (new_w / w, new_h / h)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(min_long={self.min_long}, '
                f'max_long={self.max_long}, '
                f'interpolation={self.interpolation!r})')

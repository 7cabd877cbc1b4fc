"""Random crop that pads small images, keeping every aligned map aligned."""
from typing import Sequence, Tuple, Union

from mmcv.transforms import BaseTransform

from mmwsss.registry import TRANSFORMS
from .utils import random_offset, shift_aligned


@TRANSFORMS.register_module()
class RandomCropPad(BaseTransform):
    """Crop a fixed-size window; images smaller than it are padded.

    The SEAM/PPC/EPS training crop: along each axis, a longer side is cropped
    at a uniformly random position and a shorter side is placed at a random
    position inside the window. Image, masks and saliency share the same
    window. The authors crop after normalisation, so their padding is zero in
    normalised space: with mmseg's data preprocessor that is the mean colour,
    the default ``pad_val`` (in BGR order, mmcv's loading order).

    Required Keys:

    - img

    Modified Keys:

    - img
    - img_shape
    - every key in ``seg_fields`` (e.g. gt_seg_map, gt_saliency)

    Added Keys:

    - crop_offset (``(oy, ox)``: source pixel of the window's top-left
      corner; negative where the image was padded)

    Args:
        crop_size (int | tuple[int, int]): Window ``(h, w)`` or side.
        pad_val (Sequence[float]): Image fill per channel. Defaults to the
            ImageNet mean in BGR order.
        seg_pad_val (int): Mask fill. Defaults to 255 (ignored).
        saliency_pad_val (float): Saliency fill. Defaults to 0.
    """

    def __init__(self,
                 crop_size: Union[int, Tuple[int, int]],
                 pad_val: Sequence[float] = (103.53, 116.28, 123.675),
                 seg_pad_val: int = 255,
                 saliency_pad_val: float = 0.) -> None:
        if isinstance(crop_size, int):
            crop_size = (crop_size, crop_size)
        if len(crop_size) != 2 or min(crop_size) <= 0:
            raise ValueError(f'RandomCropPad: invalid crop_size {crop_size}.')
        self.crop_size = tuple(crop_size)
        self.pad_val = tuple(pad_val)
        self.seg_pad_val = seg_pad_val
        self.saliency_pad_val = saliency_pad_val

    def transform(self, results: dict) -> dict:
        """Crop (and pad) the image and its aligned maps.

        Args:
            results (dict): Pipeline results.

        Returns:
            dict: Cropped results.
        """
        h, w = results['img'].shape[:2]
        offset = (random_offset(h, self.crop_size[0]),
                  random_offset(w, self.crop_size[1]))
        shift_aligned(results, self.crop_size, offset, self.pad_val,
                      self.seg_pad_val, self.saliency_pad_val)
        results['crop_offset'] = offset
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(crop_size={self.crop_size}, '
                f'pad_val={self.pad_val}, seg_pad_val={self.seg_pad_val}, '
                f'saliency_pad_val={self.saliency_pad_val})')

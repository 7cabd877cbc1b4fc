"""Colour jitter with torchvision's semantics on mmcv's photometric ops."""
from typing import Tuple

import cv2
import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from mmwsss.registry import TRANSFORMS


def adjust_hue(img: np.ndarray, hue_factor: float) -> np.ndarray:
    """Shift the hue of a BGR uint8 image cyclically by ``hue_factor``.

    torchvision's definition (``hue_factor`` in [-0.5, 0.5], a fraction of
    the hue circle); ``mmcv.adjust_hue`` implements it too but overflows on
    negative factors with numpy 2.
    """
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV_FULL)
    shift = np.uint8(int(hue_factor * 255) % 256)
    hsv[..., 0] += shift  # uint8 arithmetic wraps around the circle
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR_FULL)


@TRANSFORMS.register_module()
class ColorJitter(BaseTransform):
    """Randomly change brightness, contrast, saturation and hue.

    Same semantics as ``torchvision.transforms.ColorJitter`` (used by the SEAM,
    EPS and PPC authors): each factor is drawn uniformly from
    ``[max(0, 1 - v), 1 + v]`` (hue shift from ``[-hue, hue]``) and the four
    adjustments are applied in a random order. The image is uint8 in mmcv's
    BGR order.

    Required Keys:

    - img

    Modified Keys:

    - img

    Args:
        brightness (float): Brightness jitter. Defaults to 0.
        contrast (float): Contrast jitter. Defaults to 0.
        saturation (float): Saturation jitter. Defaults to 0.
        hue (float): Hue jitter, at most 0.5. Defaults to 0.
    """

    def __init__(self,
                 brightness: float = 0.,
                 contrast: float = 0.,
                 saturation: float = 0.,
                 hue: float = 0.) -> None:
        for name, value in (('brightness', brightness), ('contrast', contrast),
                            ('saturation', saturation), ('hue', hue)):
            if value < 0:
                raise ValueError(f'ColorJitter: {name} must be >= 0, got '
                                 f'{value}.')
        if hue > 0.5:
            raise ValueError(f'ColorJitter: hue must be <= 0.5, got {hue}.')
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue

    @staticmethod
    def _factor(value: float) -> float:
        return np.random.uniform(max(0., 1. - value), 1. + value)

    def _ops(self) -> Tuple:
        """The enabled adjustments as ``(function, amount)`` pairs."""
        ops = []
        if self.brightness:
            ops.append((mmcv.adjust_brightness, self._factor(self.brightness)))
        if self.contrast:
            ops.append((mmcv.adjust_contrast, self._factor(self.contrast)))
        if self.saturation:
            ops.append((mmcv.adjust_color, self._factor(self.saturation)))
        if self.hue:
            ops.append((adjust_hue, np.random.uniform(-self.hue, self.hue)))
        return tuple(ops)

    def transform(self, results: dict) -> dict:
        """Jitter ``results['img']``.

        Args:
            results (dict): Pipeline results.

        Returns:
            dict: Results with the jittered image.
        """
        ops = self._ops()
        img = results['img']
        for index in np.random.permutation(len(ops)):
            func, amount = ops[index]
            img = func(img, amount)
        results['img'] = img.astype(np.uint8)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(brightness={self.brightness}, '
                f'contrast={self.contrast}, saturation={self.saturation}, '
                f'hue={self.hue})')

"""Loading of the affinity labels that train AffinityNet."""
import os.path as osp

import numpy as np
from mmcv.transforms import BaseTransform
from PIL import Image

from mmwsss.registry import TRANSFORMS
from mmwsss.utils import safe_join


@TRANSFORMS.register_module()
class LoadAffinityLabel(BaseTransform):
    """Load an image's affinity label map as its segmentation map.

    The map (written by ``tools/affinity_labels.py``: ``{img_id}.png`` in
    ``label_dir``, 0 background, 1..C classes, 255 unreliable) becomes
    ``gt_seg_map`` and joins ``seg_fields``, so that the resizes, flips and
    crops of the pipeline keep it aligned with the image (nearest neighbour,
    padding 255) and :class:`PackWSSSInputs` packs it as ``gt_sem_seg``.

    Required Keys:

    - img_id
    - img_shape

    Added Keys:

    - gt_seg_map (np.uint8, ``(H, W)``)

    Modified Keys:

    - seg_fields (``'gt_seg_map'`` appended)

    Args:
        label_dir (str): Folder of the affinity label PNGs.
        suffix (str): File suffix. Defaults to '.png'.
    """

    def __init__(self, label_dir: str, suffix: str = '.png') -> None:
        self.label_dir = label_dir
        self.suffix = suffix

    @staticmethod
    def read(path: str) -> np.ndarray:
        """Read a label PNG (palette or grayscale) into ``(H, W)`` uint8.

        Args:
            path (str): The PNG file.

        Returns:
            np.ndarray: The label indices.
        """
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'The affinity label {path} does not exist: write the labels '
                'with tools/affinity_labels.py first.')
        with Image.open(path) as img:
            label = np.asarray(img)
        if label.ndim != 2 or label.dtype != np.uint8:
            raise ValueError(f'The affinity label {path} must be a '
                             'single-channel 8-bit PNG of class indices, got '
                             f'{label.dtype} {label.shape}.')
        return label

    def transform(self, results: dict) -> dict:
        """Load the label map of ``results['img_id']``.

        Args:
            results (dict): Pipeline results.

        Returns:
            dict: The results with ``gt_seg_map``.
        """
        path = safe_join(self.label_dir, results['img_id'], self.suffix)
        label = self.read(path)
        h, w = results['img_shape'][:2]
        if label.shape != (h, w):
            raise ValueError(f'The affinity label {path} is '
                             f'{label.shape[0]}x{label.shape[1]} but its '
                             f'image is {h}x{w}.')
        results['gt_seg_map'] = label
        fields = results.setdefault('seg_fields', [])
        if 'gt_seg_map' not in fields:
            fields.append('gt_seg_map')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(label_dir={self.label_dir!r}, '
                f'suffix={self.suffix!r})')

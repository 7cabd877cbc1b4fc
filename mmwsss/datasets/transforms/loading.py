"""Loading of saliency maps beside the image."""
import os.path as osp

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from mmwsss.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadSaliencyFromFile(BaseTransform):
    """Load the saliency map of an image as a float map in [0, 1].

    Saliency maps come from off-the-shelf salient object detectors and are
    stored one per image. Accepted files and their conversion:

    - 8-bit grayscale PNG/JPEG (0-255): divided by 255;
    - 16-bit grayscale PNG (0-65535): divided by 65535;
    - 3-channel PNG whose channels are equal (a gray map saved as RGB):
      one channel is used; a colour image is refused;
    - ``.npy`` float map already in [0, 1]: used as is; values outside
      [0, 1] are refused.

    A map of another size than the image is refused unless
    ``resize_to_image=True``, which resizes it bilinearly.

    Required Keys:

    - img_shape
    - saliency_path

    Added Keys:

    - gt_saliency (np.float32, ``(H, W)`` in [0, 1])

    Modified Keys:

    - seg_fields (``'gt_saliency'`` appended, so that flips and crops keep
      the map aligned with the image)

    Args:
        resize_to_image (bool): Resize a map of another size than the image
            instead of raising. Defaults to False.
    """

    def __init__(self, resize_to_image: bool = False) -> None:
        self.resize_to_image = resize_to_image

    @staticmethod
    def read(path: str) -> np.ndarray:
        """Read a saliency file into a float32 ``(H, W)`` map in [0, 1].

        Args:
            path (str): The saliency file.

        Returns:
            np.ndarray: The map.
        """
        if not osp.isfile(path):
            raise FileNotFoundError(f'The saliency map {path} does not exist.')
        if path.endswith('.npy'):
            sal = np.load(path, allow_pickle=False)
            if sal.ndim == 3 and sal.shape[0] == 1:
                sal = sal[0]
            if sal.ndim != 2 or not np.issubdtype(sal.dtype, np.floating):
                raise ValueError(f'The saliency map {path} must be a 2-D '
                                 f'float array, got {sal.dtype} {sal.shape}.')
            if sal.size and (sal.min() < 0 or sal.max() > 1):
                raise ValueError(f'The saliency map {path} must hold values '
                                 f'in [0, 1], got [{sal.min()}, {sal.max()}].')
            return sal.astype(np.float32)
        sal = mmcv.imread(path, flag='unchanged')
        if sal is None:
            raise ValueError(f'Cannot decode the saliency map {path}.')
        if sal.ndim == 3:
            if sal.shape[2] == 4:
                sal = sal[..., :3]
            if not (sal == sal[..., :1]).all():
                raise ValueError(f'The saliency map {path} is a colour image; '
                                 'expected one gray channel.')
            sal = sal[..., 0]
        if sal.dtype == np.uint8:
            return sal.astype(np.float32) / 255.
        if sal.dtype == np.uint16:
            return sal.astype(np.float32) / 65535.
        raise ValueError(f'The saliency map {path} has the unsupported pixel '
                         f'type {sal.dtype}.')

    def transform(self, results: dict) -> dict:
        """Load the saliency map of ``results['saliency_path']``.

        Args:
            results (dict): Pipeline results.

        Returns:
            dict: The results with ``gt_saliency``.
        """
        path = results['saliency_path']
        sal = self.read(path)
        h, w = results['img_shape'][:2]
        if sal.shape != (h, w):
            if not self.resize_to_image:
                raise ValueError(
                    f'The saliency map {path} is {sal.shape[0]}x{sal.shape[1]}'
                    f' but its image is {h}x{w} (set resize_to_image=True '
                    'to resize it).')
            sal = mmcv.imresize(sal, (w, h), interpolation='bilinear')
        results['gt_saliency'] = sal
        results.setdefault('seg_fields', []).append('gt_saliency')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}'
                f'(resize_to_image={self.resize_to_image})')

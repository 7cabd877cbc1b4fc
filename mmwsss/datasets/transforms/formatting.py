"""Packing of pipeline results into model inputs and WSSS data samples."""
import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.datasets.transforms import PackSegInputs

from mmwsss.registry import TRANSFORMS
from mmwsss.structures import WSSSDataSample


def image_to_tensor(img: np.ndarray) -> torch.Tensor:
    """``(H, W[, C])`` image -> contiguous ``(C, H, W)`` tensor."""
    if img.ndim < 3:
        img = img[..., None]
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))


def map_to_pixel_data(array: np.ndarray) -> PixelData:
    """``(H, W)`` float map -> :class:`PixelData` with ``(1, H, W)`` data."""
    return PixelData(
        data=torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
        [None])


@TRANSFORMS.register_module()
class PackWSSSInputs(PackSegInputs):
    """Pack an image and its weak labels for a WSSS model.

    ``inputs`` is view 1 (the image) as a uint8 ``(3, H, W)`` tensor, as
    mmseg packs it; the data sample is a :class:`WSSSDataSample` holding
    ``gt_label``, and where present ``gt_sem_seg`` (evaluation only),
    ``gt_saliency``, ``view2_inputs``, ``view2_saliency`` and the
    ``view_relation`` metainfo.

    Required Keys:

    - img
    - gt_label
    - gt_seg_map, gt_saliency, view2_img, view2_saliency, view_relation
      (optional)

    Added Keys:

    - inputs
    - data_samples

    Args:
        meta_keys (Sequence[str]): Keys copied into the metainfo. Defaults to
            mmseg's keys plus ``img_id``, ``view_relation``, ``crop_offset``.
    """

    def __init__(
        self,
        meta_keys=('img_path', 'seg_map_path', 'img_id', 'ori_shape',
                   'img_shape', 'pad_shape', 'scale_factor', 'flip',
                   'flip_direction', 'reduce_zero_label', 'crop_offset',
                   'view_relation')
    ) -> None:
        super().__init__(meta_keys=meta_keys)

    def transform(self, results: dict) -> dict:
        """Pack ``results``.

        Args:
            results (dict): Pipeline results.

        Returns:
            dict: ``inputs`` and ``data_samples``.
        """
        packed = super().transform(results)
        seg_sample = packed['data_samples']
        sample = WSSSDataSample(metainfo=seg_sample.metainfo)
        if 'gt_sem_seg' in seg_sample:
            sample.gt_sem_seg = seg_sample.gt_sem_seg
        sample.gt_label = torch.from_numpy(
            np.asarray(results['gt_label'], dtype=np.float32))
        if 'gt_saliency' in results:
            sample.gt_saliency = map_to_pixel_data(results['gt_saliency'])
        if 'view2_img' in results:
            sample.view2_inputs = image_to_tensor(results['view2_img'])
        if 'view2_saliency' in results:
            sample.view2_saliency = map_to_pixel_data(
                results['view2_saliency'])
        packed['data_samples'] = sample
        return packed

"""The CAM and ground-truth mask of one evaluated sample."""
from typing import Tuple

from torch import Tensor


def cam_and_mask(sample: dict) -> Tuple[Tensor, Tensor]:
    """The predicted CAMs and the ground truth of a test output.

    Args:
        sample (dict): A model output with ``pred_cam`` and ``gt_sem_seg``.

    Returns:
        tuple[Tensor, Tensor]: ``(C, H, W)`` CAMs and the ``(H, W)`` mask on
        their device.

    Raises:
        ValueError: The CAMs and the mask differ in size (names the image).
    """
    cam = sample['pred_cam']['data']
    gt = sample['gt_sem_seg']['data'][0].to(cam.device)
    if cam.shape[-2:] != gt.shape:
        raise ValueError(f'{sample.get("img_path")}: CAM size '
                         f'{tuple(cam.shape)} differs from its mask '
                         f'{tuple(gt.shape)}.')
    return cam, gt

"""The data sample that carries one image through a WSSS model."""
from typing import List, Optional, Type

import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from torch import Tensor


def _field(name: str, dtype: Optional[Type] = None) -> property:
    """A typed data-field property stored under ``'_' + name``."""
    key = '_' + name

    def getter(self):
        return getattr(self, key)

    def setter(self, value):
        self.set_field(value, key, dtype=dtype)

    def deleter(self):
        delattr(self, key)

    return property(getter, setter, deleter, doc=f'The ``{name}`` field.')


class WSSSDataSample(SegDataSample):
    """A :class:`SegDataSample` with the fields of weak supervision.

    Besides mmseg's ``gt_sem_seg`` (used for evaluation only), ``pred_sem_seg``
    and ``seg_logits``, it carries:

    - ``gt_label`` (Tensor): ``(num_classes,)`` float multi-hot image-level
      label of the foreground classes (index 0 is the first foreground class).
    - ``gt_saliency`` (PixelData): ``data`` of shape ``(1, H, W)``, float
      saliency in [0, 1] aligned with the input image.
    - ``view2_inputs`` (Tensor): ``(3, h, w)`` second view of the image (raw
      from the pipeline, normalised by the data preprocessor).
    - ``view2_saliency`` (PixelData): saliency aligned with the second view.
    - ``pred_cam`` (PixelData): ``data`` of shape ``(num_classes, H, W)``,
      class activation maps in [0, 1] at the original image size, zero for
      classes absent from the image label.

    The geometric relation between the views lives in the metainfo key
    ``view_relation`` (see :mod:`mmwsss.structures.view_relation`).
    """

    gt_label = _field('gt_label', Tensor)
    gt_saliency = _field('gt_saliency', PixelData)
    view2_inputs = _field('view2_inputs', Tensor)
    view2_saliency = _field('view2_saliency', PixelData)
    pred_cam = _field('pred_cam', PixelData)


def stack_labels(data_samples: List[WSSSDataSample]) -> Tensor:
    """Stack the ``gt_label`` of data samples into ``(N, num_classes)``."""
    return torch.stack([s.gt_label for s in data_samples]).float()

"""Data preprocessor that also normalises the second view."""
from typing import Any, Dict

import torch
from mmseg.models import SegDataPreProcessor
from mmseg.utils import stack_batch

from mmwsss.registry import MODELS


@MODELS.register_module()
class WSSSDataPreProcessor(SegDataPreProcessor):
    """mmseg's :class:`SegDataPreProcessor`, plus the second view.

    ``inputs`` (view 1) are converted, normalised, padded and stacked as
    mmseg does; each data sample's ``view2_inputs`` (if any) gets the same
    colour conversion and normalisation, so both views of an image reach the
    model in the same space. At test time with a ``test_cfg``, images of
    different sizes are padded to a common size (mmseg refuses them), so
    inference can be batched; models crop each image's ``img_shape`` back.
    Arguments are those of :class:`SegDataPreProcessor`.
    """

    def _normalize(self, img: torch.Tensor) -> torch.Tensor:
        """Colour conversion and normalisation of one ``(3, H, W)`` image."""
        if self.channel_conversion and img.size(0) == 3:
            img = img[[2, 1, 0], ...]
        img = img.float()
        if self._enable_normalize:
            img = (img - self.mean) / self.std
        return img

    def forward(self, data: dict, training: bool = False) -> Dict[str, Any]:
        """Preprocess a batch.

        Args:
            data (dict): Data sampled from the dataloader.
            training (bool): Whether in training mode.

        Returns:
            dict: ``inputs`` (N, 3, H, W) and ``data_samples``.
        """
        if training or not self.test_cfg:
            data = super().forward(data, training)
        else:
            data = self.cast_data(data)
            inputs = [self._normalize(img) for img in data['inputs']]
            inputs, pad_info = stack_batch(
                inputs=inputs,
                size=self.test_cfg.get('size', None),
                size_divisor=self.test_cfg.get('size_divisor', None),
                pad_val=self.pad_val,
                seg_pad_val=self.seg_pad_val)
            for sample, info in zip(data.get('data_samples') or [], pad_info):
                sample.set_metainfo(info)
            data = dict(inputs=inputs, data_samples=data.get('data_samples'))
        for sample in data.get('data_samples') or []:
            if 'view2_inputs' in sample:
                sample.view2_inputs = self._normalize(sample.view2_inputs)
        return data

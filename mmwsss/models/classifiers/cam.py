"""The plain CAM classifier."""
from typing import Dict, List

from torch import Tensor

from mmwsss.registry import MODELS
from mmwsss.structures import WSSSDataSample
from .base import BaseWSSSClassifier


@MODELS.register_module()
class CAM(BaseWSSSClassifier):
    """Class activation maps (Zhou et al., CVPR 2016) for WSSS.

    Backbone -> bias-free 1x1 classifier -> one map per foreground class;
    the image score of a class is the spatial mean of its map, trained with
    the multi-label soft-margin loss. Arguments are those of
    :class:`BaseWSSSClassifier` (``bg_index`` stays None).
    """

    def loss(self, inputs: Tensor,
             data_samples: List[WSSSDataSample]) -> Dict[str, Tensor]:
        """Classification loss of a batch.

        Args:
            inputs (Tensor): ``(N, 3, H, W)`` images.
            data_samples (list[WSSSDataSample]): Samples with ``gt_label``.

        Returns:
            dict[str, Tensor]: ``{loss_cls.loss_name: loss}``.
        """
        labels = self.get_labels(data_samples)
        cam = self.layout.foreground(self._forward(inputs))
        return {
            self.loss_cls.loss_name: self.loss_cls(cam.mean((2, 3)), labels)
        }

"""Test-time augmentation of the segmentation stage, with dense CRF."""
from typing import Dict, List, Optional

import mmcv
import torch
from mmengine.structures import PixelData
from mmseg.models import SegTTAModel
from mmseg.utils import SampleList

from mmwsss.registry import MODELS
from ..utils import dense_crf


@MODELS.register_module()
class CRFSegTTAModel(SegTTAModel):
    """mmseg's :class:`SegTTAModel` followed by a dense CRF.

    The class probabilities averaged over the augmentations (scales and
    flips of ``tta_pipeline``) are refined by :func:`dense_crf` on the
    original image, as the WSSS papers evaluate their segmentation networks.
    With ``crf=None`` it is exactly :class:`SegTTAModel`.

    Args:
        module (dict): The segmentor.
        crf (dict, optional): Keyword arguments of :func:`dense_crf`, or
            None. Defaults to None.
        **kwargs: Other arguments of :class:`SegTTAModel`.
    """

    def __init__(self, crf: Optional[Dict] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.crf = crf

    def merge_preds(self, data_samples_list: List[SampleList]) -> SampleList:
        """Average the augmentations, then refine with the CRF."""
        predictions = super().merge_preds(data_samples_list)
        if self.crf is None:
            return predictions
        for prediction, samples in zip(predictions, data_samples_list):
            probs = torch.stack(
                [s.seg_logits.data.softmax(dim=0) for s in samples]).mean(0)
            image = mmcv.imread(prediction.img_path, channel_order='rgb')
            refined = dense_crf(image, probs.float().cpu().numpy(), **self.crf)
            prediction.pred_sem_seg = PixelData(
                data=torch.from_numpy(refined.argmax(0)).to(probs.device)
                [None])
        return predictions

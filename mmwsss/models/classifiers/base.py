"""The stage-1 classifier contract shared by CAM, SEAM and EPS."""
import copy
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.runner.amp import autocast
from mmengine.structures import PixelData
from torch import Tensor

from mmwsss.registry import MODELS
from mmwsss.structures import WSSSDataSample, stack_labels
from ..base_model import BaseWSSSModel
from ..utils.multiscale_cam import (multiscale_cam, normalize_cam, resize_to,
                                    seeds_from_cam)

DEFAULT_TEST_CFG = dict(
    scales=(0.5, 1.0, 1.5, 2.0),
    flip=True,
    bg_thr=0.2,
    return_cam=True,
    amp=False)


class BaseWSSSClassifier(BaseWSSSModel):
    """Base of the stage-1 classifiers ("segmentors" of weak supervision).

    The network is a backbone, an optional Dropout2d on its last feature and
    a :class:`CAMHead`. The CAM head's channels are the foreground classes,
    plus a background channel at ``bg_index`` (0 for SEAM, -1 for EPS, None
    for a plain CAM). A contrast plug-in (``contrast=dict(...)``) adds
    regularisers during training only; inference never calls it. Its
    projection head reads the CAM head's input feature, so the projection's
    ``in_channels`` defaults to the CAM head's.

    :meth:`predict` runs multi-scale, flipped CAM inference on the batch
    (``test_cfg``: ``scales``, ``flip``), normalises the summed maps per
    class, keeps the image's labelled classes, and returns at the original
    image size ``pred_cam`` (C, H, W) and ``pred_sem_seg`` (the seed at the
    background score ``bg_thr``). ``test_cfg.amp=True`` runs the forward
    passes under autocast (bfloat16 on CPU, float16 on GPU), a speed option
    off by default.

    Args:
        backbone (dict): Backbone config (any mmseg / mmwsss backbone).
        cam_head (dict): CAM head config.
        data_preprocessor (dict, optional): Data preprocessor config.
        loss_cls (dict): Classification loss config.
        bg_index (int, optional): Index of the background channel of the CAM
            head output, or None. Defaults to None.
        dropout_ratio (float): Dropout2d before the CAM head. Defaults to 0.
        feature_index (int): Backbone output used by the CAM head. Defaults
            to -1 (the last).
        contrast (dict, optional): Contrast plug-in config. Defaults to None.
        train_cfg (dict, optional): Training options of subclasses.
        test_cfg (dict, optional): Overrides of ``DEFAULT_TEST_CFG``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 cam_head: dict,
                 data_preprocessor: Optional[dict] = None,
                 loss_cls: dict = dict(type='MultiLabelSoftMarginLoss'),
                 bg_index: Optional[int] = None,
                 dropout_ratio: float = 0.,
                 feature_index: int = -1,
                 contrast: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.cam_head = MODELS.build(cam_head)
        self.loss_cls = MODELS.build(loss_cls)
        self.dropout = nn.Dropout2d(dropout_ratio) \
            if dropout_ratio > 0 else nn.Identity()
        self.feature_index = feature_index
        if bg_index not in (None, 0, -1):
            raise ValueError(
                f'bg_index must be None, 0 or -1, got {bg_index}.')
        self.bg_index = bg_index
        self.num_classes = self.cam_head.num_channels - (bg_index is not None)
        self.contrast = None
        if contrast:
            # the projection reads the CAM head's input feature
            contrast = copy.deepcopy(contrast)
            contrast['projection'].setdefault('in_channels',
                                              self.cam_head.in_channels)
            self.contrast = MODELS.build(contrast)
        self.train_cfg = ConfigDict(train_cfg or {})
        self.test_cfg = ConfigDict({**DEFAULT_TEST_CFG, **(test_cfg or {})})

    # ----------------------------------------------------------- helpers
    def extract_feat(self, inputs: Tensor) -> Tuple[Tensor, ...]:
        """Backbone features of ``inputs`` (N, 3, H, W)."""
        feats = self.backbone(inputs)
        return tuple(feats) if isinstance(feats, (list, tuple)) else (feats, )

    def cam_forward(
            self, inputs: Tensor) -> Tuple[Tuple[Tensor, ...], Tensor, Tensor]:
        """Backbone features, the CAM head's feature and its raw maps.

        Returns:
            tuple: ``(feats, feat, cam)``: all backbone outputs, the
            (dropped-out) feature fed to the CAM head ``(N, D, h, w)``, and
            the CAM logits ``(N, num_channels, h, w)``.
        """
        feats = self.extract_feat(inputs)
        feat = self.dropout(feats[self.feature_index])
        return feats, feat, self.cam_head(feat)

    def foreground(self, x: Tensor) -> Tensor:
        """The foreground channels of ``(N, C[+1], ...)`` maps."""
        if self.bg_index is None:
            return x
        return x[:, 1:] if self.bg_index == 0 else x[:, :-1]

    def with_background(self, fg: Tensor, bg: Tensor) -> Tensor:
        """Insert a background channel ``bg`` (N, 1, ...) at ``bg_index``."""
        parts = [bg, fg] if self.bg_index == 0 else [fg, bg]
        return torch.cat(parts, dim=1)

    def get_labels(self, data_samples: List[WSSSDataSample]) -> Tensor:
        """``(N, num_classes)`` image labels, checked against the model."""
        labels = stack_labels(data_samples)
        if labels.shape[1] != self.num_classes:
            raise ValueError(
                f'The data have {labels.shape[1]} foreground classes but the '
                f'model predicts {self.num_classes} (cam_head.num_channels='
                f'{self.cam_head.num_channels}, bg_index={self.bg_index}); '
                'make num_channels match the dataset classes.')
        return labels

    # ---------------------------------------------------------- contract
    def _forward(
            self,
            inputs: Tensor,
            data_samples: Optional[List[WSSSDataSample]] = None) -> Tensor:
        """Raw CAM logits ``(N, num_channels, h, w)``."""
        return self.cam_forward(inputs)[2]

    def inference_cam(self, inputs: Tensor) -> Tensor:
        """Foreground CAMs ``(N, C, h, w)`` of one scale for inference.

        The plain CAM uses the raw maps; subclasses refine them (SEAM's PCM,
        EPS's softmax).
        """
        return self.foreground(self._forward(inputs))

    def predict(self, inputs: Tensor,
                data_samples: List[WSSSDataSample]) -> List[WSSSDataSample]:
        """Multi-scale, flipped CAMs and seeds of a batch.

        Args:
            inputs (Tensor): ``(N, 3, H, W)`` images (padded to a common size
                by the data preprocessor when they differ).
            data_samples (list[WSSSDataSample]): Samples with ``gt_label``
                and the ``img_shape`` / ``ori_shape`` metainfo.

        Returns:
            list[WSSSDataSample]: The samples with ``pred_cam`` (unless
            ``test_cfg.return_cam`` is False) and ``pred_sem_seg``.
        """
        labels = self.get_labels(data_samples).to(inputs.device)
        device = inputs.device.type
        with autocast(
                device_type=device,
                dtype=torch.bfloat16 if device == 'cpu' else torch.float16,
                enabled=self.test_cfg.amp):
            cams = multiscale_cam(self.inference_cam, inputs,
                                  self.test_cfg.scales, self.test_cfg.flip)
        cams = cams.float()
        for cam, label, sample in zip(cams, labels, data_samples):
            h, w = sample.metainfo.get('img_shape', cam.shape[-2:])[:2]
            cam = resize_to(cam[None, :, :h, :w],
                            sample.metainfo.get('ori_shape', (h, w))[:2])
            cam = normalize_cam(cam, label[None])[0]
            sample.pred_sem_seg = PixelData(
                data=seeds_from_cam(cam, self.test_cfg.bg_thr)[None])
            if self.test_cfg.return_cam:
                sample.pred_cam = PixelData(data=cam)
        return data_samples

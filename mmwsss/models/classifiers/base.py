"""The stage-1 classifier contract shared by CAM, SEAM and EPS."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.runner.amp import autocast
from mmengine.structures import PixelData
from torch import Tensor

from mmwsss.registry import MODELS
from mmwsss.structures import (CAMLayout, WSSSDataSample, argmax_background,
                               labels_from_index, stack_labels)
from mmwsss.utils import bfloat16_autocast, check_option_keys
from ..base_model import BaseWSSSModel
from ..utils.multiscale_cam import (CAM_NORM_MODES, CAM_UPSAMPLE_MODES,
                                    IMG_RESIZE_MODES, multiscale_cam,
                                    normalize_cam)

#: The inference of the authors' CAM (EPS's ``infer.py``); subclasses
#: override ``cam_norm`` / ``cam_upsample`` with their authors' choices
DEFAULT_TEST_CFG = dict(
    scales=(0.5, 1.0, 1.5, 2.0),
    flip=True,
    img_resize='pil_bicubic',
    cam_upsample='direct',
    cam_norm='max',
    bg_score=0.2,
    return_cam=True,
    amp=False)
TEST_CFG_CHOICES = dict(
    img_resize=IMG_RESIZE_MODES,
    cam_upsample=CAM_UPSAMPLE_MODES,
    cam_norm=CAM_NORM_MODES)


class BaseWSSSClassifier(BaseWSSSModel):
    """Base of the stage-1 classifiers ("segmentors" of weak supervision).

    The network is a backbone, an optional Dropout2d on its last feature and
    a :class:`CAMHead`. The CAM head's channels are the foreground classes,
    plus a background channel at ``bg_index`` (0 for SEAM, -1 for EPS, None
    for a plain CAM). A contrast plug-in (``contrast=dict(...)``) adds
    regularisers during training only; inference never calls it. It gets
    the CAM head's ``in_channels``: its projection head reads the CAM head's
    input feature.

    :meth:`predict` runs the authors' multi-scale, flipped CAM inference
    (:func:`multiscale_cam`) on each image without its padding (images of
    one size batched together), normalises the summed maps per class
    (:func:`normalize_cam`), keeps the image's labelled classes, and returns
    at the original image size ``pred_cam`` (C, H, W) and ``pred_sem_seg``
    (the seed at the background score ``bg_score``, ties to the lowest
    index). ``test_cfg`` keys:

    - ``scales``, ``flip``: defaults (0.5, 1.0, 1.5, 2.0) and True.
    - ``img_resize``: ``'pil_bicubic'`` (the authors' PIL bicubic resize of
      the 8-bit image, exactly) or ``'bilinear'`` (of the normalised
      tensor).
    - ``cam_upsample``: ``'direct'`` (CAM, EPS) or ``'via_input'`` (SEAM),
      see :func:`multiscale_cam`.
    - ``cam_norm``: ``'max'`` (CAM, EPS), ``'minmax'`` (SEAM) or
      ``'minmax_clamp'``, see :func:`normalize_cam`.
    - ``bg_score``, ``return_cam``.
    - ``amp``: run the forward passes under autocast (bfloat16 on CPUs
      that have it natively, see :func:`mmwsss.utils.bfloat16_autocast`;
      float16 on GPU), a speed option off by default.

    Args:
        backbone (dict): Backbone config (any mmseg / mmwsss backbone).
        cam_head (dict): CAM head config.
        data_preprocessor (dict, optional): Data preprocessor config.
        loss_cls (dict): Classification loss config.
        bg_index (int, optional): Index of the background channel of the CAM
            head output, or None; the parts that read it get the same
            (:meth:`build_part`). Defaults to None.
        dropout_ratio (float): Dropout2d before the CAM head. Defaults to 0.
        feature_index (int): Backbone output used by the CAM head. Defaults
            to -1 (the last).
        contrast (dict, optional): Contrast plug-in config. Defaults to None.
        train_cfg (dict, optional): Training options of subclasses.
        test_cfg (dict, optional): Overrides of ``DEFAULT_TEST_CFG``.
        init_cfg (dict, optional): Initialisation config.

    Raises:
        KeyError: On a ``train_cfg`` / ``test_cfg`` key that is no option
            (:attr:`train_cfg_keys`, :attr:`test_cfg_keys`).
    """

    #: The ``train_cfg`` options the class reads (none here).
    train_cfg_keys: Tuple[str, ...] = ()
    #: The ``test_cfg`` options the class reads.
    test_cfg_keys: Tuple[str, ...] = tuple(DEFAULT_TEST_CFG)

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
        #: Where the background channel of the CAMs lies.
        self.layout = CAMLayout(bg_index)
        self.bg_index = bg_index
        self.num_classes = self.cam_head.num_channels - (bg_index is not None)
        self.contrast = None
        if contrast:
            # the projection reads the CAM head's input feature
            self.contrast = self.build_part(
                dict(contrast, in_channels=self.cam_head.in_channels))
        check_option_keys('train_cfg', train_cfg, self.train_cfg_keys)
        check_option_keys('test_cfg', test_cfg, self.test_cfg_keys)
        self.train_cfg = ConfigDict(train_cfg or {})
        self.test_cfg = ConfigDict({**DEFAULT_TEST_CFG, **(test_cfg or {})})
        for key, choices in TEST_CFG_CHOICES.items():
            if self.test_cfg[key] not in choices:
                raise ValueError(f'test_cfg.{key} must be one of {choices}, '
                                 f'got {self.test_cfg[key]!r}.')

    # ----------------------------------------------------------- helpers
    def build_part(self, cfg: dict) -> nn.Module:
        """Build a part that reads the background channel of the CAMs
        (PCM, ECR, the saliency loss, the contrast plug-in): its
        ``bg_index`` is the model's.

        Args:
            cfg (dict): The part's config (MODELS), without ``bg_index`` or
                with the model's.

        Returns:
            nn.Module: The part.

        Raises:
            ValueError: If ``cfg`` sets another ``bg_index``.
        """
        cfg = dict(cfg)
        bg_index = cfg.setdefault('bg_index', self.bg_index)
        if bg_index != self.bg_index:
            raise ValueError(
                f"{cfg.get('type')}: bg_index={bg_index!r} is not the "
                f"classifier's bg_index={self.bg_index!r}; leave it out of "
                "the part's config.")
        return MODELS.build(cfg)

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

        The plain CAM uses the ReLU of the raw maps (the authors'
        ``forward_cam``); subclasses refine them (SEAM's PCM, EPS's softmax).
        """
        return self.layout.foreground(self._forward(inputs)).relu()

    def _amp_inference_cam(self, inputs: Tensor) -> Tensor:
        """:meth:`inference_cam` in float32, under autocast if
        ``test_cfg.amp``."""
        device = inputs.device.type
        if device == 'cpu':
            context = bfloat16_autocast(device, enabled=self.test_cfg.amp)
        else:
            context = autocast(
                device_type=device,
                dtype=torch.float16,
                enabled=self.test_cfg.amp)
        with context:
            return self.inference_cam(inputs).float()

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
        cfg = self.test_cfg
        norm = dict(
            mean=getattr(self.data_preprocessor, 'mean', None),
            std=getattr(self.data_preprocessor, 'std', None))
        groups: Dict[tuple, List[int]] = {}
        for i, sample in enumerate(data_samples):
            shape = tuple(
                sample.metainfo.get('img_shape', inputs.shape[-2:])[:2])
            ori = tuple(sample.metainfo.get('ori_shape', shape)[:2])
            groups.setdefault((shape, ori), []).append(i)
        for ((h, w), ori), index in groups.items():
            # every step after the network is per channel, and the classes
            # the images lack end as zeros: only the group's labelled
            # channels are upsampled, summed and normalised
            present = labels[index].bool().any(0)
            keep = present.nonzero().flatten() if present.any() \
                else present.new_zeros(1, dtype=torch.long)
            maps = multiscale_cam(
                lambda x: self._amp_inference_cam(x)[:, keep],
                inputs[index, :, :h, :w],
                cfg.scales,
                cfg.flip,
                out_size=ori,
                img_resize=cfg.img_resize,
                cam_upsample=cfg.cam_upsample,
                **norm)
            maps = normalize_cam(maps, labels[index][:, keep], cfg.cam_norm)
            # the same seeds as over every class: the others are zero and a
            # class needs a score above bg_score >= 0
            seeds = labels_from_index(
                argmax_background(maps, cfg.bg_score), keep)
            for i, seed, cam in zip(index, seeds, maps):
                sample = data_samples[i]
                sample.pred_sem_seg = PixelData(data=seed[None])
                if cfg.return_cam:
                    full = cam.new_zeros(labels.shape[1], *ori)
                    full[keep] = cam
                    sample.pred_cam = PixelData(data=full)
        return data_samples

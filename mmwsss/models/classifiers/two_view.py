"""The two-view CAM classifier shared by SEAM and EPS."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmwsss.registry import MODELS
from mmwsss.structures import WSSSDataSample
from ..utils import ViewWarp, minmax_norm
from .base import BaseWSSSClassifier

#: The defaults of the ``train_cfg`` options (see :class:`TwoViewClassifier`)
DEFAULT_TRAIN_CFG = dict(
    cross_view_grid='input', cross_view_norm='before_warp', align_corners=True)
#: The allowed values of the ``train_cfg`` options
TRAIN_CFG_CHOICES = dict(
    cross_view_grid=('input', 'feature'),
    view_loss_grid=('input', 'feature'),
    cross_view_norm=('before_warp', 'after_warp'),
    align_corners=(True, False))


@MODELS.register_module()
class TwoViewClassifier(BaseWSSSClassifier):
    """A CAM with background channel, optional PCM and two-view losses.

    Every view goes through the backbone, the CAM head (background channel
    at ``bg_index``) and, if given, the pixel correlation module (PCM),
    which refines the CAM by feature affinity. Per view (averaged over the
    views, :meth:`view_losses`): the classification loss of the pooled
    foreground maps and the adaptive min-pooling loss of the refined CAM.
    Across the two views (view 2 made by :class:`TwoViewTransform`, its maps
    aligned with view 1's through the recorded relation,
    :meth:`cross_view_losses`): the equivariant regularisation (ER) of the
    raw CAMs and the equivariant cross regularisation (ECR) between raw and
    refined CAMs. A ``contrast`` plug-in (PPC) adds its losses on the refined
    CAMs and the projected features of both views. Every part is off unless
    configured (``None``); a batch of one view gets the per-view losses
    only. Inference uses the refined CAM (``test_cfg.cam='refined'``, the
    default with PCM), the raw one (``'raw'``, the default without) or the
    softmax of the raw one (``'softmax'``).

    :class:`SEAM` and :class:`EPS` are this class with their authors'
    defaults (EPS adds its saliency loss per view). With the default
    ``train_cfg`` the losses equal the authors' (SEAM's ``train_SEAM.py``,
    the PPC authors' ``contrast_train.py``) on identical tensors: the CAMs
    are upsampled to the input size (``align_corners=True``) for every
    loss, view 1's maps are normalised there and then resized onto view 2.
    The ``train_cfg`` options below name the other choices.

    Args:
        backbone (dict): Backbone config.
        cam_head (dict): CAM head config (``num_channels`` = C + 1).
        bg_index (int): Background channel, 0 or -1, also that of PCM, ECR
            and the contrast plug-in.
        pcm_head (dict, optional): PCM config. Defaults to None.
        pcm_in_index (Sequence[int]): Backbone outputs fed to PCM. Defaults
            to (0, 1) (ResNet-38d's conv4, conv5 with ``out_keys=('conv4',
            'conv5', 'conv6')``).
        loss_er (dict, optional): ER loss config. Defaults to None.
        loss_ecr (dict, optional): ECR loss config. Defaults to None.
        loss_minpool (dict, optional): Min-pooling loss config. Defaults to
            None.
        train_cfg (dict, optional): Options of the losses:

            - ``cross_view_grid``: ``'input'`` (ER and ECR on the input
              pixels: each view's CAMs upsampled to its input size, SEAM) or
              ``'feature'`` (on the feature grids, the EPS + PPC code).
              Defaults to 'input'.
            - ``view_loss_grid``: the same choice for the classification
              and min-pooling losses (``'feature'`` pools the CAM at the
              feature stride). Defaults to ``cross_view_grid``.
            - ``cross_view_norm``: ``'before_warp'`` (the authors'),
              view 1's maps are min-max normalised on their own grid, then
              resampled onto view 2's; ``'after_warp'``, resampled first,
              then normalised on view 2's grid (view 1's maps are then
              warped from the feature grid directly). Defaults to
              'before_warp'.
            - ``align_corners``: the convention of every resampling of the
              training maps (upsampling to the input size, view 1 onto view
              2, including the contrast plug-in's warp), see
              :class:`ViewWarp`. ``True`` is the authors'; ``False`` is the
              pixel-centre convention. Defaults to True.
        test_cfg (dict, optional): ``cam`` (see above) and the keys of
            :class:`BaseWSSSClassifier`.
        **kwargs: Other arguments of :class:`BaseWSSSClassifier`.
    """

    train_cfg_keys = (*DEFAULT_TRAIN_CFG, 'view_loss_grid')
    test_cfg_keys = (*BaseWSSSClassifier.test_cfg_keys, 'cam')

    def __init__(self,
                 backbone: dict,
                 cam_head: dict,
                 bg_index: int,
                 pcm_head: Optional[dict] = None,
                 pcm_in_index: Sequence[int] = (0, 1),
                 loss_er: Optional[dict] = None,
                 loss_ecr: Optional[dict] = None,
                 loss_minpool: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        train_cfg = {**DEFAULT_TRAIN_CFG, **(train_cfg or {})}
        train_cfg.setdefault('view_loss_grid', train_cfg['cross_view_grid'])
        super().__init__(
            backbone,
            cam_head,
            bg_index=bg_index,
            train_cfg=train_cfg,
            test_cfg={
                'cam': 'refined' if pcm_head else 'raw',
                **(test_cfg or {})
            },
            **kwargs)
        if bg_index is None:
            raise ValueError(f'{type(self).__name__} needs a background '
                             'channel (bg_index 0 or -1).')
        if self.test_cfg.cam not in ('raw', 'refined', 'softmax'):
            raise ValueError(f"test_cfg.cam must be 'raw', 'refined' or "
                             f"'softmax', got {self.test_cfg.cam!r}.")
        if self.test_cfg.cam == 'refined' and not pcm_head:
            raise ValueError("test_cfg.cam='refined' needs a pcm_head.")
        for key, choices in TRAIN_CFG_CHOICES.items():
            if self.train_cfg[key] not in choices:
                raise ValueError(f'train_cfg.{key} must be one of {choices},'
                                 f' got {self.train_cfg[key]!r}.')
        self.pcm_head = self.build_part(pcm_head) if pcm_head else None
        self.pcm_in_index = tuple(pcm_in_index)
        self.loss_er = MODELS.build(loss_er) if loss_er else None
        self.loss_ecr = self.build_part(loss_ecr) if loss_ecr else None
        self.loss_minpool = MODELS.build(
            loss_minpool) if loss_minpool else None

    # ------------------------------------------------------------ forward
    def view_forward(self, inputs: Tensor) -> dict:
        """Maps of one view.

        Returns:
            dict: ``feat`` (N, D, h, w) the CAM head's input, ``cam``
            (N, C + 1, h, w) logits, ``cam_rv`` the PCM-refined CAM (or
            None without PCM), all at the feature stride, and
            ``input_size`` the view's ``(H, W)``.
        """
        feats, feat, cam = self.cam_forward(inputs)
        cam_rv = None
        if self.pcm_head is not None:
            cam_rv = self.pcm_head(cam, [feats[i] for i in self.pcm_in_index],
                                   inputs)
        return dict(
            feat=feat,
            cam=cam,
            cam_rv=cam_rv,
            input_size=tuple(inputs.shape[-2:]))

    def resize(self, x: Tensor, size: Tuple[int, int]) -> Tensor:
        """Bilinear resize with ``train_cfg.align_corners`` (no-op if same)."""
        if tuple(x.shape[-2:]) == tuple(size):
            return x
        return F.interpolate(
            x,
            size=size,
            mode='bilinear',
            align_corners=self.train_cfg.align_corners)

    def on_grid(self, out: dict, key: str, grid: str) -> Tensor:
        """A map of :meth:`view_forward` on the loss grid ``grid``.

        Args:
            out (dict): :meth:`view_forward` of a view; the maps upsampled to
                the input size are cached in it under ``'input_grid'``.
            key (str): ``'cam'`` or ``'cam_rv'``.
            grid (str): ``'feature'`` (as computed) or ``'input'``
                (upsampled to ``out['input_size']``).

        Returns:
            Tensor: The map on the grid.
        """
        if grid == 'feature':
            return out[key]
        cache = out.setdefault('input_grid', {})
        if key not in cache:
            cache[key] = self.resize(out[key], out['input_size'])
        return cache[key]

    def inference_cam(self, inputs: Tensor) -> Tensor:
        """Foreground maps of one scale: refined, raw or softmax CAM."""
        if self.test_cfg.cam == 'refined':
            return self.layout.foreground(self.view_forward(inputs)['cam_rv'])
        cam = self._forward(inputs)
        if self.test_cfg.cam == 'softmax':
            cam = cam.softmax(dim=1)
        return self.layout.foreground(cam)

    # -------------------------------------------------------------- losses
    def view_losses(self, out: dict, labels: Tensor,
                    data_samples: List[WSSSDataSample],
                    view: int) -> Dict[str, Tensor]:
        """Losses of one view (averaged over the views by :meth:`loss`).

        Args:
            out (dict): :meth:`view_forward` of the view.
            labels (Tensor): ``(N, C)`` image labels.
            data_samples (list[WSSSDataSample]): The batch's samples.
            view (int): 0 for view 1, 1 for view 2.

        Returns:
            dict[str, Tensor]: Named losses.
        """
        grid = self.train_cfg.view_loss_grid
        cam = self.on_grid(out, 'cam', grid)
        losses = {
            self.loss_cls.loss_name:
            self.loss_cls(self.layout.foreground(cam).mean((2, 3)), labels)
        }
        if self.loss_minpool is not None and out['cam_rv'] is not None:
            cam_rv = self.on_grid(out, 'cam_rv', grid)
            masked = self.layout.foreground(cam_rv) * labels[..., None, None]
            losses[self.loss_minpool.loss_name] = self.loss_minpool(masked)
        return losses

    def cross_view_losses(
            self, outs: List[dict], views: List[Tensor], labels: Tensor,
            data_samples: List[WSSSDataSample]) -> Dict[str, Tensor]:
        """ER, ECR and the contrast plug-in between the two views.

        Args:
            outs (list[dict]): :meth:`view_forward` of the two views.
            views (list[Tensor]): The two views' inputs.
            labels (Tensor): ``(N, C)`` image labels.
            data_samples (list[WSSSDataSample]): Samples with
                ``view_relation``.

        Returns:
            dict[str, Tensor]: Named losses.
        """
        losses = {}
        cfg = self.train_cfg
        relations = [s.view_relation for s in data_samples]
        out1, out2 = outs
        grid = cfg.cross_view_grid
        warp = ViewWarp(relations,
                        self.on_grid(out2, 'cam', grid).shape[-2:],
                        views[0].device, cfg.align_corners)
        valid = None if warp.valid.all() else warp.valid
        lab = self.layout.label_with_background(labels)[..., None, None]

        def aligned(key: str) -> Tuple[Tensor, Tensor]:
            # both views' maps normalised, on view 2's grid, label-masked
            if cfg.cross_view_norm == 'before_warp':
                map1 = warp(minmax_norm(self.on_grid(out1, key, grid)))
            else:
                map1 = minmax_norm(warp(out1[key]))
            map2 = minmax_norm(self.on_grid(out2, key, grid))
            return map1 * lab, map2 * lab

        cam1, cam2 = aligned('cam')
        if self.loss_er is not None:
            losses[self.loss_er.loss_name] = self.loss_er(
                self.layout.foreground(cam1), self.layout.foreground(cam2),
                valid)
        if self.loss_ecr is not None and out1['cam_rv'] is not None:
            cam1, cam2 = (
                self.layout.with_background(
                    self.layout.foreground(c),
                    1 - self.layout.foreground(c).amax(dim=1, keepdim=True))
                for c in (cam1, cam2))
            cam_rv1, cam_rv2 = aligned('cam_rv')
            losses[self.loss_ecr.loss_name] = self.loss_ecr(
                cam1, cam2, cam_rv1, cam_rv2, valid)
        if self.contrast is not None:
            if out1['cam_rv'] is None:
                raise ValueError('The contrast plug-in needs a pcm_head '
                                 '(it uses the refined CAM).')
            feat_warp = ViewWarp(relations, out2['feat'].shape[-2:],
                                 views[0].device, cfg.align_corners)
            losses.update(
                self.contrast.loss(
                    (out1['feat'], out2['feat']),
                    (out1['cam_rv'], out2['cam_rv']),
                    labels,
                    feat_warp,
                    valid=None if feat_warp.valid.all() else feat_warp.valid))
        return losses

    def loss(self, inputs: Tensor,
             data_samples: List[WSSSDataSample]) -> Dict[str, Tensor]:
        """Losses of a batch of one or two views.

        Args:
            inputs (Tensor): ``(N, 3, H, W)`` view 1.
            data_samples (list[WSSSDataSample]): Samples with ``gt_label``
                and, for two views, ``view2_inputs`` and ``view_relation``.

        Returns:
            dict[str, Tensor]: Named losses.
        """
        labels = self.get_labels(data_samples)
        views = [inputs]
        if 'view2_inputs' in data_samples[0]:
            views.append(torch.stack([s.view2_inputs for s in data_samples]))
        outs = [self.view_forward(x) for x in views]
        losses: Dict[str, Tensor] = {}
        for view, out in enumerate(outs):
            for name, value in self.view_losses(out, labels, data_samples,
                                                view).items():
                losses[name] = losses.get(name, 0) + value / len(outs)
        if len(outs) == 2:
            losses.update(
                self.cross_view_losses(outs, views, labels, data_samples))
        return losses

"""AffinityNet (PSA): pixel affinities learnt from CAM-derived labels."""
import math
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.structures import PixelData
from torch import Tensor

from mmwsss.registry import MODELS
from mmwsss.structures import (WSSSDataSample, labels_from_index,
                               stack_background)
from mmwsss.utils import check_option_keys
from ..base_model import BaseWSSSModel
from .affinity_pairs import (dense_affinity, gather_pairs, pair_affinity,
                             pair_offsets, sparse_affinity)
from .random_walk import (dense_walk_bytes, max_dense_positions,
                          random_walk_maps)

# max_walk_bytes: 1 GiB holds the dense walk of every VOC image (500x500 px,
# a 63x63 grid: 189 MB) and of every COCO image (640x640 px: 492 MB), and
# refuses 1000x750 px (1.66 GB) and 2000x1500 px (26.5 GB)
DEFAULT_TEST_CFG = dict(
    beta=8., logt=6, walk_bg_score=0.27, walk='dense', max_walk_bytes=2**30)
WALKS = ('dense', 'sparse')


@MODELS.register_module()
class AffinityNet(BaseWSSSModel):
    """AffinityNet (Ahn and Kwak, CVPR 2018) and its random-walk inference.

    A backbone and an :class:`AffinityHead` give a per-pixel embedding ``f``
    on the stride-8 grid; the affinity of two positions closer than
    ``radius`` is ``exp(-mean_c |f_i - f_j|)``.

    Training (:meth:`loss`) reads the affinity label map of each image from
    ``gt_sem_seg`` (0 background, classes 1..C, 255 unreliable; see
    :func:`affinity_labels`), samples it onto the grid by
    nearest neighbour and applies the :class:`AffinityLoss` to the pairs.

    Inference (:meth:`predict`) refines stage-1 CAMs by a random walk: each
    data sample carries the CAMs to refine as ``pred_cam`` ``(C, H, W)``
    (normalised, at the ``img_shape`` of the sample) and ``gt_label``; the
    scores ``[walk_bg_score, CAMs of the labelled classes]`` walk on the dense
    affinity matrix of the image (``beta``, ``logt`` of ``test_cfg``) and
    their argmax is ``pred_sem_seg`` (0 or a labelled class + 1). The
    dense walk holds three ``(hw, hw)`` float32 matrices
    (:func:`dense_walk_bytes`): an image whose grid needs more than
    ``test_cfg.max_walk_bytes`` is refused before they are allocated. The
    sparse walk (``test_cfg.walk='sparse'``) holds memory linear in ``hw``
    and gives the dense walk's scores up to float32 rounding.

    Args:
        backbone (dict): Backbone config (ResNet38d, mmseg ResNet, ...).
        aff_head (dict): :class:`AffinityHead` config.
        in_index (Sequence[int]): Backbone outputs fed to the head.
            Defaults to (0, 1, 2) (conv4, conv5, conv6 of ResNet38d).
        radius (int): Pair radius on the grid. Defaults to 5.
        loss_aff (dict): Loss config. Defaults to :class:`AffinityLoss`.
        data_preprocessor (dict, optional): Data preprocessor config.
        train_cfg (dict, optional): Unused, for the mmseg contract.
        test_cfg (dict, optional): Overrides of ``beta`` (8), ``logt`` (6),
            the constant background score ``walk_bg_score`` (0.27), the walk
            ``walk`` ('dense', PSA's squarings; or 'sparse', ``2^logt``
            steps of the sparse transition matrix) and the budget of the
            dense walk ``max_walk_bytes`` (1 GiB: every VOC and COCO
            image fits).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 aff_head: dict,
                 in_index: Sequence[int] = (0, 1, 2),
                 radius: int = 5,
                 loss_aff: dict = dict(type='AffinityLoss'),
                 data_preprocessor: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.aff_head = MODELS.build(aff_head)
        self.loss_aff = MODELS.build(loss_aff)
        self.in_index = tuple(in_index)
        if len(self.in_index) != len(self.aff_head.in_channels):
            raise ValueError(
                f'in_index {self.in_index} must select one backbone output '
                f'per aff_head input ({self.aff_head.in_channels}).')
        pair_offsets(radius)  # a radius without pairs is refused here
        self.radius = radius
        check_option_keys('train_cfg', train_cfg, ())
        check_option_keys('test_cfg', test_cfg, DEFAULT_TEST_CFG)
        self.train_cfg = ConfigDict(train_cfg or {})
        self.test_cfg = ConfigDict({**DEFAULT_TEST_CFG, **(test_cfg or {})})
        if self.test_cfg.walk not in WALKS:
            raise ValueError(f'test_cfg.walk must be one of {WALKS}, got '
                             f'{self.test_cfg.walk!r}.')
        budget = self.test_cfg.max_walk_bytes
        if not (isinstance(budget, (int, float)) and budget > 0):
            raise ValueError('test_cfg.max_walk_bytes must be a positive '
                             f'number of bytes, got {budget!r}.')

    def _forward(
            self,
            inputs: Tensor,
            data_samples: Optional[List[WSSSDataSample]] = None) -> Tensor:
        """Pixel embedding ``(N, D, h, w)`` of ``inputs`` (N, 3, H, W)."""
        feats = self.backbone(inputs)
        return self.aff_head([feats[i] for i in self.in_index])

    def loss(self, inputs: Tensor,
             data_samples: List[WSSSDataSample]) -> Dict[str, Tensor]:
        """Affinity loss of a batch.

        Args:
            inputs (Tensor): ``(N, 3, H, W)`` images.
            data_samples (list[WSSSDataSample]): Samples whose
                ``gt_sem_seg`` is the affinity label map ``(1, H, W)``.

        Returns:
            dict[str, Tensor]: The terms of :class:`AffinityLoss`.
        """
        embed = self._forward(inputs).float()  # float32 under autocast
        labels = torch.stack([s.gt_sem_seg.data for s in data_samples])
        labels = F.interpolate(
            labels.float(), size=embed.shape[-2:], mode='nearest')
        aff = pair_affinity(embed, self.radius)  # (N, P, M)
        label_from, label_to = gather_pairs(labels, self.radius)
        return self.loss_aff(aff, label_from[:, 0], label_to[:, 0])

    def refine(self, embed: Tensor, cam: Tensor, label: Tensor,
               stride: int) -> Tensor:
        """Random-walk refinement of one image's CAMs.

        Args:
            embed (Tensor): ``(D, h, w)`` embedding of the image's grid.
            cam (Tensor): ``(C, H, W)`` normalised CAMs.
            label (Tensor): ``(C,)`` multi-hot image label.
            stride (int): Grid stride.

        Returns:
            Tensor: ``(H, W)`` long labels (0 or a labelled class + 1).
        """
        present = torch.nonzero(label).flatten()
        scores = stack_background(cam[present], self.test_cfg.walk_bg_score)
        scores = scores.float()  # (K + 1, H, W)
        if self.test_cfg.walk == 'sparse':
            affinity = sparse_affinity(embed, self.radius)
        else:
            affinity = dense_affinity(embed, self.radius)  # (hw, hw)
        walked = random_walk_maps(scores, affinity, stride, self.test_cfg.beta,
                                  self.test_cfg.logt)
        return labels_from_index(walked.argmax(dim=0), present)

    def predict(self, inputs: Tensor,
                data_samples: List[WSSSDataSample]) -> List[WSSSDataSample]:
        """Refined masks of a batch by random walk.

        Args:
            inputs (Tensor): ``(N, 3, H, W)`` images, padded to a multiple
                of the backbone stride (data preprocessor ``size_divisor``).
            data_samples (list[WSSSDataSample]): Samples with ``gt_label``,
                ``pred_cam`` (the CAMs to refine) and ``img_shape``.

        Returns:
            list[WSSSDataSample]: The samples with ``pred_sem_seg``.
        """
        embeds = self._forward(inputs).float()
        stride = inputs.shape[-1] // embeds.shape[-1]
        for embed, sample in zip(embeds, data_samples):
            cam = sample.pred_cam.data
            height, width = sample.metainfo.get('img_shape',
                                                cam.shape[-2:])[:2]
            if tuple(cam.shape[-2:]) != (height, width):
                raise ValueError(
                    f'{sample.metainfo.get("img_path")}: the CAM is '
                    f'{tuple(cam.shape[-2:])} but the image is '
                    f'{(height, width)}.')
            # the grid of the image zero-padded to the stride
            h, w = math.ceil(height / stride), math.ceil(width / stride)
            if self.test_cfg.walk == 'dense':
                self._check_walk_budget(
                    sample.metainfo.get('img_path'), (height, width), (h, w),
                    stride)
            mask = self.refine(embed[:, :h, :w], cam,
                               sample.gt_label.to(cam.device), stride)
            sample.pred_sem_seg = PixelData(data=mask[None])
        return data_samples

    def _check_walk_budget(self, name: Optional[str],
                           image_size: Tuple[int, int],
                           grid_size: Tuple[int, int], stride: int) -> None:
        """Refuse an image whose dense walk exceeds ``max_walk_bytes``.

        Args:
            name (str, optional): The image's path, for the message.
            image_size (tuple[int, int]): Image height and width.
            grid_size (tuple[int, int]): Grid height and width.
            stride (int): Grid stride.

        Raises:
            ValueError: Naming the image, its size, the bytes needed, the
                budget, the largest grid that fits and the two ways out.
        """
        budget = self.test_cfg.max_walk_bytes
        (height, width), (h, w) = image_size, grid_size
        need = dense_walk_bytes(h * w)
        if need <= budget:
            return
        fit = max_dense_positions(budget)
        scale = math.sqrt(fit / (h * w))
        fit_w, fit_h = math.floor(w * scale), math.floor(h * scale)
        raise ValueError(
            f'{name}: the dense random walk of this {width}x{height} image '
            f'(a {w}x{h} grid) needs {need} bytes ({need / 1e9:.2f} GB) but '
            f'test_cfg.max_walk_bytes is {budget} ({budget / 1e9:.2f} GB); '
            f'grids of up to {fit} positions fit, e.g. '
            f'{fit_w * stride}x{fit_h * stride} images of this shape. Raise '
            "test_cfg.max_walk_bytes, or set test_cfg.walk='sparse' "
            '(memory linear in the grid).')

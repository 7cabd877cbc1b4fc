"""A tiny stand-in network shared by the authors' inference scripts and ours.

``tests/data/authors/generate.py`` runs the authors' CAM inference scripts
with :class:`StandInBackbone` under their network classes (their heads, PCM
and upsampling kept); the tests run mmwsss's classifiers
(:func:`build_standin_classifier`) with the same backbone and the same
weights, stored in ``tests/data/authors/inference.pt``.
"""
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

STANDIN_CHANNELS = (4, 4, 8)  # conv4, conv5, conv6 of ResNet-38d


class StandInBackbone(nn.Module):
    """Average pooling (stride 4), then three 1x1 conv + ReLU stages.

    Its three outputs play ResNet-38d's ``conv4``, ``conv5`` and ``conv6``.

    Args:
        channels (Sequence[int]): Channels of the three stages.
        stride (int): Pooling stride. Defaults to 4.
    """

    def __init__(self,
                 channels: Sequence[int] = STANDIN_CHANNELS,
                 stride: int = 4) -> None:
        super().__init__()
        self.pool = nn.AvgPool2d(stride)
        ins = (3, ) + tuple(channels[:-1])
        self.convs = nn.ModuleList(
            nn.Conv2d(i, o, 1) for i, o in zip(ins, channels))

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """The three stages' features of ``x`` (N, 3, H, W)."""
        feats = []
        x = self.pool(x)
        for conv in self.convs:
            x = F.relu(conv(x))
            feats.append(x)
        return tuple(feats)


#: mmwsss classifiers of the methods of ``tests/data/authors/inference.pt``
METHOD_CFGS = dict(
    cam=dict(type='CAM'),
    eps=dict(type='EPS'),
    eps_ppc=dict(type='EPS', with_pcm=True),
    seam=dict(type='SEAM', with_pcm=True),
    seam_ppc=dict(type='SEAM', with_pcm=True))
MEAN = (123.675, 116.28, 103.53)
STD = (58.395, 57.12, 57.375)


def build_standin_classifier(method: str, weights: Dict[str, Tensor],
                             **test_cfg) -> nn.Module:
    """The mmwsss classifier of ``method`` on the stand-in backbone.

    Its heads are as small as the stand-in's (PCM 4 + 4 -> 8 channels; no
    training losses) and it holds ``weights`` (the keys of
    ``inference.pt``: ``backbone.*``, ``fc8``, ``f8_3``, ``f8_4``, ``f9``).

    Args:
        method (str): A key of :data:`METHOD_CFGS`.
        weights (dict): The stand-in's weights.
        **test_cfg: Overrides of the model's ``test_cfg``.

    Returns:
        nn.Module: The classifier in eval mode.
    """
    from mmwsss.registry import MODELS
    MODELS.register_module(
        name='AuthorsStandInBackbone', module=StandInBackbone, force=True)
    cfg = dict(METHOD_CFGS[method])
    with_pcm = cfg.pop('with_pcm', False)
    num_channels = 20 if cfg['type'] == 'CAM' else 21
    cfg.update(
        data_preprocessor=dict(
            type='WSSSDataPreProcessor',
            mean=MEAN,
            std=STD,
            bgr_to_rgb=True,
            size_divisor=8,
            test_cfg=dict(size_divisor=8)),
        backbone=dict(type='AuthorsStandInBackbone'),
        cam_head=dict(
            type='CAMHead',
            in_channels=STANDIN_CHANNELS[-1],
            num_channels=num_channels),
        test_cfg=test_cfg)
    if cfg['type'] != 'CAM':
        cfg.update(
            pcm_head=dict(
                type='PCMHead',
                in_channels=STANDIN_CHANNELS[:2],
                channels=STANDIN_CHANNELS[:2],
                out_channels=weights['f9'].shape[0]) if with_pcm else None,
            loss_er=None,
            loss_ecr=None,
            loss_minpool=None)
    model = MODELS.build(cfg)
    state = {k: v for k, v in weights.items() if k.startswith('backbone.')}
    state['cam_head.conv.weight'] = weights['fc8'][:num_channels]
    if with_pcm:
        state.update({
            'pcm_head.reduce.0.weight': weights['f8_3'],
            'pcm_head.reduce.1.weight': weights['f8_4'],
            'pcm_head.embed.weight': weights['f9']
        })
    model.load_state_dict(state)
    return model.eval()


def predict_images(model: nn.Module, images: List[Tensor],
                   labels: List[List[int]], bg_score: float) -> list:
    """``model.predict`` of RGB uint8 ``(H, W, 3)`` images batched together
    (padded by the data preprocessor), as LoadImageFromFile gives them.

    Args:
        model (nn.Module): A classifier of :func:`build_standin_classifier`.
        images (list[Tensor]): RGB uint8 images.
        labels (list[list[int]]): Class indices of each image.
        bg_score (float): Background score of the seeds.

    Returns:
        list[WSSSDataSample]: The predictions.
    """
    from mmwsss.structures import WSSSDataSample
    model.test_cfg.bg_score = bg_score
    num_classes = model.num_classes
    samples = []
    for img, classes in zip(images, labels):
        sample = WSSSDataSample(
            metainfo=dict(img_shape=img.shape[:2], ori_shape=img.shape[:2]))
        sample.gt_label = torch.zeros(num_classes).index_fill_(
            0, torch.tensor(classes, dtype=torch.long), 1.)
        samples.append(sample)
    data = dict(
        inputs=[img.flip(-1).permute(2, 0, 1) for img in images],  # BGR
        data_samples=samples)
    with torch.no_grad():
        data = model.data_preprocessor(data, False)
        return model.predict(data['inputs'], data['data_samples'])

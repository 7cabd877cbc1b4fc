"""SEAM: self-supervised equivariant attention (Wang et al., CVPR 2020)."""
from typing import Optional

from mmwsss.registry import MODELS
from .two_view import TwoViewClassifier


@MODELS.register_module()
class SEAM(TwoViewClassifier):
    """SEAM: the two-view classifier with PCM, ER, ECR and min-pooling.

    The CAM head has C + 1 channels, the background first; the pixel
    correlation module (PCM) refines the CAM; the losses are the
    classification and adaptive min-pooling losses per view and ER and ECR
    across the views (see :class:`TwoViewClassifier` for the losses and
    their ``train_cfg`` options). SEAM + PPC is this class with a
    ``contrast`` plug-in. Inference is the authors' ``infer_SEAM.py``: the
    refined CAM, upsampled to the scaled input and then to the image
    (``cam_upsample='via_input'``), normalised by their min-max
    (``cam_norm='minmax'``).

    Args:
        backbone (dict): Backbone config.
        cam_head (dict): CAM head config (``num_channels`` = C + 1).
        pcm_head (dict, optional): PCM config. Defaults to PCMHead().
        loss_er (dict, optional): ER loss config.
        loss_ecr (dict, optional): ECR loss config.
        loss_minpool (dict, optional): Min-pooling loss config.
        bg_index (int): Background channel, 0 as the authors. Defaults to 0.
        dropout_ratio (float): Dropout2d before the CAM head. Defaults to
            0.5.
        test_cfg (dict, optional): Defaults to ``cam_norm='minmax'``,
            ``cam_upsample='via_input'`` (other keys: see
            :class:`TwoViewClassifier`).
        **kwargs: Other arguments of :class:`TwoViewClassifier`.
    """

    def __init__(self,
                 backbone: dict,
                 cam_head: dict,
                 pcm_head: Optional[dict] = dict(type='PCMHead'),
                 loss_er: Optional[dict] = dict(
                     type='EquivariantRegularizationLoss'),
                 loss_ecr: Optional[dict] = dict(
                     type='EquivariantCrossRegularizationLoss'),
                 loss_minpool: Optional[dict] = dict(
                     type='AdaptiveMinPoolingLoss'),
                 bg_index: int = 0,
                 dropout_ratio: float = 0.5,
                 test_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(
            backbone,
            cam_head,
            bg_index=bg_index,
            pcm_head=pcm_head,
            loss_er=loss_er,
            loss_ecr=loss_ecr,
            loss_minpool=loss_minpool,
            dropout_ratio=dropout_ratio,
            test_cfg={
                'cam_norm': 'minmax',
                'cam_upsample': 'via_input',
                **(test_cfg or {})
            },
            **kwargs)

"""EPS: explicit pseudo-pixel supervision (Lee et al., CVPR 2021)."""
from typing import Dict, List, Optional

import torch
from torch import Tensor

from mmwsss.registry import MODELS
from mmwsss.structures import WSSSDataSample
from .two_view import TwoViewClassifier


@MODELS.register_module()
class EPS(TwoViewClassifier):
    """EPS: C + 1 maps (background last) supervised by saliency maps.

    Per view, the classification loss of the foreground maps plus the
    saliency loss (:class:`SaliencyLoss`) of the CAM against the image's
    saliency map (``gt_saliency``, and ``view2_saliency`` for view 2). By
    default a single view, no PCM and no equivariance, as EPS. The PPC
    authors' EPS + PPC adds PCM, ER, ECR, min-pooling and a second view to
    it: those are the parts of :class:`TwoViewClassifier`, switched on by
    config, and the saliency loss then also applies to the refined CAM
    (``loss_sal_rv``). Inference is the authors' (EPS's ``infer.py``, also
    for EPS + PPC in the PPC authors' ``contrast_infer.py``): the softmax of
    the raw CAM (``test_cfg.cam='softmax'``), upsampled from the feature
    grid to the image (``cam_upsample='direct'``), summed over scales and
    flips and divided by its maximum (``cam_norm='max'``).

    Args:
        backbone (dict): Backbone config.
        cam_head (dict): CAM head config (``num_channels`` = C + 1).
        loss_sal (dict): Saliency loss config.
        bg_index (int): Background channel, last as the authors. Defaults
            to -1.
        train_cfg (dict, optional): As :class:`TwoViewClassifier`; defaults
            to ``cross_view_grid='feature'`` as the EPS + PPC code.
        test_cfg (dict, optional): Defaults to ``cam='softmax'``,
            ``cam_norm='max'``, ``cam_upsample='direct'`` (other keys: see
            :class:`TwoViewClassifier`).
        **kwargs: Other arguments of :class:`TwoViewClassifier`
            (``pcm_head``, ``loss_er``, ``loss_ecr``, ``loss_minpool``,
            ``contrast`` for EPS + PPC; all None by default).
    """

    def __init__(self,
                 backbone: dict,
                 cam_head: dict,
                 loss_sal: dict = dict(type='SaliencyLoss'),
                 bg_index: int = -1,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(
            backbone,
            cam_head,
            bg_index=bg_index,
            train_cfg={
                'cross_view_grid': 'feature',
                **(train_cfg or {})
            },
            test_cfg={
                'cam': 'softmax',
                'cam_norm': 'max',
                'cam_upsample': 'direct',
                **(test_cfg or {})
            },
            **kwargs)
        self.loss_sal = self.build_part(loss_sal)

    def view_losses(self, out: Dict[str, Optional[Tensor]], labels: Tensor,
                    data_samples: List[WSSSDataSample],
                    view: int) -> Dict[str, Tensor]:
        """The per-view losses plus the saliency loss of the view."""
        losses = super().view_losses(out, labels, data_samples, view)
        key = 'gt_saliency' if view == 0 else 'view2_saliency'
        if key not in data_samples[0]:
            raise KeyError(f'EPS needs saliency maps ({key}): add '
                           'LoadSaliencyFromFile to the pipeline and '
                           "data_prefix['saliency_path'] to the dataset.")
        saliency = torch.stack([s.get(key).data for s in data_samples])
        name = self.loss_sal.loss_name
        losses[name] = self.loss_sal(out['cam'], saliency, labels)
        if out['cam_rv'] is not None:
            losses[name + '_rv'] = self.loss_sal(out['cam_rv'], saliency,
                                                 labels)
        return losses

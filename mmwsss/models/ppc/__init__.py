"""Pixel-to-prototype contrast (PPC), a plug-in of two-view classifiers.

Read in this order: :class:`PixelPrototypeContrast` (``plugin.py``) builds
the projection head (``projection_head.py``), the pseudo labels and
prototypes of both views and their similarities, and calls the contrast
losses (``losses.py``); the intra-view term picks its prototypes and pixels
with the samplers (``samplers.py``, registered in ``TASK_UTILS``).
"""
from .losses import (BasePrototypeContrastLoss, CrossPrototypeContrastLoss,
                     CrossPseudoLabelContrastLoss, IntraViewContrastLoss,
                     prototype_nce, prototype_similarity, two_view_similarity)
from .plugin import (PixelPrototypeContrast, PseudoLabelsAndPrototypes,
                     pseudo_labels_and_prototypes)
from .projection_head import ProjectionHead
from .samplers import HardPixelSampler, SemiHardPrototypeMiner

__all__ = [
    'BasePrototypeContrastLoss', 'CrossPrototypeContrastLoss',
    'CrossPseudoLabelContrastLoss', 'HardPixelSampler',
    'IntraViewContrastLoss', 'PixelPrototypeContrast', 'ProjectionHead',
    'PseudoLabelsAndPrototypes', 'SemiHardPrototypeMiner',
    'prototype_nce', 'prototype_similarity', 'pseudo_labels_and_prototypes',
    'two_view_similarity'
]

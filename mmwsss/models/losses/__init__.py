from .adaptive_min_pooling_loss import AdaptiveMinPoolingLoss
from .equivariant_cross_regularization_loss import (
    EquivariantCrossRegularizationLoss, max_onehot)
from .equivariant_regularization_loss import EquivariantRegularizationLoss
from .multilabel_soft_margin_loss import MultiLabelSoftMarginLoss
from .prototype_contrast import (BasePrototypeContrastLoss,
                                 CrossPrototypeContrastLoss,
                                 CrossPseudoLabelContrastLoss,
                                 IntraViewContrastLoss, prototype_nce,
                                 prototype_similarity, two_view_similarity)
from .saliency_loss import SaliencyLoss

__all__ = [
    'AdaptiveMinPoolingLoss', 'BasePrototypeContrastLoss',
    'CrossPrototypeContrastLoss', 'CrossPseudoLabelContrastLoss',
    'EquivariantCrossRegularizationLoss', 'EquivariantRegularizationLoss',
    'IntraViewContrastLoss', 'MultiLabelSoftMarginLoss', 'SaliencyLoss',
    'max_onehot', 'prototype_nce', 'prototype_similarity',
    'two_view_similarity'
]

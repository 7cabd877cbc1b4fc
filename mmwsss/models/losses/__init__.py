from .adaptive_min_pooling_loss import AdaptiveMinPoolingLoss
from .equivariant_cross_regularization_loss import (
    EquivariantCrossRegularizationLoss, max_onehot)
from .equivariant_regularization_loss import EquivariantRegularizationLoss
from .multilabel_soft_margin_loss import MultiLabelSoftMarginLoss
from .saliency_loss import SaliencyLoss

__all__ = [
    'AdaptiveMinPoolingLoss', 'EquivariantCrossRegularizationLoss',
    'EquivariantRegularizationLoss', 'MultiLabelSoftMarginLoss',
    'SaliencyLoss', 'max_onehot'
]

from .cam_layout import CAMLayout
from .view_relation import view1_to_view2, view2_to_view1_theta
from .wsss_data_sample import WSSSDataSample, stack_labels

__all__ = [
    'CAMLayout', 'WSSSDataSample', 'stack_labels', 'view1_to_view2',
    'view2_to_view1_theta'
]

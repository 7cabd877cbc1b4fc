from .cam_layout import CAMLayout, required_bg_index
from .label_space import argmax_background, labels_from_index, stack_background
from .view_relation import view1_to_view2, view2_to_view1_theta
from .wsss_data_sample import WSSSDataSample, stack_labels

__all__ = [
    'CAMLayout', 'WSSSDataSample', 'argmax_background', 'labels_from_index',
    'required_bg_index', 'stack_background', 'stack_labels',
    'view1_to_view2', 'view2_to_view1_theta'
]

# CAM on benchmark v2 (data/synthetic_voc_v2) with the ImageNet-
# initialised EfficientNet-Lite0 at output stride 8.
_base_ = [
    '../_base_/models/cam_efflite0-d8.py',
    '../_base_/datasets/synthetic_voc_v2_cls.py',
    '../_base_/schedules/schedule_synthetic_v2.py'
]

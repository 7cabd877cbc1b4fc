# The whole pipeline of the plain CAM on benchmark v2 with the ImageNet-
# initialised EfficientNet-Lite0 in both stages.
_base_ = './_efflite0_synthetic-v2.py'
stage1 = dict(
    config='configs/cam/cam_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py')

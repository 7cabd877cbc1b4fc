# The whole pipeline of SEAM on benchmark v2 with the ImageNet-
# initialised EfficientNet-Lite0 in both stages.
_base_ = './_efflite0_synthetic-v2.py'
stage1 = dict(
    config='configs/seam/seam_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py')

# Stage 2 of the synthetic benchmark on the ImageNet-initialised
# EfficientNet-Lite0 (output stride 8); otherwise as the half-width ResNet-18
# config. The pipeline may initialise the backbone from the stage-1
# classifier instead (init_backbone_from_stage1).
_base_ = [
    './deeplabv1-largefov_r18c32-d8_1xb16-400_synthetic-128x128.py',
    '../_base_/models/efflite0-d8.py'
]
model = {{_base_.efflite0_seg_model}}

# CAM on the synthetic benchmark with the ImageNet-initialised EfficientNet-
# Lite0 (output stride 8); otherwise as the half-width ResNet-18 config.
_base_ = [
    './cam_r18c32-d8_1xb16-16e_synthetic-128x128.py',
    '../_base_/models/efflite0-d8.py'
]
model = {{_base_.efflite0_model}}
optim_wrapper = {{_base_.efflite0_optim_wrapper}}

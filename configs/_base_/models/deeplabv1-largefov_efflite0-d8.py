# DeepLab-LargeFOV on EfficientNet-Lite0 (output stride 8), the stage-2
# network of the CPU benchmark's ImageNet-initialised configs: the stage-1
# network's backbone and normalisation (cam_efflite0-d8.py) on its last stage
# (320 channels), with the LargeFOV head of the half-width ResNet-18
# (dilation 4). The pipeline may initialise the backbone from the stage-1
# classifier instead of ImageNet (init_backbone_from_stage1).
_base_ = './cam_efflite0-d8.py'
model = dict(
    _delete_=True,
    type='EncoderDecoder',
    data_preprocessor=_base_.data_preprocessor,
    backbone=dict(_base_.model.backbone, out_indices=(6, )),
    decode_head=dict(
        type='LargeFOVHead',
        in_channels=320,
        channels=128,
        dilation=4,
        dropout_ratio=0.5,
        num_classes=21),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
tta_model = dict(type='CRFSegTTAModel', crf=None)

# DeepLab-LargeFOV on the half-width ResNet-18 (output stride 8) of the
# synthetic benchmark; the dilation is scaled down with the images (12 -> 4).
# No ImageNet weights exist here: the pipeline initialises the backbone from
# the stage-1 classifier (model.backbone.init_cfg).
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(
    type='WSSSDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size_divisor=8,
    test_cfg=dict(size_divisor=8))
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNet',
        depth=18,
        base_channels=32,
        num_stages=4,
        out_indices=(3, ),
        strides=(1, 2, 1, 1),
        dilations=(1, 1, 2, 4),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True),
    decode_head=dict(
        type='LargeFOVHead',
        in_channels=256,
        channels=128,
        dilation=4,
        dropout_ratio=0.5,
        num_classes=21,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
tta_model = dict(type='CRFSegTTAModel', crf=None)

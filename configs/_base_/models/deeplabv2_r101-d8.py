# DeepLab-v2 on ResNet-101 (output stride 8), the EPS / EPS + PPC
# segmentation network: ASPP with rates 6/12/18/24, branch scores summed.
norm_cfg = dict(type='BN', requires_grad=False)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    size=(448, 448))
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNet',
        depth=101,
        num_stages=4,
        out_indices=(3, ),
        strides=(1, 2, 1, 1),
        dilations=(1, 1, 2, 4),
        norm_cfg=norm_cfg,
        norm_eval=True,
        style='pytorch',
        contract_dilation=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='pretrained/resnet101_imagenet.pth')),
    decode_head=dict(
        type='ASPPV2Head',
        in_channels=2048,
        dilations=(6, 12, 18, 24),
        num_classes=21),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
tta_model = dict(type='CRFSegTTAModel', crf=dict())

# DeepLab-LargeFOV (v1) on ResNet-38d, the SEAM / SEAM + PPC segmentation
# network: a 3x3 convolution with dilation 12 on conv6, then the classifier.
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
        type='ResNet38d',
        out_keys=('conv6', ),
        frozen_stages=-1,
        dropout=(0., 0.),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='pretrained/resnet38d_ilsvrc_mxnet.pth')),
    decode_head=dict(
        type='LargeFOVHead',
        in_channels=4096,
        channels=512,
        dilation=12,
        dropout_ratio=0.5,
        num_classes=21),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
# multi-scale + flip test with dense CRF: tools/test.py --tta
tta_model = dict(type='CRFSegTTAModel', crf=dict())

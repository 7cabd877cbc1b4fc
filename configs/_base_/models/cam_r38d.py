# CAM on ResNet-38d (output stride 8) with the ImageNet weights converted by
# tools/model_converters/mxnet2torch.py.
data_preprocessor = dict(
    type='WSSSDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    size_divisor=8,
    test_cfg=dict(size_divisor=8))
model = dict(
    type='CAM',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNet38d',
        out_keys=('conv4', 'conv5', 'conv6'),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='pretrained/resnet38d_ilsvrc_mxnet.pth')),
    cam_head=dict(type='CAMHead', in_channels=4096, num_channels=20),
    dropout_ratio=0.5,
    test_cfg=dict(scales=(0.5, 1.0, 1.5, 2.0), flip=True))

# DeepLab-LargeFOV on the half-width ResNet-18 (output stride 8) of the
# synthetic benchmark: the stage-1 network's backbone and normalisation
# (cam_r18c32-d8.py) on its last stage; the dilation is scaled down with the
# images (12 -> 4). No ImageNet weights exist here: the pipeline initialises
# the backbone from the stage-1 classifier (model.backbone.init_cfg).
_base_ = './cam_r18c32-d8.py'
model = dict(
    _delete_=True,
    type='EncoderDecoder',
    data_preprocessor=_base_.data_preprocessor,
    backbone=dict(_base_.model.backbone, out_indices=(3, )),
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

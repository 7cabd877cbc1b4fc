# CAM on a half-width ResNet-18 (32 base channels, mmseg's ResNet) dilated to
# output stride 8: a CPU-sized backbone (0.4 s per step of 16 crops of 128 px
# on 2 cores, 0.2 s under bfloat16), trained from scratch on the synthetic
# benchmark, without the dropout the ResNet-38d recipes use. CAM inference
# runs under bfloat16 autocast (test_cfg.amp), 1.6x faster on such CPUs.
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
    type='CAM',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNet',
        depth=18,
        base_channels=32,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        strides=(1, 2, 1, 1),
        dilations=(1, 1, 2, 4),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True),
    cam_head=dict(type='CAMHead', in_channels=256, num_channels=20),
    dropout_ratio=0.,
    test_cfg=dict(scales=(0.5, 1.0, 1.5, 2.0), flip=True, amp=True))

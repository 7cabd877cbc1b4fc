# EPS on EfficientNet-Lite0 (output stride 8): C + 1 maps with background
# last, saliency loss (tau 0.4, lambda 0.5).
_base_ = './cam_efflite0-d8.py'
model = dict(
    type='EPS',
    cam_head=dict(num_channels=21),
    loss_sal=dict(type='SaliencyLoss', tau=0.4, lam=0.5))

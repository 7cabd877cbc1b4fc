# EPS on ResNet-38d: C + 1 maps with background last, saliency loss
# (tau 0.4, lambda 0.5). Inference as the authors' infer.py (the EPS class's
# test_cfg defaults): PIL-bicubic scales 0.5-2.0 + flip, softmax CAM
# upsampled from the feature grid, normalised by its maximum.
_base_ = './cam_r38d.py'
model = dict(
    type='EPS',
    cam_head=dict(num_channels=21),
    loss_sal=dict(type='SaliencyLoss', tau=0.4, lam=0.5),
    dropout_ratio=0.)

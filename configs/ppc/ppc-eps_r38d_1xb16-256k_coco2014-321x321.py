# EPS + PPC on MS COCO 2014: the network and losses of the VOC config (SEAM's
# PCM / ER / ECR / min-pooling on a second view, 128x128, trained as EPS,
# plus the contrast plug-in with EPS's constants) with 81 channels, EPS's
# COCO lambda (0.9) and the EPS authors' COCO data and schedule. The PPC
# authors publish no COCO settings.
_base_ = [
    '../_base_/models/seam_r38d.py', '../_base_/datasets/coco2014_cls.py',
    '../_base_/schedules/schedule_wsss_256k.py', '../_base_/models/ppc_head.py'
]
model = dict(
    type='EPS',
    cam_head=dict(num_channels=81),
    dropout_ratio=0.,
    loss_sal=dict(type='SaliencyLoss', tau=0.4, lam=0.9),
    loss_er=dict(type='EquivariantRegularizationLoss'),
    # the EPS + PPC code's max_onehot, as on VOC (see docs/method.md)
    loss_ecr=dict(
        type='EquivariantCrossRegularizationLoss', onehot_bg='first'),
    loss_minpool=dict(type='AdaptiveMinPoolingLoss'),
    contrast=_base_.eps_contrast)
train_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='train2014', saliency_path='SALImages'),
        pipeline=_base_.saliency_two_view_pipeline))

# EPS + PPC on MS COCO 2014: the network and losses of the VOC config (SEAM's
# PCM / ER / ECR / min-pooling on a second view, 128x128, trained as EPS,
# plus the contrast plug-in with EPS's constants) with 81 channels, EPS's
# COCO lambda (0.9) and the EPS authors' COCO data and schedule. The PPC
# authors publish no COCO settings.
_base_ = [
    '../_base_/models/seam_r38d.py', '../_base_/datasets/coco2014_cls.py',
    '../_base_/schedules/schedule_wsss_20k.py'
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
    contrast=dict(
        type='PixelPrototypeContrast',
        pseudo_label_bg_score=0.10,
        topk_divisor=16))
train_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='train2014', saliency_path='SALImages'),
        pipeline=_base_.saliency_two_view_pipeline))
# the EPS authors' COCO schedule (script/coco_eps.sh, its log: iter_size 1):
# 256,500 iterations of batch 16 with the VOC optimizer, a checkpoint every
# 10k
max_iters = 256500
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=10000))

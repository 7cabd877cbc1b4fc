# EPS (CVPR 2021) on MS COCO 2014 with the settings of the authors' COCO
# script (halbielee/EPS, script/coco_eps.sh): crop 321, resize-long 256-448,
# batch 16, 256,500 iterations, lr 0.01, tau 0.4, lambda 0.9 (VOC: 0.5).
# Saliency maps from an off-the-shelf detector (EPS ships PFAN's for COCO) in
# data/coco2014/SALImages/{stem}.png (0-255). The EPS paper reports 35.7
# mIoU on COCO val after its segmentation stage; the authors' README, 37.15
# seed mIoU on COCO train for this stage.
_base_ = [
    '../_base_/models/eps_r38d.py', '../_base_/datasets/coco2014_cls.py',
    '../_base_/schedules/schedule_wsss_20k.py'
]
model = dict(
    cam_head=dict(num_channels=81),
    loss_sal=dict(type='SaliencyLoss', tau=0.4, lam=0.9))
train_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='train2014', saliency_path='SALImages'),
        pipeline=_base_.saliency_pipeline))
# the EPS authors' COCO schedule (script/coco_eps.sh, its log: iter_size 1):
# 256,500 iterations of batch 16 with the VOC optimizer, a checkpoint every
# 10k
max_iters = 256500
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=10000))

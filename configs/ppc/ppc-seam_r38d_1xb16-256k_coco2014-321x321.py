# SEAM + PPC on MS COCO 2014. Neither SEAM nor PPC publishes COCO settings:
# the model is the VOC one with 81 channels (background first) and the
# contrast plug-in with SEAM's constants, the data and schedule are the EPS
# authors' COCO ones (script/coco_eps.sh): crop 321, resize-long 256-448,
# batch 16, 256,500 iterations, lr 0.01 poly 0.9.
_base_ = [
    '../_base_/models/seam_r38d.py', '../_base_/datasets/coco2014_cls.py',
    '../_base_/schedules/schedule_wsss_20k.py'
]
model = dict(
    cam_head=dict(num_channels=81),
    contrast=dict(type='PixelPrototypeContrast'))
train_dataloader = dict(dataset=dict(pipeline=_base_.two_view_pipeline))
# the EPS authors' COCO schedule (script/coco_eps.sh, its log: iter_size 1):
# 256,500 iterations of batch 16 with the VOC optimizer, a checkpoint every
# 10k
max_iters = 256500
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=10000))

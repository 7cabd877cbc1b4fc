# SEAM + PPC on MS COCO 2014. Neither SEAM nor PPC publishes COCO settings:
# the model is the VOC one with 81 channels (background first) and the
# contrast plug-in with SEAM's constants, the data and schedule are the EPS
# authors' COCO ones (script/coco_eps.sh): crop 321, resize-long 256-448,
# batch 16, 256,500 iterations, lr 0.01 poly 0.9.
_base_ = [
    '../_base_/models/seam_r38d.py', '../_base_/datasets/coco2014_cls.py',
    '../_base_/schedules/schedule_wsss_256k.py', '../_base_/models/ppc_head.py'
]
model = dict(cam_head=dict(num_channels=81), contrast=_base_.contrast)
train_dataloader = dict(dataset=dict(pipeline=_base_.two_view_pipeline))

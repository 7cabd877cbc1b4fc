# EPS on the synthetic benchmark in the COCO layout (80 classes; the scenes
# use the first 20): the CPU recipe of the synthetic VOC EPS config with the
# EPS authors' COCO lambda (0.9).
_base_ = [
    '../_base_/models/eps_r18c32-d8.py',
    '../_base_/datasets/synthetic_coco_cls.py',
    '../_base_/schedules/schedule_synthetic_16e.py'
]
model = dict(
    cam_head=dict(num_channels=81),
    loss_sal=dict(type='SaliencyLoss', tau=0.4, lam=0.9))
train_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='train2014', saliency_path='SALImages'),
        pipeline=_base_.saliency_pipeline))

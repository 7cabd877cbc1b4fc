# AffinityNet on benchmark v2 (data/synthetic_voc_v2) with the ImageNet-
# initialised EfficientNet-Lite0 at output stride 8: the pair radius, loss,
# random walk and steps of affinity_r38d_1xb8-8e_voc12aug-448x448.py; an
# embedding of stages 3, 5 and 7 (40/112/320 -> 16/32/64 channels -> 112);
# the data and schedule of benchmark v2 (96-px crops, batch 8, 4 epochs,
# backbone lr 0.03 and the new embedding x10, as the VOC config's new
# layers). The folders are those of the synthetic benchmark's AffinityNet.
_base_ = [
    '../_base_/models/cam_efflite0-d8.py',
    '../_base_/datasets/synthetic_voc_v2_cls.py',
    '../_base_/schedules/schedule_synthetic_v2.py'
]
cam_dir = 'work_dirs/affinity_synthetic/cams'
affinity_label_dir = 'work_dirs/affinity_synthetic/affinity_labels'
refined_mask_dir = 'work_dirs/affinity_synthetic/refined_masks'

model = dict(
    _delete_=True,
    type='AffinityNet',
    data_preprocessor=_base_.data_preprocessor,
    backbone=_base_.model.backbone,
    aff_head=dict(
        type='AffinityHead',
        in_channels=(40, 112, 320),
        channels=(16, 32, 64),
        out_channels=112),
    in_index=(0, 1, 2),
    radius=5,
    loss_aff=dict(type='AffinityLoss'),
    test_cfg=dict(beta=8., logt=6, walk_bg_score=0.27))

train_pipeline = _base_.load + [
    dict(type='LoadAffinityLabel', label_dir=affinity_label_dir)
] + _base_.augment + _base_.pack
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = None
val_evaluator = None
val_cfg = None
test_dataloader = None
test_evaluator = None
test_cfg = None

optim_wrapper = dict(
    paramwise_cfg=dict(
        custom_keys=dict(_delete_=True, aff_head=dict(lr_mult=10.))))

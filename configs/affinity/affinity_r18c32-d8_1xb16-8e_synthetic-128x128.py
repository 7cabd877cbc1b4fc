# AffinityNet on the synthetic benchmark (CPU): the half-width ResNet-18
# dilated to stride 8, trained from scratch; its stages 1-3 (64/128/256
# channels at stride 8) are reduced to 16/32/64 and fused into a 112-channel
# embedding. 8 epochs of 50 iterations (batch 16, crop 128) with the
# synthetic schedule (bfloat16, SGD momentum 0.9, lr 0.05 poly 0.9, every
# layer new so one lr). The random walk and the steps are those of
# affinity_r38d_1xb8-8e_voc12aug-448x448.py.
_base_ = [
    '../_base_/models/cam_r18c32-d8.py',
    '../_base_/datasets/synthetic_voc_cls.py',
    '../_base_/schedules/schedule_synthetic_16e.py'
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
        in_channels=(64, 128, 256),
        channels=(16, 32, 64),
        out_channels=112),
    in_index=(1, 2, 3),
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

max_epochs = 8
param_scheduler = [
    dict(
        type='PolyLR',
        power=0.9,
        eta_min=0.,
        begin=0,
        end=max_epochs,
        by_epoch=True,
        convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)

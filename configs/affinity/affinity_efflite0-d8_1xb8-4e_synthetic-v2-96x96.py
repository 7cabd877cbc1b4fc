# AffinityNet on benchmark v2 (data/synthetic_voc_v2) with the ImageNet-
# initialised EfficientNet-Lite0 at output stride 8: the version 1 config's
# pair radius, loss, random walk and steps; an embedding of stages 3, 5 and 7
# (40/112/320 -> 16/32/64 channels -> 112); the data and schedule of
# benchmark v2 (96-px crops, batch 8, 4 epochs, backbone lr 0.03 and the new
# embedding x10, as the VOC config's new layers).
_base_ = [
    './affinity_r18c32-d8_1xb16-8e_synthetic-128x128.py',
    '../_base_/models/efflite0-d8.py',
    '../_base_/datasets/synthetic_voc_v2.py',
    '../_base_/schedules/schedule_synthetic_v2.py'
]
model = dict(
    data_preprocessor=_base_.efflite0_model['data_preprocessor'],
    backbone=_base_.efflite0_backbone,
    aff_head=dict(in_channels=(40, 112, 320)),
    in_index=(0, 1, 2))
train_dataloader = dict(
    batch_size=8,
    dataset=dict(
        data_root=_base_.v2_data_root,
        pipeline=_base_.v2_load + [
            dict(
                type='LoadAffinityLabel', label_dir=_base_.affinity_label_dir)
        ] + _base_.v2_augment + _base_.v2_pack))
optim_wrapper = dict(
    optimizer=dict(lr=0.03),
    paramwise_cfg=dict(custom_keys=dict(aff_head=dict(lr_mult=10.))))
param_scheduler = {{_base_.v2_param_scheduler}}
train_cfg = {{_base_.v2_train_cfg}}
default_hooks = {{_base_.v2_default_hooks}}

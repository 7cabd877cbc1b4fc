# AffinityNet (PSA, CVPR 2018) as SEAM and PPC train it to refine their seeds:
# ResNet-38d from the ImageNet weights, embedding of conv4/conv5/conv6
# (512/1024/4096 -> 64/128/256 -> 448), pairs within radius 5 on the stride-8
# grid, 8 epochs of train_aug, batch 8, crop 448, lr 0.1 (new layers x10).
#
#   1. CAMs:    python tools/pseudo_masks.py STAGE1_CONFIG CKPT --save-cam \
#                   --out CAM_DIR
#   2. labels:  python tools/affinity_labels.py THIS_CONFIG --cams CAM_DIR \
#                   --out LABEL_DIR
#   3. train:   python tools/train.py THIS_CONFIG --cfg-options \
#                   train_dataloader.dataset.pipeline.1.label_dir=LABEL_DIR
#   4. refine:  python tools/random_walk.py THIS_CONFIG AFF_CKPT \
#                   --cams CAM_DIR --out MASK_DIR
#
# The folders default to the keys below (the training pipeline reads
# affinity_label_dir when the config is parsed: override the pipeline key of
# step 3 on the command line).
_base_ = [
    '../_base_/models/cam_r38d.py', '../_base_/datasets/voc12_cls.py',
    '../_base_/schedules/schedule_wsss_8e.py'
]
cam_dir = 'work_dirs/affinity/cams'
affinity_label_dir = 'work_dirs/affinity/affinity_labels'
refined_mask_dir = 'work_dirs/affinity/refined_masks'

model = dict(
    _delete_=True,
    type='AffinityNet',
    data_preprocessor=_base_.data_preprocessor,
    backbone=_base_.model.backbone,
    aff_head=dict(
        type='AffinityHead',
        in_channels=(512, 1024, 4096),
        channels=(64, 128, 256),
        out_channels=448),
    in_index=(0, 1, 2),
    radius=5,
    loss_aff=dict(type='AffinityLoss'),
    test_cfg=dict(beta=8., logt=6, walk_bg_score=0.27))

train_pipeline = _base_.load + [
    dict(type='LoadAffinityLabel', label_dir=affinity_label_dir)
] + _base_.augment + _base_.pack
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
# no validation: the refined masks are evaluated after the random walk
val_dataloader = None
val_evaluator = None
val_cfg = None
test_dataloader = None
test_evaluator = None
test_cfg = None

optim_wrapper = dict(
    optimizer=dict(lr=0.1),
    paramwise_cfg=dict(
        custom_keys=dict(_delete_=True, aff_head=dict(lr_mult=10.))))

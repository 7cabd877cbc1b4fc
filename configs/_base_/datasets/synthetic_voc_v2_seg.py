# Stage 2 on benchmark v2: the version 1 recipe (synthetic_voc_seg.py) at
# crop 96 (resize ratios 0.75-1.5 of 120 px), batch 8.
_base_ = './voc12_seg.py'
data_root = 'data/synthetic_voc_v2'
crop_size = (96, 96)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(120, 120),
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8, num_workers=2, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

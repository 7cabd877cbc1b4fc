# Stage 2 on MS COCO 2014: a segmentation network trained on the pseudo
# masks of train2014 (the folder pseudo_mask_dir, read as it is) and
# validated on val2014 (the 40,137 images with an object) against masks
# derived once from the instances into SegmentationClass/val2014. The
# pipelines are the VOC stage-2 ones (no COCO stage-2 recipe is published
# with EPS or PPC).
dataset_type = 'COCOClsDataset'
data_root = 'data/coco2014'
pseudo_mask_dir = 'work_dirs/pseudo_masks'
crop_size = (448, 448)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(2048, 512),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
# multi-scale + flip test, the authors' scales 0.5-1.75 (tools/test.py --tta)
tta_scales = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='TestTimeAug',
        transforms=[
            [
                dict(type='Resize', scale_factor=r, keep_ratio=True)
                for r in tta_scales
            ],
            [
                dict(type='RandomFlip', prob=0., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='horizontal')
            ], [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]
        ])
]
train_dataloader = dict(
    batch_size=10,
    num_workers=4,
    persistent_workers=True,
    drop_last=True,
    # augmentation keyed to (seed, epoch, index): independent of the
    # workers, exact on resume
    sampler=dict(type='KeyedInfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/instances_train2014.json',
        with_label=False,
        generate_masks=False,
        data_prefix=dict(img_path='train2014', seg_map_path=pseudo_mask_dir),
        pipeline=train_pipeline))
# the training loader's settings, on val against its masks
val_dataloader = dict(
    train_dataloader,
    batch_size=1,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        train_dataloader['dataset'],
        ann_file='annotations/instances_val2014.json',
        generate_masks=True,
        data_prefix=dict(
            img_path='val2014', seg_map_path='SegmentationClass/val2014'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='ClassIoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

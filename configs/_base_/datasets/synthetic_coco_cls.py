# The project's synthetic benchmark in the COCO layout (written by
# tools/dataset_converters/synthetic_voc.py --layout coco): the recipe of
# synthetic_voc_cls.py for its 112-160 px images (resize-long 128-220, crop
# 128, view 2 64x64, no hue jitter) on the COCO dataset (labels from the
# instances files, masks derived into SegmentationClass/train2014, as
# coco2014_cls.py).
dataset_type = 'COCOClsDataset'
data_root = 'data/synthetic_coco'
train_ann_file = 'annotations/instances_train2014.json'
crop_size = 128
view2_size = (64, 64)
load = [dict(type='LoadImageFromFile')]
load_saliency = load + [dict(type='LoadSaliencyFromFile')]
augment = [
    dict(type='RandomResizeLong', min_long=128, max_long=220),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='ColorJitter',
        brightness=0.3,
        contrast=0.3,
        saturation=0.3,
        hue=0.),
    dict(type='RandomCropPad', crop_size=crop_size),
]
two_view = [dict(type='TwoViewTransform', size=view2_size)]
pack = [dict(type='PackWSSSInputs')]
train_pipeline = load + augment + pack
two_view_pipeline = load + augment + two_view + pack
saliency_pipeline = load_saliency + augment + pack
saliency_two_view_pipeline = load_saliency + augment + two_view + pack
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackWSSSInputs'),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    drop_last=True,
    # augmentation keyed to (seed, epoch, index): independent of the
    # workers, exact on resume
    sampler=dict(type='KeyedDefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=train_ann_file,
        data_prefix=dict(img_path='train2014'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=train_ann_file,
        data_prefix=dict(
            img_path='train2014', seg_map_path='SegmentationClass/train2014'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# the images that get pseudo masks (image labels only, no mask)
pseudo_mask_dataloader = dict(
    batch_size=8,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=train_ann_file,
        data_prefix=dict(img_path='train2014'),
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='PackWSSSInputs')]))
val_evaluator = dict(type='SeedMetric')
test_evaluator = val_evaluator

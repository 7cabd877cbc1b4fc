# Benchmark v2 (data/synthetic_voc_v2, written by
# tools/dataset_converters/synthetic_voc.py --version 2) for the
# ImageNet-initialised EfficientNet-Lite0 at output stride 8, sized for the
# README's main job on 2 CPU cores: the VOC recipe on crops of 96 px
# (resize-long 96-165, VOC's 448-768 scaled to the crop), batch 8, view 2
# 64x64 (8x8 features at stride 8), no hue jitter; seeds on train, pseudo
# masks of train_aug, in batches of 8.
dataset_type = 'VOCClsDataset'
data_root = 'data/synthetic_voc_v2'
crop_size = 96
view2_size = (64, 64)
load = [dict(type='LoadImageFromFile')]
load_saliency = load + [dict(type='LoadSaliencyFromFile')]
augment = [
    dict(type='RandomResizeLong', min_long=96, max_long=165),
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
test_pipeline = load + [dict(type='LoadAnnotations')] + pack
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    drop_last=True,
    # augmentation keyed to (seed, epoch, index): independent of the
    # workers, exact on resume
    sampler=dict(type='KeyedDefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='ImageSets/Segmentation/train_aug.txt',
        cls_label_file='cls_labels.npy',
        data_prefix=dict(img_path='JPEGImages'),
        pipeline=train_pipeline))
# seeds evaluated on train against its masks
val_dataloader = dict(
    train_dataloader,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        train_dataloader['dataset'],
        ann_file='ImageSets/Segmentation/train.txt',
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClass'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# the images that get pseudo masks: the training images without
# augmentation, in the evaluation's batches
pseudo_mask_dataloader = dict(
    val_dataloader,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(train_dataloader['dataset'], pipeline=load + pack))
val_evaluator = dict(type='SeedMetric')
test_evaluator = val_evaluator

# PASCAL VOC 2012 with SBD (train_aug, 10,582 images) and image-level labels.
# Seeds are evaluated on VOC train (1,464 images) against SegmentationClass.
dataset_type = 'VOCClsDataset'
data_root = 'data/VOCdevkit/VOC2012'
crop_size = 448
view2_size = (128, 128)  # PPC: view 2 is view 1 resized to 128x128

# pipeline pieces, assembled per method below
load = [dict(type='LoadImageFromFile')]
load_saliency = load + [dict(type='LoadSaliencyFromFile')]
augment = [
    dict(type='RandomResizeLong', min_long=448, max_long=768),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='ColorJitter',
        brightness=0.3,
        contrast=0.3,
        saturation=0.3,
        hue=0.1),
    dict(type='RandomCropPad', crop_size=crop_size),
]
two_view = [dict(type='TwoViewTransform', size=view2_size)]
pack = [dict(type='PackWSSSInputs')]
train_pipeline = load + augment + pack  # CAM
two_view_pipeline = load + augment + two_view + pack  # SEAM (+ PPC)
saliency_pipeline = load_saliency + augment + pack  # EPS
saliency_two_view_pipeline = load_saliency + augment + two_view + pack
test_pipeline = load + [dict(type='LoadAnnotations')] + pack
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
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
# seeds evaluated on VOC train against its masks
val_dataloader = dict(
    train_dataloader,
    batch_size=1,
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

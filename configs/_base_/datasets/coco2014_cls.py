# MS COCO 2014 (80 classes) with image-level labels read from the instances
# files, for stage 1. The augmentation is EPS's COCO recipe
# (halbielee/EPS, script/coco_eps.sh and module/dataloader.py): resize-long
# 256-448, flip, ColorJitter(0.3, 0.3, 0.3, 0.1), crop 321, batch 16. Stage 1
# trains on train2014 and the seeds are evaluated on train2014 too, as EPS
# evaluates its COCO seeds (its train list: the 82,081 train2014 images with
# an object; COCOClsDataset skips the 702 others). Evaluation masks are
# derived once from the instances into SegmentationClass/train2014 (see
# mmwsss/datasets/coco_masks.py); EPS's saliency maps go in SALImages/.
dataset_type = 'COCOClsDataset'
data_root = 'data/coco2014'
train_ann_file = 'annotations/instances_train2014.json'
crop_size = 321
view2_size = (128, 128)  # PPC: view 2 is view 1 resized to 128x128
load = [dict(type='LoadImageFromFile')]
load_saliency = load + [dict(type='LoadSaliencyFromFile')]
augment = [
    dict(type='RandomResizeLong', min_long=256, max_long=448),
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
    batch_size=16,
    num_workers=4,
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
# seeds evaluated on train2014 against its derived masks
val_dataloader = dict(
    train_dataloader,
    batch_size=1,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        train_dataloader['dataset'],
        data_prefix=dict(
            img_path='train2014', seg_map_path='SegmentationClass/train2014'),
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

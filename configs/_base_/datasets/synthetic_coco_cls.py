# The project's synthetic benchmark in the COCO layout (written by
# tools/dataset_converters/synthetic_voc.py --layout coco): the COCO dataset
# (labels from the instances files, derived masks) with the synthetic VOC
# recipe of synthetic_voc_cls.py for its 112-160 px images (resize-long
# 128-220, crop 128, view 2 64x64, no hue jitter).
_base_ = './coco2014_cls.py'
data_root = 'data/synthetic_coco'
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
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8, num_workers=2, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
pseudo_mask_dataloader = dict(
    batch_size=8, num_workers=2, dataset=dict(data_root=data_root))

# Benchmark v2 (data/synthetic_voc_v2, written by
# tools/dataset_converters/synthetic_voc.py --version 2) for the
# ImageNet-initialised EfficientNet-Lite0 at output stride 8, sized for the
# README's main job on 2 CPU cores: crops of 96 px (resize-long 96-165, the
# version 1 range x 0.75), batch 8, view 2 64x64 (8x8 features). The
# variables are prefixed (v2_) because the configs that use them inherit
# their method from the version 1 configs, and a key may not come from two
# bases: each config sets its dataloaders from these.
v2_data_root = 'data/synthetic_voc_v2'
v2_load = [dict(type='LoadImageFromFile')]
v2_load_saliency = v2_load + [dict(type='LoadSaliencyFromFile')]
v2_augment = [
    dict(type='RandomResizeLong', min_long=96, max_long=165),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='ColorJitter',
        brightness=0.3,
        contrast=0.3,
        saturation=0.3,
        hue=0.),
    dict(type='RandomCropPad', crop_size=96),
]
v2_two_view = [dict(type='TwoViewTransform', size=(64, 64))]
v2_pack = [dict(type='PackWSSSInputs')]
v2_train_dataset = dict(data_root=v2_data_root)
v2_train_dataloaders = dict(
    cam=dict(
        batch_size=8,
        dataset=dict(
            v2_train_dataset, pipeline=v2_load + v2_augment + v2_pack)),
    two_view=dict(
        batch_size=8,
        dataset=dict(
            v2_train_dataset,
            pipeline=v2_load + v2_augment + v2_two_view + v2_pack)),
    saliency=dict(
        batch_size=8,
        dataset=dict(
            v2_train_dataset,
            pipeline=v2_load_saliency + v2_augment + v2_pack)),
    saliency_two_view=dict(
        batch_size=8,
        dataset=dict(
            v2_train_dataset,
            pipeline=v2_load_saliency + v2_augment + v2_two_view + v2_pack)))
# seeds on train, pseudo masks of train_aug
v2_eval_dataloader = dict(dataset=dict(data_root=v2_data_root))
# stage 2: the version 1 recipe at crop 96, batch 8
v2_seg_train_dataloader = dict(
    batch_size=8,
    dataset=dict(
        data_root=v2_data_root,
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations'),
            dict(
                type='RandomResize',
                scale=(120, 120),
                ratio_range=(0.75, 1.5),
                keep_ratio=True),
            dict(type='RandomCrop', crop_size=(96, 96), cat_max_ratio=0.75),
            dict(type='RandomFlip', prob=0.5),
            dict(type='PackSegInputs')
        ]))

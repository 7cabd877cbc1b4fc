# The project's synthetic benchmark in the COCO layout (written by
# tools/dataset_converters/synthetic_voc.py --layout coco): the recipe of
# synthetic_voc_cls.py for its 112-160 px images (resize-long 128-220, crop
# 128, view 2 64x64, no hue jitter) on the COCO dataset (labels from the
# instances files, masks derived into SegmentationClass/train2014, as
# coco2014_cls.py).
_base_ = './synthetic_voc_cls.py'
dataset_type = 'COCOClsDataset'
data_root = 'data/synthetic_coco'
train_ann_file = 'annotations/instances_train2014.json'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file=train_ann_file,
        data_prefix=dict(img_path='train2014'),
        pipeline=_base_.train_pipeline))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file=train_ann_file,
        data_prefix=dict(
            img_path='train2014', seg_map_path='SegmentationClass/train2014'),
        pipeline=_base_.test_pipeline))
test_dataloader = val_dataloader
pseudo_mask_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file=train_ann_file,
        data_prefix=dict(img_path='train2014'),
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='PackWSSSInputs')]))

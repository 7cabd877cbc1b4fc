# Stage 2 on MS COCO 2014: a segmentation network trained on the pseudo
# masks of train2014 (the folder pseudo_mask_dir, read as it is) and
# validated on val2014 (the 40,137 images with an object) against masks
# derived once from the instances into SegmentationClass/val2014. The
# pipelines are the VOC stage-2 ones (no COCO stage-2 recipe is published
# with EPS or PPC).
_base_ = './voc12_seg.py'
dataset_type = 'COCOClsDataset'
data_root = 'data/coco2014'
pseudo_mask_dir = 'work_dirs/pseudo_masks'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/instances_train2014.json',
        with_label=False,
        generate_masks=False,
        data_prefix=dict(img_path='train2014', seg_map_path=pseudo_mask_dir),
        pipeline=_base_.train_pipeline))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/instances_val2014.json',
        with_label=False,
        data_prefix=dict(
            img_path='val2014', seg_map_path='SegmentationClass/val2014'),
        pipeline=_base_.test_pipeline))
test_dataloader = val_dataloader

# Stage 2 on MS COCO 2014: DeepLab-v2 on ResNet-101 (81 classes) trained on
# the pseudo masks in pseudo_mask_dir (set
# train_dataloader.dataset.data_prefix.seg_map_path) and tested on val2014.
# Neither EPS nor PPC publishes its COCO stage-2 settings: this is the VOC
# recipe (lr 1e-3, batch 10, crop 448, 20k iterations = about 2.4 epochs of
# COCO train; lengthen with train_cfg.max_iters and param_scheduler.0.end).
_base_ = [
    '../_base_/models/deeplabv2_r101-d8.py',
    '../_base_/datasets/coco2014_seg.py',
    '../_base_/schedules/schedule_seg_20k.py'
]
model = dict(decode_head=dict(num_classes=81))

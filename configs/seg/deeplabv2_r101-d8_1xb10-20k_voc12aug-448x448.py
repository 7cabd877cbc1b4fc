# EPS + PPC stage 2: DeepLab-v2 on ResNet-101 trained on the pseudo masks in
# pseudo_mask_dir (set train_dataloader.dataset.data_prefix.seg_map_path).
_base_ = [
    '../_base_/models/deeplabv2_r101-d8.py', '../_base_/datasets/voc12_seg.py',
    '../_base_/schedules/schedule_seg_20k.py'
]

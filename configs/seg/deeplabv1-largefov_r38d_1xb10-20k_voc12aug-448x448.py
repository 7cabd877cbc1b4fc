# SEAM + PPC stage 2: DeepLab-LargeFOV on ResNet-38d trained on the pseudo
# masks in pseudo_mask_dir (set
# train_dataloader.dataset.data_prefix.seg_map_path).
_base_ = [
    '../_base_/models/deeplabv1-largefov_r38d.py',
    '../_base_/datasets/voc12_seg.py',
    '../_base_/schedules/schedule_seg_20k.py'
]

# SEAM + PPC on PASCAL VOC 2012: ResNet-38d, AffinityNet + random walk, then
# DeepLab-LargeFOV on ResNet-38d, as the PPC authors (usr922/wseg, master):
# SEAM's pipeline with the PPC classifier.
_base_ = './seam_r38d_voc12aug.py'
stage1 = dict(config='configs/ppc/ppc-seam_r38d_1xb8-8e_voc12aug-448x448.py')
paper = dict(
    seed_mIoU=61.5,
    refined_mask_mIoU_train=69.2,
    seg_mIoU_val=67.7,
    source='PPC paper (Du et al., CVPR 2022), median of 3 runs; test 67.4')

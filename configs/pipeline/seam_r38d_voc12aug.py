# SEAM on PASCAL VOC 2012: ResNet-38d, AffinityNet + random walk, then
# DeepLab-LargeFOV on ResNet-38d, as the SEAM authors.
_base_ = './_paper_r38d.py'
stage1 = dict(config='configs/seam/seam_r38d_1xb8-8e_voc12aug-448x448.py')
affinity = dict(
    config='configs/affinity/affinity_r38d_1xb8-8e_voc12aug-448x448.py',
    walk_bg_score=None)
paper = dict(
    seed_mIoU=55.4,
    seg_mIoU_val=64.5,
    source='PPC paper (Du et al., CVPR 2022), its SEAM baseline; test 65.7')

# EPS + PPC on PASCAL VOC 2012: ResNet-38d with saliency maps, its CAMs as
# pseudo masks, then DeepLab-v2 on ResNet-101, as the PPC authors
# (usr922/wseg, esp).
_base_ = './eps_r38d_voc12aug.py'
stage1 = dict(config='configs/ppc/ppc-eps_r38d_1xb8-20k_voc12aug-448x448.py')
paper = dict(
    seed_mIoU=70.5,
    seg_mIoU_val=72.6,
    source='PPC paper (Du et al., CVPR 2022), median of 3 runs; test 73.6')

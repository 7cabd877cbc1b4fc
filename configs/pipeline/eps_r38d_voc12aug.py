# EPS on PASCAL VOC 2012: ResNet-38d with saliency maps, its CAMs as pseudo
# masks (no random walk), then DeepLab-v2 on ResNet-101, as the EPS authors.
_base_ = './_paper_r38d.py'
stage1 = dict(config='configs/eps/eps_r38d_1xb8-20k_voc12aug-448x448.py')
stage2 = dict(
    config='configs/seg/deeplabv2_r101-d8_1xb10-20k_voc12aug-448x448.py')
paper = dict(
    seed_mIoU=69.2,
    seg_mIoU_val=70.9,
    source='PPC paper (Du et al., CVPR 2022), its EPS baseline (seeds of '
    'the released checkpoint); test 70.8')

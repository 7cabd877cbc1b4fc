# EPS on MS COCO 2014 (README, "Using MS COCO 2014"): ResNet-38d with
# saliency maps, its CAMs as pseudo masks of train2014, DeepLab-v2 on
# ResNet-101 evaluated on val2014, with EPS's COCO settings. Seeds are
# evaluated on train2014, the stage-1 config's test split.
_base_ = './_paper_r38d.py'
stage1 = dict(config='configs/eps/eps_r38d_1xb16-256k_coco2014-321x321.py')
stage2 = dict(
    config='configs/seg/deeplabv2_r101-d8_1xb10-20k_coco2014-448x448.py')
paper = dict(
    seed_mIoU=37.15,
    seg_mIoU_val=35.7,
    source='EPS paper (Lee et al., CVPR 2021) for val; the EPS authors\' '
    'repository for the seeds on train2014')

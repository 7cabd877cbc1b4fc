# What the pipelines of the paper share (VOC 2012 here; the COCO ones change
# the stage configs): data/VOCdevkit/VOC2012 with the SBD
# train_aug masks (README, "Using PASCAL VOC 2012"), no synthetic benchmark;
# seeds evaluated on train (1,464 images) as the papers do, pseudo masks of
# train_aug; stage 2 tested with the authors' multi-scale + flip. Report the
# median of training seeds 0, 1, 2 as the authors do:
#   for s in 0 1 2; do python tools/pipeline.py CONFIG \
#       --cfg-options seed=$s --work-dir work_dirs/NAME_seed$s; done
seed = 0
pseudo_masks = dict(split=None, crf=False)  # the config's train_aug
stage2 = dict(
    config='configs/seg/deeplabv1-largefov_r38d_1xb10-20k_voc12aug-448x448.py',
    init_backbone_from_stage1=False,  # ImageNet weights, as the authors
    tta=True)

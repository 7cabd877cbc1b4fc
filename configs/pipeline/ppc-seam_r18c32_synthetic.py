# The README's main job: the whole WSSS pipeline, SEAM + PPC, on the
# project's synthetic benchmark (written first if missing), on CPU.
benchmark = dict(out_dir='data/synthetic_voc', seed=0)
seed = 0  # training seed of both stages
stage1 = dict(
    config='configs/ppc/ppc-seam_r18c32-d8_1xb16-16e_synthetic-128x128.py')
pseudo_masks = dict(split='train_aug', crf=False)
stage2 = dict(
    config='configs/seg/'
    'deeplabv1-largefov_r18c32-d8_1xb16-400_synthetic-128x128.py',
    init_backbone_from_stage1=True,
    tta=False)

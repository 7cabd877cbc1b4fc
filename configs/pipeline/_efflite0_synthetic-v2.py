# What the pipelines of benchmark v2 share: the benchmark (written first if
# missing), the ImageNet-initialised EfficientNet-Lite0 in both stages
# (convert its weights first:
# python tools/model_converters/efficientnet_lite0.py), seeds on train,
# pseudo masks of train_aug without CRF, DeepLab-LargeFOV from the stage-1
# backbone, tested at one scale.
benchmark = dict(out_dir='data/synthetic_voc_v2', seed=0, version=2)
seed = 0  # training seed of both stages
pseudo_masks = dict(split='train_aug', crf=False)
stage2 = dict(
    config='configs/seg/'
    'deeplabv1-largefov_efflite0-d8_1xb8-200_synthetic-v2-96x96.py',
    init_backbone_from_stage1=True,
    tta=False)

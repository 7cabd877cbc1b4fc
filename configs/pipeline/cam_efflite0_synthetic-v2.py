# The whole pipeline of the cam method on benchmark v2 (written first if
# missing) with the ImageNet-initialised EfficientNet-Lite0 in both stages
# (convert its weights first:
# python tools/model_converters/efficientnet_lite0.py).
_base_ = './cam_r18c32_synthetic.py'
benchmark = dict(out_dir='data/synthetic_voc_v2', seed=0, version=2)
stage1 = dict(
    config='configs/cam/cam_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py')
stage2 = dict(config='configs/seg/'
              'deeplabv1-largefov_efflite0-d8_1xb8-200_synthetic-v2-96x96.py')

# The whole pipeline of the ppc-eps method on the synthetic benchmark with the
# ImageNet-initialised EfficientNet-Lite0 in both stages (convert its weights
# first: python tools/model_converters/efficientnet_lite0.py).
_base_ = './ppc-eps_r18c32_synthetic.py'
stage1 = dict(
    config='configs/ppc/ppc-eps_efflite0-d8_1xb16-16e_synthetic-128x128.py')
stage2 = dict(config='configs/seg/'
              'deeplabv1-largefov_efflite0-d8_1xb16-400_synthetic-128x128.py')

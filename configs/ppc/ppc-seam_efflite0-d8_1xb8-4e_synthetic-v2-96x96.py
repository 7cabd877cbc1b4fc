# SEAM + PPC on benchmark v2 (data/synthetic_voc_v2) with the ImageNet-
# initialised EfficientNet-Lite0 at output stride 8: the SEAM config plus
# the plug-in.
_base_ = [
    '../_base_/models/seam_efflite0-d8.py',
    '../_base_/datasets/synthetic_voc_v2_cls.py',
    '../_base_/schedules/schedule_synthetic_v2.py'
]
model = dict(contrast=dict(type='PixelPrototypeContrast'))
train_dataloader = dict(dataset=dict(pipeline=_base_.two_view_pipeline))

# SEAM + PPC on the synthetic benchmark: the SEAM config plus the plug-in.
_base_ = [
    '../_base_/models/seam_r18c32-d8.py',
    '../_base_/datasets/synthetic_voc_cls.py',
    '../_base_/schedules/schedule_synthetic_16e.py'
]
model = dict(contrast=dict(type='PixelPrototypeContrast'))
train_dataloader = dict(dataset=dict(pipeline=_base_.two_view_pipeline))

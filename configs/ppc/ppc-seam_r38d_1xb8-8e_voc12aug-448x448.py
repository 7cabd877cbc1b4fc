# SEAM + PPC (CVPR 2022): the SEAM config plus the contrast plug-in.
_base_ = [
    '../_base_/models/seam_r38d.py', '../_base_/datasets/voc12_cls.py',
    '../_base_/schedules/schedule_wsss_8e.py'
]
model = dict(contrast=dict(type='PixelPrototypeContrast'))
train_dataloader = dict(dataset=dict(pipeline=_base_.two_view_pipeline))

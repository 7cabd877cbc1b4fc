# SEAM + PPC (CVPR 2022): the SEAM config plus the contrast plug-in.
_base_ = [
    '../_base_/models/seam_r38d.py', '../_base_/datasets/voc12_cls.py',
    '../_base_/schedules/schedule_wsss_8e.py', '../_base_/models/ppc_head.py'
]
model = dict(contrast=_base_.contrast)
train_dataloader = dict(dataset=dict(pipeline=_base_.two_view_pipeline))

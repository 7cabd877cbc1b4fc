# SEAM (CVPR 2020) as the PPC authors run it: view 2 is view 1 resized to
# 128x128 (SEAM's own code scales the 448 crops by 0.3 to 134x134:
# TwoViewTransform with size=(134, 134)).
_base_ = [
    '../_base_/models/seam_r38d.py', '../_base_/datasets/voc12_cls.py',
    '../_base_/schedules/schedule_wsss_8e.py'
]
train_dataloader = dict(dataset=dict(pipeline=_base_.two_view_pipeline))

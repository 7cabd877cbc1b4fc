# SEAM (CVPR 2020) as the PPC authors run it: view 2 is view 1 resized to
# 128x128 (SEAM's own code scales by 0.3: TwoViewTransform with
# scale_range=(0.3, 0.3) and size 448 reproduces that).
_base_ = [
    '../_base_/models/seam_r38d.py', '../_base_/datasets/voc12_cls.py',
    '../_base_/schedules/schedule_wsss_8e.py'
]
train_dataloader = dict(dataset=dict(pipeline={{_base_.two_view_pipeline}}))

_base_ = [
    '../_base_/models/cam_r38d.py', '../_base_/datasets/voc12_cls.py',
    '../_base_/schedules/schedule_wsss_8e.py'
]

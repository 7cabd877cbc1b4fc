_base_ = [
    '../_base_/models/cam_r18c32-d8.py',
    '../_base_/datasets/synthetic_voc_cls.py',
    '../_base_/schedules/schedule_synthetic_16e.py'
]

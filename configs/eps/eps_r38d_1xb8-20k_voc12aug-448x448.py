# EPS (CVPR 2021): saliency maps from an off-the-shelf detector in
# data/VOCdevkit/VOC2012/saliency/{id}.png (0-255).
_base_ = [
    '../_base_/models/eps_r38d.py', '../_base_/datasets/voc12_cls.py',
    '../_base_/schedules/schedule_wsss_20k.py'
]
train_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='JPEGImages', saliency_path='saliency'),
        pipeline={{_base_.saliency_pipeline}}))

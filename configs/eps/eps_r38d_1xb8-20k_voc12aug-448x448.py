# EPS (CVPR 2021) with the authors' VOC settings (halbielee/EPS,
# script/voc12_eps.sh and main.py's defaults): 20k iterations of batch 8,
# crop 448 after RandomResizeLong(256, 512) (main.py's resize_size; SEAM and
# EPS + PPC use 448-768), tau 0.4, lambda 0.5. Saliency maps from an
# off-the-shelf detector in data/VOCdevkit/VOC2012/saliency/{id}.png (0-255).
_base_ = [
    '../_base_/models/eps_r38d.py', '../_base_/datasets/voc12_cls.py',
    '../_base_/schedules/schedule_wsss_20k.py'
]
# EPS's resize-long 256-512 in place of the VOC recipe's first step
eps_saliency_pipeline = _base_.load_saliency + [
    dict(type='RandomResizeLong', min_long=256, max_long=512)
] + _base_.augment[1:] + _base_.pack
train_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='JPEGImages', saliency_path='saliency'),
        pipeline=eps_saliency_pipeline))

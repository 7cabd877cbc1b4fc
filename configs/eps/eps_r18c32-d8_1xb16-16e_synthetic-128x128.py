# EPS on the synthetic benchmark (its saliency maps are in saliency/), scaled
# for CPUs. Differences from the VOC config (the authors'): the synthetic CPU
# schedule (16 epochs of 50 iterations of batch 16, SGD momentum 0.9, lr 0.05,
# bfloat16) instead of 20k updates of batch 8; resize-long 128-220 (the
# dataset's scaling of 448-768; EPS's own 256-512 would be about 73-146) and
# crop 128; a half-width ResNet-18 from scratch. Loss and inference are the
# authors'.
_base_ = [
    '../_base_/models/eps_r18c32-d8.py',
    '../_base_/datasets/synthetic_voc_cls.py',
    '../_base_/schedules/schedule_synthetic_16e.py'
]
train_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='JPEGImages', saliency_path='saliency'),
        pipeline=_base_.saliency_pipeline))

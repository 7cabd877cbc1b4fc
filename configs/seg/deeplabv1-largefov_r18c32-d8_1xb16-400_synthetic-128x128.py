# Stage 2 of the synthetic benchmark: DeepLab-LargeFOV on the half-width
# ResNet-18, 400 iterations of batch 16 under bfloat16, SGD lr 0.01 (head x10)
# poly 0.9 from the stage-1 backbone.
_base_ = [
    '../_base_/models/deeplabv1-largefov_r18c32-d8.py',
    '../_base_/datasets/synthetic_voc_seg.py',
    '../_base_/schedules/schedule_seg_20k.py'
]
max_iters = 400
optim_wrapper = dict(type='BF16OptimWrapper', optimizer=dict(lr=0.01))
param_scheduler = [
    dict(
        type='PolyLR',
        power=0.9,
        eta_min=1e-5,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=20), checkpoint=dict(interval=200, max_keep_ckpts=1))

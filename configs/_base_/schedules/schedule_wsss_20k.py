_base_ = ['../default_runtime.py']
# The EPS / EPS + PPC stage-1 schedule: 20k iterations of batch 8 with 2-step
# gradient accumulation (mmengine's accumulative_counts), SGD lr 0.01 poly
# 0.9, the authors' x2 / x10 / x20 multipliers. Note: the authors' loop calls
# optimizer.step() at each of its 2 inner iterations; accumulative_counts=1
# reproduces that update count.
new_layers = dict(lr_mult=10.)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0., weight_decay=5e-4),
    accumulative_counts=2,
    constructor='WSSSOptimWrapperConstructor',
    paramwise_cfg=dict(
        bias_lr_mult=2.,
        bias_decay_mult=0.,
        custom_keys=dict(
            cam_head=new_layers, pcm_head=new_layers, contrast=new_layers)))
max_iters = 20000
param_scheduler = [
    dict(
        type='PolyLR',
        power=0.9,
        eta_min=0.,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=2000,
        max_keep_ckpts=2))

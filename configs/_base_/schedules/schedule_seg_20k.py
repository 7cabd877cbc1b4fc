_base_ = ['../default_runtime.py']
# The stage-2 schedule of the PPC authors: SGD lr 1e-3 (head x10), momentum
# 0.9, weight decay 5e-4, poly 0.9, 20k iterations of batch 10.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4),
    paramwise_cfg=dict(custom_keys=dict(decode_head=dict(lr_mult=10.))))
max_iters = 20000
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=1e-6, by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    checkpoint=dict(by_epoch=False, interval=2000, max_keep_ckpts=2),
    visualization=dict(_delete_=True, type='SegVisualizationHook'))

_base_ = ['../default_runtime.py']
# The SEAM / PPC stage-1 schedule: 8 epochs with the optimizer of the EPS
# schedule (schedule_wsss_20k.py: the authors' PolyOptimizer with its x2 /
# x10 / x20 multipliers, lr 0.01, momentum 5e-4), poly 0.9 per iteration, a
# checkpoint per epoch.
new_layers = dict(lr_mult=10.)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=5e-4, weight_decay=5e-4),
    paramwise_cfg=dict(
        bias_lr_mult=2.,
        bias_decay_mult=0.,
        custom_keys=dict(
            cam_head=new_layers, pcm_head=new_layers, contrast=new_layers)))
max_epochs = 8
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(
    checkpoint=dict(by_epoch=True, interval=1, max_keep_ckpts=2))

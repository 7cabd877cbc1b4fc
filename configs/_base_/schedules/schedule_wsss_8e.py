_base_ = ['../default_runtime.py']
# The SEAM / PPC stage-1 schedule: 8 epochs, the authors' PolyOptimizer: SGD
# whose momentum is the weight decay 5e-4 (it passes weight_decay as SGD's
# third positional argument, momentum), lr 0.01, poly 0.9 per iteration,
# weight decay 5e-4, lr x2 for biases (no decay), x10 for the weights and x20
# for the biases of the layers trained from scratch. mmengine's default
# constructor builds these groups because the new layers have no biases (a
# custom key would give a bias x10 with decay, not x20 without);
# test_authors_param_groups.py checks every config.
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
param_scheduler = [
    dict(
        type='PolyLR',
        power=0.9,
        eta_min=0.,
        begin=0,
        end=max_epochs,
        by_epoch=True,
        convert_to_iter_based=True)
]
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=max_epochs)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    checkpoint=dict(
        type='CheckpointHook', by_epoch=True, interval=1, max_keep_ckpts=2))

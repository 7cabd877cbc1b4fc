_base_ = ['../default_runtime.py']
# The EPS / EPS + PPC stage-1 schedule: 20k optimizer updates of batch 8, as
# both authors' loops (EPS: 20k iterations; the PPC authors' EPS + PPC: 10k
# iterations of iter_size 2, each inner iteration stepping the optimizer, so
# no gradient accumulation). Their PolyOptimizer (SEAM's too, see
# schedule_wsss_8e.py): SGD whose momentum is the weight decay 5e-4 (it
# passes weight_decay as SGD's third positional argument, momentum), lr 0.01
# poly 0.9 per update, weight decay 5e-4, lr x2 for biases (no decay), x10 /
# x20 for the weights / biases of the layers trained from scratch.
# mmengine's default constructor builds these groups because the new layers
# have no biases (a custom key would give a bias x10 with decay, not x20
# without); test_authors_param_groups.py checks every config.
new_layers = dict(lr_mult=10.)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=5e-4, weight_decay=5e-4),
    paramwise_cfg=dict(
        bias_lr_mult=2.,
        bias_decay_mult=0.,
        custom_keys=dict(
            cam_head=new_layers, pcm_head=new_layers, contrast=new_layers)))
max_iters = 20000
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    checkpoint=dict(by_epoch=False, interval=2000, max_keep_ckpts=2))

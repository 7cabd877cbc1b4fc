# The EPS stage-1 schedule for MS COCO 2014 (halbielee/EPS,
# script/coco_eps.sh and log/log_coco_eps.log): 256,500 iterations of batch
# 16 (about 50 epochs of the 82,081 images), one optimizer update per batch
# (its log: iter_size 1), with the optimizer of the VOC schedule (the same
# PolyOptimizer, lr 0.01 and weight decay 5e-4 by main.py's defaults, poly
# 0.9, the x2 / x10 / x20 multipliers).
_base_ = ['./schedule_wsss_20k.py']
max_iters = 256500
param_scheduler = [
    dict(
        type='PolyLR',
        power=0.9,
        eta_min=0.,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=10000))

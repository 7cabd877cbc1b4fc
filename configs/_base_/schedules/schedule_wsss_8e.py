_base_ = ['./schedule_wsss_20k.py']
# The SEAM / PPC stage-1 schedule: 8 epochs with the optimizer of the EPS
# schedule (schedule_wsss_20k.py: the authors' PolyOptimizer with its x2 /
# x10 / x20 multipliers, lr 0.01), poly 0.9 per iteration, a checkpoint per
# epoch.
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
    _delete_=True,
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(by_epoch=True, interval=1))

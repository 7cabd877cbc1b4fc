default_scope = 'mmwsss'
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='SegLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
# poly 0.9 per iteration (the WSSS recipes' schedule) from the first to the
# last iteration: without an `end`, mmengine ends it at the train loop's
# max_iters (max_epochs x iterations per epoch for an epoch-based loop), so
# a train_cfg.max_epochs / max_iters given with --cfg-options shortens it too
param_scheduler = [dict(type='PolyLR', power=0.9, eta_min=0., by_epoch=False)]
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# checkpoints (resume included) load with torch.load(weights_only=True) and
# are written atomically, the outdated one removed only once the new one is
# complete (file backend 'atomic_local'; --resume takes the newest complete);
# training stops at the first NaN / infinite loss, naming the term; CAM
# overlays of the first evaluated images go to the work dir
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    checkpoint=dict(
        type='CheckpointHook', backend_args=dict(backend='atomic_local')),
    safe_checkpoint=dict(type='SafeCheckpointHook'),
    finite_loss=dict(type='FiniteLossHook'),
    visualization=dict(type='CAMVisualizationHook', num_images=8))

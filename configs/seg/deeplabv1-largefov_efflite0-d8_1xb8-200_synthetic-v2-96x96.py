# Stage 2 of benchmark v2: DeepLab-LargeFOV on the ImageNet-initialised
# EfficientNet-Lite0 (output stride 8), 200 iterations of batch 8 at crop 96
# under bfloat16, SGD at the authors' stage-2 lr 1e-3 (head x10) poly 0.9.
# Benchmark v1's lr 0.01, meant for a network trained from scratch, makes
# this pretrained one predict background everywhere (calibrated on the
# plain CAM's pseudo masks, see tools/dataset_converters/synthetic_voc.md).
# The pipeline may initialise the backbone from the stage-1 classifier
# instead (init_backbone_from_stage1).
_base_ = [
    '../_base_/models/deeplabv1-largefov_efflite0-d8.py',
    '../_base_/datasets/synthetic_voc_v2_seg.py',
    '../_base_/schedules/schedule_seg_20k.py'
]
max_iters = 200
optim_wrapper = dict(type='BF16OptimWrapper', optimizer=dict(lr=1e-3))
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
    logger=dict(interval=20), checkpoint=dict(interval=100, max_keep_ckpts=1))

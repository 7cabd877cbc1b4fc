# Stage 2 of benchmark v2: DeepLab-LargeFOV on the ImageNet-initialised
# EfficientNet-Lite0 (output stride 8), 200 iterations of batch 8 at crop 96
# (the version 1 recipe x 0.75), SGD at the authors' stage-2 lr 1e-3 (head
# x10) poly 0.9. The version 1 recipe's lr 0.01, meant for a network
# trained from scratch, makes this pretrained one predict background
# everywhere (calibrated on the plain CAM's pseudo masks, see
# tools/dataset_converters/synthetic_voc.md). The pipeline may initialise
# the backbone from the stage-1 classifier instead
# (init_backbone_from_stage1).
_base_ = [
    './deeplabv1-largefov_r18c32-d8_1xb16-400_synthetic-128x128.py',
    '../_base_/models/efflite0-d8.py', '../_base_/datasets/synthetic_voc_v2.py'
]
max_iters = 200
model = {{_base_.efflite0_seg_model}}
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_dataloader = {{_base_.v2_seg_train_dataloader}}
val_dataloader = {{_base_.v2_eval_dataloader}}
test_dataloader = val_dataloader
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
default_hooks = dict(checkpoint=dict(interval=100))

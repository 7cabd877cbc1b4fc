# CAM on benchmark v2 (data/synthetic_voc_v2) with the ImageNet-
# initialised EfficientNet-Lite0 at output stride 8: the method as in the
# version 1 config, the data and schedule of benchmark v2.
_base_ = [
    './cam_r18c32-d8_1xb16-16e_synthetic-128x128.py',
    '../_base_/models/efflite0-d8.py',
    '../_base_/datasets/synthetic_voc_v2.py',
    '../_base_/schedules/schedule_synthetic_v2.py'
]
model = {{_base_.efflite0_model}}
optim_wrapper = {{_base_.efflite0_optim_wrapper}}
train_dataloader = {{_base_.v2_train_dataloaders.cam}}
val_dataloader = {{_base_.v2_eval_dataloader}}
test_dataloader = val_dataloader
pseudo_mask_dataloader = {{_base_.v2_eval_dataloader}}
param_scheduler = {{_base_.v2_param_scheduler}}
train_cfg = {{_base_.v2_train_cfg}}
default_hooks = {{_base_.v2_default_hooks}}

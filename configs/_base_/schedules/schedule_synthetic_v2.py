# The schedule of benchmark v2 (ImageNet-initialised EfficientNet-Lite0):
# 4 epochs of 100 iterations of batch 8 (the 800 train_aug images), SGD with
# momentum, backbone lr 0.03 (new layers x10, models/efflite0-d8.py) poly
# 0.9, a checkpoint per epoch. Prefixed (v2_) for the reason given in
# datasets/synthetic_voc_v2.py.
v2_max_epochs = 4
v2_param_scheduler = [
    dict(
        type='PolyLR',
        power=0.9,
        eta_min=0.,
        begin=0,
        end=v2_max_epochs,
        by_epoch=True,
        convert_to_iter_based=True)
]
v2_train_cfg = dict(max_epochs=v2_max_epochs, val_interval=v2_max_epochs)
v2_default_hooks = dict(checkpoint=dict(interval=1))

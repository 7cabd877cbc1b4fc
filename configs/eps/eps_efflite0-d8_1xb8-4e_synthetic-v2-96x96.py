# EPS on benchmark v2 (data/synthetic_voc_v2, saliency maps in saliency/)
# with the ImageNet-initialised EfficientNet-Lite0 at output stride 8.
_base_ = [
    '../_base_/models/eps_efflite0-d8.py',
    '../_base_/datasets/synthetic_voc_v2_cls.py',
    '../_base_/schedules/schedule_synthetic_v2.py'
]
train_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='JPEGImages', saliency_path='saliency'),
        pipeline=_base_.saliency_pipeline))

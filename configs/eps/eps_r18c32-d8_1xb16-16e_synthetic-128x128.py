# EPS on the synthetic benchmark (its saliency maps are in saliency/).
_base_ = [
    '../_base_/models/cam_r18c32-d8.py',
    '../_base_/datasets/synthetic_voc_cls.py',
    '../_base_/schedules/schedule_synthetic_16e.py'
]
model = dict(
    type='EPS',
    cam_head=dict(num_channels=21),
    loss_sal=dict(type='SaliencyLoss', tau=0.4, lam=0.5))
train_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='JPEGImages', saliency_path='saliency'),
        pipeline={{_base_.saliency_pipeline}}))

# EPS + PPC on the synthetic benchmark: SEAM's network (PCM) and its ER / ECR /
# min-pooling on a second view, trained as EPS (saliency loss, background
# last), plus the contrast plug-in (EPS constants). CPU-scaled (see the EPS
# config): the synthetic schedule, not the authors' 20k updates of batch 8;
# view 2 is 64x64 (the authors' 128x128 at 448 px).
_base_ = [
    '../_base_/models/seam_r18c32-d8.py',
    '../_base_/datasets/synthetic_voc_cls.py',
    '../_base_/schedules/schedule_synthetic_16e.py'
]
model = dict(
    type='EPS',
    loss_sal=dict(type='SaliencyLoss', tau=0.4, lam=0.5),
    loss_er=dict(type='EquivariantRegularizationLoss'),
    # the authors' max_onehot takes channel 0 as the background, also for
    # EPS's background-last maps: kept; onehot_bg='model' is the fix
    loss_ecr=dict(
        type='EquivariantCrossRegularizationLoss', onehot_bg='first'),
    loss_minpool=dict(type='AdaptiveMinPoolingLoss'),
    contrast=dict(
        type='PixelPrototypeContrast',
        pseudo_label_bg_score=0.10,
        topk_divisor=16))
train_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='JPEGImages', saliency_path='saliency'),
        pipeline=_base_.saliency_two_view_pipeline))

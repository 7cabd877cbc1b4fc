# EPS + PPC on the synthetic benchmark: EPS plus SEAM's PCM / ER / ECR /
# min-pooling on a second view and the contrast plug-in (EPS constants).
_base_ = [
    '../eps/eps_r18c32-d8_1xb16-16e_synthetic-128x128.py',
    '../_base_/models/ppc_head.py'
]
model = dict(
    pcm_head=dict(
        type='PCMHead',
        in_channels=(64, 128),
        channels=(8, 16),
        out_channels=24),
    pcm_in_index=(1, 2),
    loss_er=dict(type='EquivariantRegularizationLoss'),
    # the authors' max_onehot takes channel 0 as the background, also for
    # EPS's background-last maps: kept; onehot_bg='model' is the fix
    loss_ecr=dict(
        type='EquivariantCrossRegularizationLoss', onehot_bg='first'),
    loss_minpool=dict(type='AdaptiveMinPoolingLoss'),
    contrast={{_base_.eps_contrast}})
# CPU-scaled (see the EPS config): the synthetic schedule, not the authors'
# 20k updates of batch 8; view 2 is 64x64 (the authors' 128x128 at 448 px)
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.saliency_two_view_pipeline}}))

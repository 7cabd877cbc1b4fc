# EPS + PPC (CVPR 2022): EPS plus SEAM's PCM / ER / ECR / min-pooling on a
# second view (128x128, saliency resized with it) and the contrast plug-in
# with EPS's constants (background score 0.10, top-k h*w // 16).
_base_ = [
    '../eps/eps_r38d_1xb8-20k_voc12aug-448x448.py',
    '../_base_/models/ppc_head.py'
]
model = dict(
    pcm_head=dict(
        type='PCMHead',
        in_channels=(512, 1024),
        channels=(64, 128),
        out_channels=192),
    pcm_in_index=(0, 1),
    loss_er=dict(type='EquivariantRegularizationLoss'),
    loss_ecr=dict(type='EquivariantCrossRegularizationLoss'),
    loss_minpool=dict(type='AdaptiveMinPoolingLoss'),
    contrast={{_base_.eps_contrast}})
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.saliency_two_view_pipeline}}))

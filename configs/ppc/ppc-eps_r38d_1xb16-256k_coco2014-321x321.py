# EPS + PPC on MS COCO 2014: the EPS COCO config (the EPS authors' COCO
# settings) plus, as on VOC, SEAM's PCM / ER / ECR / min-pooling on a second
# view (128x128, saliency resized with it) and the contrast plug-in with
# EPS's constants (background score 0.10, top-k h*w // 16). The PPC authors
# publish no COCO settings.
_base_ = [
    '../eps/eps_r38d_1xb16-256k_coco2014-321x321.py',
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
    # the EPS + PPC code's max_onehot, as on VOC (see docs/method.md)
    loss_ecr=dict(
        type='EquivariantCrossRegularizationLoss', onehot_bg='first'),
    loss_minpool=dict(type='AdaptiveMinPoolingLoss'),
    contrast={{_base_.eps_contrast}})
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.saliency_two_view_pipeline}}))

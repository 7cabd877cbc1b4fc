# EPS + PPC (CVPR 2022): SEAM's network (PCM) and its ER / ECR /
# min-pooling on a second view (128x128, saliency resized with it), trained
# as EPS (saliency loss, background last, no dropout), plus the contrast
# plug-in with EPS's constants (background score 0.10, top-k h*w // 16).
_base_ = [
    '../_base_/models/seam_r38d.py', '../_base_/datasets/voc12_cls.py',
    '../_base_/schedules/schedule_wsss_20k.py'
]
model = dict(
    type='EPS',
    dropout_ratio=0.,
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
# the PPC authors' EPS + PPC loop (usr922/wseg, branch esp,
# contrast_train.py): resize-long 448-768 (its default), 10k iterations of
# iter_size 2 with an optimizer step at each inner iteration, i.e. the 20k
# updates of batch 8 of schedule_wsss_20k; its poly schedule ends at
# (10582 // 8) * 15 = 19830 updates (max_epoches 15), the lr then stays at
# its last value for the remaining 170.
train_dataloader = dict(
    dataset=dict(
        data_prefix=dict(img_path='JPEGImages', saliency_path='saliency'),
        pipeline=_base_.saliency_two_view_pipeline))
param_scheduler = [
    dict(
        type='PolyLR',
        power=0.9,
        eta_min=0.,
        end=(10582 // 8) * 15,
        by_epoch=False)
]

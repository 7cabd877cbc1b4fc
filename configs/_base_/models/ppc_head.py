# The PPC plug-in: projection to 128-d (+ ReLU) of the classifier's last
# feature (its in_channels default to the CAM head's: 4096 on ResNet-38d),
# cross-prototype, cross-pseudo-label and intra-view contrast (weights 0.1,
# temperature 0.1), semi-hard prototype mining (skip 3, keep 10) and hard
# pixel sampling (half random, half from the 10%-60% least similar). SEAM's
# constants: background score 0.20, top-k h*w // 8.
contrast = dict(
    type='PixelPrototypeContrast',
    projection=dict(type='ProjectionHead', channels=128),
    pseudo_label_bg_score=0.20,
    topk_divisor=8,
    losses=[
        dict(type='CrossPrototypeContrastLoss', loss_weight=0.1),
        dict(type='CrossPseudoLabelContrastLoss', loss_weight=0.1),
        dict(
            type='IntraViewContrastLoss',
            loss_weight=0.1,
            prototype_miner=dict(
                type='SemiHardPrototypeMiner', num_skip=3, num_keep=10),
            pixel_sampler=dict(
                type='HardPixelSampler',
                random_ratio=0.5,
                hard_range=(0.1, 0.6)))
    ])
# EPS's constants: background score 0.10, top-k h*w // 16
eps_contrast = dict(contrast, pseudo_label_bg_score=0.10, topk_divisor=16)

# SEAM + PPC on benchmark v2 with this project's miner in the intra-view
# term; everything else comes from mmwsss's configs.
_base_ = [
    '../../../configs/ppc/ppc-seam_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py'
]
custom_imports = dict(imports=['random_miner'], allow_failed_imports=False)
model = dict(
    contrast=dict(losses=[
        dict(type='CrossPrototypeContrastLoss', loss_weight=0.1),
        dict(type='CrossPseudoLabelContrastLoss', loss_weight=0.1),
        dict(
            type='IntraViewContrastLoss',
            loss_weight=0.1,
            prototype_miner=dict(type='RandomPrototypeMiner', num_keep=10),
            pixel_sampler=dict(type='HardPixelSampler'))
    ]))

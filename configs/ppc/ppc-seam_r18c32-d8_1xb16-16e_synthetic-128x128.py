# SEAM + PPC on the synthetic benchmark: the SEAM config plus the plug-in.
_base_ = [
    '../seam/seam_r18c32-d8_1xb16-16e_synthetic-128x128.py',
    '../_base_/models/ppc_head.py'
]
model = dict(contrast={{_base_.contrast}})

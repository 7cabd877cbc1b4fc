# SEAM + PPC on benchmark v2 (data/synthetic_voc_v2) with the ImageNet-
# initialised EfficientNet-Lite0 at output stride 8: the SEAM config plus
# the plug-in.
_base_ = [
    '../seam/seam_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py',
    '../_base_/models/ppc_head.py'
]
model = dict(contrast={{_base_.contrast}})

# SEAM + PPC (CVPR 2022): the SEAM config plus the contrast plug-in.
_base_ = [
    '../seam/seam_r38d_1xb8-8e_voc12aug-448x448.py',
    '../_base_/models/ppc_head.py'
]
model = dict(contrast={{_base_.contrast}})

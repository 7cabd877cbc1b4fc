# EPS + PPC on MS COCO 2014, on EPS's COCO recipe (the PPC authors publish
# no COCO settings): see eps_r38d_coco2014.py.
_base_ = './eps_r38d_coco2014.py'
stage1 = dict(
    config='configs/ppc/ppc-eps_r38d_1xb16-256k_coco2014-321x321.py')
paper = None  # no published COCO figures of EPS + PPC

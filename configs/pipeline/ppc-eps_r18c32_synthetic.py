# The whole WSSS pipeline with EPS + PPC on the synthetic benchmark, on CPU.
_base_ = ['./ppc-seam_r18c32_synthetic.py']
stage1 = dict(
    config='configs/ppc/ppc-eps_r18c32-d8_1xb16-16e_synthetic-128x128.py')

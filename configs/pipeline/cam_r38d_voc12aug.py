# The plain CAM on PASCAL VOC 2012 (ResNet-38d), refined by AffinityNet and
# the random walk (PSA's recipe, as SEAM's), then DeepLab-LargeFOV.
# docs/method.md lists no published figures of this pipeline.
_base_ = './_paper_r38d.py'
stage1 = dict(config='configs/cam/cam_r38d_1xb8-8e_voc12aug-448x448.py')
affinity = dict(
    config='configs/affinity/affinity_r38d_1xb8-8e_voc12aug-448x448.py',
    walk_bg_score=None)

# SEAM on ResNet-38d: background channel first, Dropout2d(0.5) before the
# bias-free classifier, PCM on conv4 (512) and conv5 (1024).
_base_ = './cam_r38d.py'
model = dict(
    type='SEAM',
    cam_head=dict(num_channels=21),
    pcm_head=dict(
        type='PCMHead',
        in_channels=(512, 1024),
        channels=(64, 128),
        out_channels=192),
    pcm_in_index=(0, 1),
    dropout_ratio=0.5)

# SEAM on the half-width ResNet-18 (output stride 8): PCM reads stages 2 and 3
# (64 and 128 channels at stride 8), reduced 8x like ResNet-38d's 512 -> 64.
_base_ = './cam_r18c32-d8.py'
model = dict(
    type='SEAM',
    cam_head=dict(num_channels=21),
    pcm_head=dict(
        type='PCMHead',
        in_channels=(64, 128),
        channels=(8, 16),
        out_channels=24),
    pcm_in_index=(1, 2),
    dropout_ratio=0.)

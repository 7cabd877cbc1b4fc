# SEAM on EfficientNet-Lite0 (output stride 8): PCM reads stages 3 and 5
# (40 and 112 channels at stride 8), reduced to 8 and 16 channels as on the
# half-width ResNet-18.
_base_ = './cam_efflite0-d8.py'
model = dict(
    type='SEAM',
    cam_head=dict(num_channels=21),
    pcm_head=dict(
        type='PCMHead',
        in_channels=(40, 112),
        channels=(8, 16),
        out_channels=24),
    pcm_in_index=(0, 1))

# The whole pipeline of the plain CAM with its pseudo masks refined by
# AffinityNet and the random walk (PSA) on benchmark v2, with the ImageNet-
# initialised EfficientNet-Lite0 in every network: the AffinityNet row of
# the benchmark's table (benchmarks/synthetic_pipeline.py --benchmark v2).
_base_ = './cam_efflite0_synthetic-v2.py'
affinity = dict(config='configs/affinity/'
                'affinity_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py')

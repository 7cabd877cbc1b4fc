# The README's main job: EPS and EPS + PPC trained side by side on benchmark
# v2 (written first if missing), each through its whole pipeline (stage 1,
# seeds, pseudo masks, DeepLab-LargeFOV, evaluation), with the plain CAM's
# seeds beside them; one table with every stage and the difference
# EPS + PPC - EPS. EPS is PPC's second baseline in the paper (VOC seeds on
# train: EPS 69.2, EPS + PPC 70.5; segmentation val 70.9 -> 72.6). SEAM, the
# first, does not learn this benchmark (benchmarks/README.md, "SEAM's
# collapse on benchmark v2").
benchmark = dict(out_dir='data/synthetic_voc_v2', seed=0, version=2)
seed = 0
compare = [
    dict(name='EPS', config='configs/pipeline/eps_efflite0_synthetic-v2.py'),
    dict(
        name='EPS + PPC',
        config='configs/pipeline/ppc-eps_efflite0_synthetic-v2.py'),
    dict(
        name='CAM',
        config='configs/pipeline/cam_efflite0_synthetic-v2.py',
        until='seeds'),
]
difference = ('EPS + PPC', 'EPS')
# two pipelines at a time, each in a process on cores of its own (one core
# each on two cores): 1.2 to 1.8 times the machine's throughput of one
# process on every core (README, "Sharing a machine")
processes = 2

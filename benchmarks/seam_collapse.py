"""Which single change removes SEAM's collapse on benchmark v2, and which
causes it in the plain CAM.

    python benchmarks/seam_collapse.py [--runs NAME ...] [--seeds 0]
        [--work-dir work_dirs/seam_collapse]
        [--out benchmarks/results/seam_collapse.md]

Each run trains one stage-1 config of benchmark v2 (4 epochs) with one
change given as ``--cfg-options`` (:data:`RUNS`), in a process of its own,
in ``{work-dir}/{name}_seed{seed}``, with a :class:`CAMPatternHook` (the
mean raw CAM of every class over the 200 train images after iteration 20
and at the end, in ``cam_pattern/``), then tests
the last checkpoint on the train images with the seed metric (best
background score) and :class:`CAMLocalizationMetric` in one inference
pass. Each finished run leaves a record in ``{out without .md}/``, which a
later call reuses (delete it to rerun), and the table of every record is
written to ``--out``. The equivalent command of a run is
``python tools/train.py CONFIG --cfg-options randomness.seed=SEED OPTIONS``
followed by ``tools/test.py`` of its last checkpoint. The run
``seam_post_act_feature`` needs the backbone's head convolution:
``python tools/model_converters/efficientnet_lite0.py --with-head --out
pretrained/efficientnet_lite0_imagenet_head.pth``.
"""
import argparse
import copy
import json
import os
import os.path as osp
import subprocess
import sys
from typing import Dict, List, Tuple

from mmengine.config import DictAction

from mmwsss.apis.pipeline import markdown_table
from mmwsss.utils import atomic_write_bytes

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SEAM = 'configs/seam/seam_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py'
CAM = 'configs/cam/cam_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py'
# without the min-pool loss PCM is not trained: these runs are tested on
# the raw CAM, normalised by its maximum as the plain CAM's
ONLY_CLS = [
    'model.loss_er=None', 'model.loss_ecr=None', 'model.loss_minpool=None',
    'model.test_cfg.cam=raw', 'model.test_cfg.cam_norm=max',
    'model.test_cfg.cam_upsample=direct'
]
POST_ACT = [
    'model.backbone.with_head=True', 'model.backbone.out_indices=(2,4,7)',
    'model.backbone.init_cfg.checkpoint='
    'pretrained/efficientnet_lite0_imagenet_head.pth',
    'model.cam_head.in_channels=1280'
]
AS_TWO_VIEW = [
    'model.type=TwoViewClassifier', 'model.bg_index=0',
    'model.cam_head.num_channels=21'
]
#: name -> (what changes, config, ``--cfg-options``)
RUNS: Dict[str, Tuple[str, str, List[str]]] = {
    'seam': ('SEAM, v2 defaults', SEAM, []),
    'seam_bias': ('SEAM, CAM head with a bias', SEAM,
                  ['model.cam_head.bias=True']),
    'seam_feature_pool': ('SEAM, classification and min-pool pooled on the '
                          'feature grid', SEAM,
                          ['model.train_cfg.view_loss_grid=feature']),
    'seam_feature_grid': ('SEAM, every loss on the feature grid (as the '
                          'EPS + PPC code computes them)', SEAM,
                          ['model.train_cfg.cross_view_grid=feature']),
    'seam_feature_grid_no_er': (
        'SEAM, every loss on the feature grid, without ER', SEAM,
        ['model.train_cfg.cross_view_grid=feature', 'model.loss_er=None']),
    'seam_feature_grid_no_ecr': (
        'SEAM, every loss on the feature grid, without ECR', SEAM,
        ['model.train_cfg.cross_view_grid=feature', 'model.loss_ecr=None']),
    'seam_pixel_centre': ('SEAM, every resampling pixel-centred', SEAM,
                          ['model.train_cfg.align_corners=False']),
    'seam_frozen_bn': ('SEAM, BN frozen (eval mode), lr 0.01', SEAM,
                       ['model.backbone.norm_eval=True',
                        'optim_wrapper.optimizer.lr=0.01']),
    'seam_dropout': ('SEAM, Dropout2d(0.5) before the CAM head', SEAM,
                     ['model.dropout_ratio=0.5']),
    'seam_view2_large': ('SEAM, view 2 at 96 px (scale 1)', SEAM,
                         ['train_dataloader.dataset.pipeline.5.size=(96,96)']),
    'seam_no_er': ('SEAM without ER', SEAM, ['model.loss_er=None']),
    'seam_no_ecr': ('SEAM without ECR', SEAM, ['model.loss_ecr=None']),
    'seam_no_minpool': ('SEAM without the min-pool loss', SEAM,
                        ['model.loss_minpool=None']),
    'seam_cls_only': ('SEAM, classification alone (no ER, ECR, min-pool)',
                      SEAM, ONLY_CLS),
    'seam_cls_only_feature_pool': (
        'SEAM, classification alone, pooled on the feature grid', SEAM,
        ONLY_CLS + ['model.train_cfg.view_loss_grid=feature']),
    'seam_cls_only_bias': ('SEAM, classification alone, CAM head with a bias',
                           SEAM, ONLY_CLS + ['model.cam_head.bias=True']),
    'seam_post_act_feature': (
        'SEAM, CAM head and PCM on post-activation features (the '
        '1280-channel head convolution, BN, ReLU6)', SEAM, POST_ACT),
    'cam': ('plain CAM, v2 defaults', CAM, []),
    'cam_two_view_feature_pool': (
        'plain CAM as a one-view TwoViewClassifier (background channel '
        'unused), pooled on the feature grid', CAM, AS_TWO_VIEW +
        ['model.train_cfg.view_loss_grid=feature']),
    'cam_two_view_input_pool': (
        'the same, pooled on the input grid (upsampled, align_corners=True)',
        CAM, AS_TWO_VIEW + ['model.train_cfg.view_loss_grid=input']),
    'cam_two_view_input_pool_pixel_centre': (
        'the same, upsampled pixel-centred (align_corners=False: every '
        'feature position weighs the same)', CAM, AS_TWO_VIEW + [
            'model.train_cfg.view_loss_grid=input',
            'model.train_cfg.align_corners=False'
        ]),
    'cam_bias': ('plain CAM, CAM head with a bias', CAM,
                 ['model.cam_head.bias=True']),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', nargs='+', choices=list(RUNS),
                        default=list(RUNS))
    parser.add_argument('--seeds', nargs='+', type=int, default=[0])
    parser.add_argument('--work-dir', default='work_dirs/seam_collapse')
    parser.add_argument(
        '--out', default='benchmarks/results/seam_collapse.md')
    parser.add_argument('--one', help=argparse.SUPPRESS)  # internal
    return parser.parse_args()


def options(name: str, seed: int) -> Dict:
    """The ``--cfg-options`` of a run as a dict."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(
        ['--cfg-options', f'randomness.seed={seed}',
         *RUNS[name][2]]).cfg_options


def run_one(name: str, seed: int, work_dir: str) -> Dict[str, float]:
    """Train and test one run in this process; its metrics."""
    from mmwsss.apis.config_utils import load_config
    from mmwsss.apis.pipeline import without_validation
    from mmwsss.apis.stages import evaluate, train
    from mmwsss.utils import find_resume_checkpoint
    cfg = load_config(RUNS[name][1], work_dir,
                      without_validation(options(name, seed)))
    cfg.custom_hooks = [
        *cfg.get('custom_hooks', []),
        dict(type='CAMPatternHook', iters=(20, ), num_images=200)
    ]
    checkpoint = train(
        cfg, resume=find_resume_checkpoint(work_dir) is not None)
    test = copy.deepcopy(cfg)
    test.test_evaluator = [
        test.test_evaluator,
        dict(type='CAMLocalizationMetric')
    ]
    test.experiment_name = f'{name}_test'
    test.visualizer.name = f'{name}_test_visualizer'
    return evaluate(test, checkpoint)


def main() -> None:
    args = parse_args()
    if args.one:
        name, seed = args.one.rsplit(':', 1)
        metrics = run_one(name, int(seed), args.work_dir)
        with open(osp.join(args.work_dir, 'cam_pattern', 'iter_20.json')) \
                as f:
            metrics['agnostic_20'] = json.load(f)['agnostic']
        final = max(
            (f for f in os.listdir(osp.join(args.work_dir, 'cam_pattern'))
             if f.endswith('.json')),
            key=lambda f: int(f[5:-5]))
        with open(osp.join(args.work_dir, 'cam_pattern', final)) as f:
            metrics['agnostic_end'] = json.load(f)['agnostic']
        atomic_write_bytes(
            osp.join(args.work_dir, 'record.json'),
            json.dumps(metrics, indent=2).encode())
        return
    records = osp.join(ROOT, osp.splitext(args.out)[0])
    rows = []
    for name in args.runs:
        for seed in args.seeds:
            record = osp.join(records, f'{name}_seed{seed}.json')
            work_dir = osp.join(args.work_dir, f'{name}_seed{seed}')
            if not osp.isfile(record):
                cmd = [sys.executable, __file__, '--one', f'{name}:{seed}',
                       '--work-dir', work_dir]
                print('$', ' '.join(cmd), flush=True)
                subprocess.run(cmd, cwd=ROOT, check=True)
                with open(osp.join(ROOT, work_dir, 'record.json')) as f:
                    atomic_write_bytes(record, f.read().encode())
            with open(record) as f:
                m = json.load(f)
            rows.append([
                RUNS[name][0], name,
                str(seed), f"{m['seed/mIoU']:.2f} ({m['seed/bg_score']:.2f})",
                f"{m['cam/inside']:.2f}", f"{m['cam/background']:.2f}",
                f"{100 * m['cam/inside_above_bg']:.1f} %",
                f"{100 * m['cam/peak_on_border']:.1f} %",
                f"{m['cam/peak_row']:.2f}", f"{m['agnostic_20']:.2f}",
                f"{m['agnostic_end']:.2f}"
            ])
    text = markdown_table([
        'change', 'run', 'seed', 'seed mIoU (bg score)', 'CAM inside',
        'CAM background', 'inside above background', 'peak on border',
        'peak row', 'class maps alike, iter 20', 'class maps alike, end'
    ], rows) + '\n'
    out = osp.join(ROOT, args.out)
    os.makedirs(osp.dirname(out), exist_ok=True)
    atomic_write_bytes(out, text.encode())
    print(text)


if __name__ == '__main__':
    main()

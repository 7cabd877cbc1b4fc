"""The whole WSSS pipeline, one resumable step after another.

stage 1 training -> seed evaluation -> pseudo masks -> (AffinityNet and
random walk) -> stage 2 training -> stage 2 evaluation, described by a
pipeline config::

    benchmark = dict(out_dir='data/synthetic_voc', seed=0)   # or None
    seed = 0                                  # training seed of every stage
    stage1 = dict(config='configs/ppc/...py', cfg_options=dict())
    pseudo_masks = dict(split='train_aug', crf=False)
    affinity = dict(config='configs/affinity/...py', cfg_options=dict(),
                    bg_score=None)                           # or None
    stage2 = dict(config='configs/seg/...py', cfg_options=dict(),
                  init_backbone_from_stage1=True, tta=False)

Each step runs the project's tools in a subprocess, logs into
``work_dir/logs/{step}.log`` and, when it finishes, writes
``work_dir/steps/{step}.json`` (its results and wall time). A rerun skips
the finished steps and resumes an interrupted training from its last
checkpoint. The results table is printed and saved as ``results.md`` and
``results.json`` in the work dir.
"""
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional

from mmengine.config import Config
from mmengine.logging import print_log

from mmwsss.utils import atomic_write_bytes, find_resume_checkpoint

#: Lines of the tools' output echoed to the console (the rest is logged).
_ECHO = re.compile(r'Iter\((train|val|test)\) \[\s*\d+/\d+\]|seed mIoU|'
                   r'Saving checkpoint|Error|error:')


def _dataloaders_to(config: str, data_root: str) -> Dict[str, str]:
    """``--cfg-options`` pointing every dataloader of a config at a root."""
    cfg = Config.fromfile(config)
    return {
        f'{name}.dataset.data_root': data_root
        for name in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                     'pseudo_mask_dataloader') if cfg.get(name)
    }


def _without_validation(options: Dict) -> Dict:
    """Training options that leave out the validation at the end.

    The pipeline evaluates in steps of its own (with the best background
    score, test-time augmentation); mmengine's loops would otherwise also
    validate after the last epoch or iteration.
    """
    options = {
        k: v
        for k, v in options.items() if not k.startswith('val_dataloader.')
    }
    options.update(val_cfg=None, val_dataloader=None, val_evaluator=None)
    return options


def _options(options: Dict) -> List[str]:
    """``--cfg-options`` arguments for a dict (nothing if empty)."""
    if not options:
        return []
    return ['--cfg-options'] + [f'{k}={v}' for k, v in options.items()]


class WSSSPipeline:
    """Run a pipeline config step by step (see the module docstring).

    Args:
        cfg (Config): The pipeline config.
        work_dir (str): Folder of every output.
        tools_dir (str): Folder of the command-line tools.
        python (str): Interpreter running the tools. Defaults to the
            current one.
    """

    def __init__(self,
                 cfg: Config,
                 work_dir: str,
                 tools_dir: str,
                 python: str = sys.executable) -> None:
        for key in ('stage1', 'stage2', 'affinity'):
            if key == 'affinity' and not cfg.get(key):
                continue
            if not cfg.get(key) or not osp.isfile(cfg[key].get('config', '')):
                raise FileNotFoundError(
                    f'The pipeline config needs {key}.config, an existing '
                    f'config file; got {cfg.get(key)}.')
        self.cfg = cfg
        self.work_dir = osp.abspath(work_dir)
        self.tools_dir = tools_dir
        self.python = python
        benchmark = cfg.get('benchmark')
        self.data_root = osp.abspath(benchmark['out_dir']) \
            if benchmark else None
        self.steps: List[Callable[[], Dict]] = [
            self.benchmark, self.stage1, self.seeds, self.pseudo_masks
        ] + ([self.affinity]
             if cfg.get('affinity') else []) + [self.stage2, self.evaluation]

    # ----------------------------------------------------------- helpers
    def path(self, *parts: str) -> str:
        """A path inside the work dir."""
        return osp.join(self.work_dir, *parts)

    def finished(self, step: str) -> Optional[Dict]:
        """The record of a finished step, or None."""
        path = self.path('steps', f'{step}.json')
        if not osp.isfile(path):
            return None
        with open(path) as f:
            return json.load(f)

    def tool(self, step: str, script: str, *args: str) -> None:
        """Run ``tools/{script}`` for ``step``; raise if it fails."""
        os.makedirs(self.path('logs'), exist_ok=True)
        log = self.path('logs', f'{step}.log')
        cmd = [self.python, osp.join(self.tools_dir, script), *args]
        with open(log, 'a') as f:
            f.write(f'$ {" ".join(cmd)}\n')
            f.flush()
            proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1)
            for line in proc.stdout:
                f.write(line)
                if _ECHO.search(line):
                    text = line.rstrip().split(' - INFO - ')[-1]
                    print(f'  [{step}] {text[:150]}', flush=True)
            status = proc.wait()
        if status != 0:
            raise RuntimeError(f'Step {step} failed ({script} exited with '
                               f'{status}); see {log}.')

    def config_options(self, stage: str) -> Dict:
        """The data root, the seed and the stage's own ``cfg_options``."""
        options = _dataloaders_to(self.cfg[stage].config,
                                  self.data_root) if self.data_root else {}
        if self.cfg.get('seed') is not None:
            options['randomness.seed'] = self.cfg.seed
        options.update(self.cfg[stage].get('cfg_options') or {})
        return options

    def train(self, step: str, config: str, options: Dict) -> str:
        """Train (resuming an interrupted run); return the checkpoint."""
        work_dir = self.path(step)
        args = [config, '--work-dir', work_dir]
        if osp.isdir(work_dir) and find_resume_checkpoint(work_dir):
            args.append('--resume')
        self.tool(step, 'train.py', *args, *_options(options))
        checkpoint = find_resume_checkpoint(work_dir)
        if checkpoint is None:
            raise RuntimeError(f'Step {step} saved no checkpoint in '
                               f'{work_dir}.')
        return checkpoint

    # ------------------------------------------------------------- steps
    def benchmark(self) -> Dict:
        """Write the synthetic benchmark (if the config asks for one)."""
        spec = self.cfg.get('benchmark')
        if not spec:
            return dict(skipped=True)
        from mmwsss.datasets.synthetic_voc import write_synthetic_voc
        kwargs = {k: v for k, v in spec.items() if k != 'out_dir'}
        summary = write_synthetic_voc(self.data_root, **kwargs)
        return dict(
            data_root=self.data_root,
            **{
                k: summary[k]
                for k in ('num_images', 'files_written') if k in summary
            })

    def stage1(self) -> Dict:
        """Train the stage-1 classifier (no evaluation: the next step)."""
        options = _without_validation(self.config_options('stage1'))
        return dict(
            checkpoint=self.train('stage1', self.cfg.stage1.config, options))

    def seeds(self) -> Dict:
        """Seed mIoU of the classifier, swept over the background score."""
        checkpoint = self.finished('stage1')['checkpoint']
        self.tool('seeds', 'test.py', self.cfg.stage1.config, checkpoint,
                  '--work-dir', self.path('seeds'),
                  *_options(self.config_options('stage1')))
        with open(self.path('seeds', 'seed_metric.json')) as f:
            summary = json.load(f)
        return dict(mIoU=summary['mIoU'], bg_score=summary['bg_score'])

    def pseudo_masks(self) -> Dict:
        """Pseudo masks of the training split, and their mIoU on train."""
        spec = self.cfg.get('pseudo_masks') or {}
        out_dir = self.path('pseudo_masks')
        args = [
            self.cfg.stage1.config,
            self.finished('stage1')['checkpoint'], '--out', out_dir, '--split',
            spec.get('split', 'train_aug'), '--bg-score',
            str(self.finished('seeds')['bg_score']), '--work-dir',
            self.path('logs', 'pseudo_masks_run')
        ]
        if spec.get('crf'):
            args.append('--crf')
        if self.cfg.get('affinity'):
            args.append('--save-cam')  # the random walk refines the CAMs
        self.tool('pseudo_masks', 'pseudo_masks.py', *args,
                  *_options(self.config_options('stage1')))
        return dict(out_dir=out_dir, mIoU_train=self.mask_miou(out_dir))

    def mask_miou(self, mask_dir: str) -> float:
        """mIoU of a mask folder on the seed-evaluation split (train)."""
        from mmwsss.evaluation import evaluate_mask_folder
        stage1_cfg = Config.fromfile(self.cfg.stage1.config)
        stage1_cfg.merge_from_dict(self.config_options('stage1'))
        return float(
            evaluate_mask_folder(mask_dir,
                                 stage1_cfg.test_dataloader.dataset)['mIoU'])

    def affinity(self) -> Dict:
        """Refine the pseudo masks: AffinityNet and random walk."""
        spec = self.cfg.affinity
        cams = self.finished('pseudo_masks')['out_dir']
        labels, refined = self.path('affinity_labels'), self.path('refined')
        split = (self.cfg.get('pseudo_masks') or {}).get('split', 'train_aug')
        options = self.config_options('affinity')
        self.tool('affinity', 'affinity_labels.py', spec.config, '--cams',
                  cams, '--out', labels, '--split', split, *_options(options))
        checkpoint = self.train('affinity', spec.config, {
            **options, 'train_dataloader.dataset.pipeline.1.label_dir':
            labels
        })
        walk = [
            spec.config, checkpoint, '--cams', cams, '--out', refined,
            '--split', split
        ]
        if spec.get('bg_score') is not None:
            walk += ['--bg-score', str(spec.bg_score)]
        self.tool('affinity', 'random_walk.py', *walk, '--work-dir',
                  self.path('logs', 'random_walk_run'), *_options(options))
        return dict(out_dir=refined, mIoU_train=self.mask_miou(refined))

    def stage2(self) -> Dict:
        """Train the segmentation network on the pseudo masks."""
        spec = self.cfg.stage2
        options = self.config_options('stage2')
        masks = self.finished('affinity' if self.cfg.
                              get('affinity') else 'pseudo_masks')['out_dir']
        options['train_dataloader.dataset.data_prefix.seg_map_path'] = masks
        options = _without_validation(options)
        if spec.get('init_backbone_from_stage1', False):
            options.update({
                'model.backbone.init_cfg.type':
                'Pretrained',
                'model.backbone.init_cfg.checkpoint':
                self.finished('stage1')['checkpoint'],
                'model.backbone.init_cfg.prefix':
                'backbone.'
            })
        return dict(checkpoint=self.train('stage2', spec.config, options))

    def evaluation(self) -> Dict:
        """mIoU of the segmentation network on the validation split."""
        args = [
            self.cfg.stage2.config,
            self.finished('stage2')['checkpoint'], '--work-dir',
            self.path('evaluation')
        ]
        if self.cfg.stage2.get('tta'):
            args.append('--tta')
        self.tool('evaluation', 'test.py', *args,
                  *_options(self.config_options('stage2')))
        with open(self.path('evaluation', 'metrics.json')) as f:
            return dict(mIoU_val=json.load(f)['mIoU'])

    # ------------------------------------------------------------ running
    def run(self) -> Dict:
        """Run the unfinished steps, then write and print the results."""
        for step in self.steps:
            name = step.__name__
            if self.finished(name) is not None:
                print_log(
                    f'[{name}] finished before, skipped', logger='current')
                continue
            print_log(f'[{name}] running', logger='current')
            start = time.time()
            record = step()
            record['seconds'] = round(time.time() - start, 1)
            atomic_write_bytes(
                self.path('steps', f'{name}.json'),
                json.dumps(record, indent=2).encode())
            print_log(
                f'[{name}] done in {record["seconds"]:.0f} s',
                logger='current')
        return self.report()

    def report(self) -> Dict:
        """The results table (markdown and JSON) of the finished steps."""
        steps = {s.__name__: self.finished(s.__name__) for s in self.steps}
        results = dict(
            stage1_config=self.cfg.stage1.config,
            stage2_config=self.cfg.stage2.config,
            seed_mIoU=steps['seeds']['mIoU'],
            seed_bg_score=steps['seeds']['bg_score'],
            pseudo_mask_mIoU_train=steps['pseudo_masks']['mIoU_train'],
            seg_mIoU_val=steps['evaluation']['mIoU_val'],
            seconds={
                k: v['seconds']
                for k, v in steps.items()
            },
        )
        if 'affinity' in steps:
            results['refined_mask_mIoU_train'] = steps['affinity'][
                'mIoU_train']
        results['seconds']['total'] = round(
            sum(results['seconds'].values()), 1)
        refined = results.get('refined_mask_mIoU_train')
        lines = [
            '| stage-1 config | seed mIoU (train) | bg score | '
            'pseudo-mask mIoU (train) | ' +
            ('refined mIoU (train) | ' if refined is not None else '') +
            'seg mIoU (val) |', '|---' * (5 + (refined is not None)) + '|',
            f'| {osp.basename(self.cfg.stage1.config)} | '
            f'{results["seed_mIoU"]:.2f} | {results["seed_bg_score"]:.2f} | '
            f'{results["pseudo_mask_mIoU_train"]:.2f} | ' +
            (f'{refined:.2f} | ' if refined is not None else '') +
            f'{results["seg_mIoU_val"]:.2f} |', '',
            '| step | ' + ' | '.join(results['seconds']) + ' |',
            '|---' * (len(results['seconds']) + 1) + '|',
            '| wall time (s) | ' +
            ' | '.join(f'{v:.0f}' for v in results['seconds'].values()) + ' |'
        ]
        table = '\n'.join(lines) + '\n'
        atomic_write_bytes(self.path('results.md'), table.encode())
        atomic_write_bytes(
            self.path('results.json'),
            json.dumps(results, indent=2).encode())
        print(table, flush=True)
        return results

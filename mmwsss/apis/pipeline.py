"""The whole WSSS pipeline, one resumable step after another.

stage 1 training -> seed evaluation -> pseudo masks (and a figure of a few
images: image, CAM, pseudo mask, ground truth) -> (AffinityNet and random
walk) -> stage 2 training -> stage 2 evaluation, described by a pipeline
config. The seed evaluation keeps the CAMs it infers in ``cams/``
(:class:`~mmwsss.engine.cam_cache.CAMCache`); the pseudo masks take those
of the images they share (train is part of train_aug) instead of inferring
them again, with the same result::

    benchmark = dict(out_dir='data/synthetic_voc', seed=0)   # or None
    seed = 0                                  # training seed of every stage
    stage1 = dict(config='configs/ppc/...py', cfg_options=dict())
    pseudo_masks = dict(split=None, crf=False)   # None: the config's split
    affinity = dict(config='configs/affinity/...py', cfg_options=dict(),
                    walk_bg_score=None)                      # or None
    stage2 = dict(config='configs/seg/...py', cfg_options=dict(),
                  init_backbone_from_stage1=True, tta=False)
    baselines = ['configs/pipeline/...py']                   # or None
    paper = dict(seed_mIoU=61.5, seg_mIoU_val=67.7,          # or None
                 source='PPC paper (Du et al., CVPR 2022)')

The steps are declared as data (:attr:`WSSSPipeline.steps`, see
:mod:`mmwsss.apis.steps`). Each runs stages of :mod:`mmwsss.apis.stages` in
this process (one process, not distributed), logs to the console and into
``work_dir/logs/{step}.log`` and, when it finishes, writes
``work_dir/steps/{step}.json`` (its results and wall time). A rerun skips
the finished steps and resumes an interrupted training from its last
checkpoint. The results table is printed and saved as ``results.md`` and
``results.json`` in the work dir. It also shows the results of the
``baselines`` (other pipeline configs) that have been run beside this one,
in ``{parent of work_dir}/{baseline config name}``, on the same benchmark,
and the command of each one that has not; and, with ``paper``, the published
figures of the method (keys of :data:`RESULTS`, with their ``source``) and
the measured minus the published.
"""
import inspect
import json
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import mmengine
from mmengine.config import Config
from mmengine.logging import MMLogger

from mmwsss.datasets.synthetic import write_synthetic_voc
from mmwsss.utils import (atomic_write_bytes, check_option_keys,
                          find_resume_checkpoint)
from .config_utils import load_config
from .stages import (draw_seed_figure, evaluate, evaluate_seeds,
                     make_affinity_labels, make_pseudo_masks, refine_masks,
                     train, train_affinity, train_stage2)
from .steps import Step, StepContext, load_record, run_steps

#: A training stage of :mod:`mmwsss.apis.stages` (returns the checkpoint).
TrainingStage = Callable[..., Optional[str]]

#: The results: key in ``results.json``, step and key of its record, column
#: of ``results.md``; those of steps the pipeline lacks are left out.
RESULTS = (
    ('seed_mIoU', 'seeds', 'mIoU', 'seed mIoU (train)'),
    ('seed_bg_score', 'seeds', 'bg_score', 'bg score'),
    ('pseudo_mask_mIoU_train', 'pseudo_masks', 'mIoU_train',
     'pseudo-mask mIoU (train)'),
    ('refined_mask_mIoU_train', 'affinity', 'mIoU_train',
     'refined mIoU (train)'),
    ('seg_mIoU_val', 'evaluation', 'mIoU_val', 'seg mIoU (val)'),
    ('seg_bg_IoU_val', 'evaluation', 'bg_IoU_val', 'seg background IoU (val)'),
)


#: The keys of a pipeline config and of its sections (see the module
#: docstring); ``benchmark`` takes the arguments of ``write_synthetic_voc``.
SECTIONS = dict(
    benchmark=tuple(inspect.signature(write_synthetic_voc).parameters),
    seed=(),
    stage1=('config', 'cfg_options'),
    pseudo_masks=('split', 'crf'),
    affinity=('config', 'cfg_options', 'walk_bg_score'),
    stage2=('config', 'cfg_options', 'init_backbone_from_stage1', 'tta'),
    baselines=(),
    paper=(*(key for key, _, _, _ in RESULTS), 'source'))


def markdown_table(header: Sequence[str],
                   rows: Sequence[Sequence[str]]) -> str:
    """A markdown table (no trailing newline).

    Args:
        header (Sequence[str]): Column names.
        rows (Sequence[Sequence[str]]): Cells of each row, as text.
    """
    lines = ['| ' + ' | '.join(cells) + ' |' for cells in (header, *rows)]
    lines.insert(1, '|---' * len(header) + '|')
    return '\n'.join(lines)


def _dataloaders_to(config: str, data_root: str) -> Dict[str, str]:
    """Options pointing every dataloader of a config at a data root."""
    cfg = Config.fromfile(config)
    return {
        f'{name}.dataset.data_root': data_root
        for name in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                     'pseudo_mask_dataloader') if cfg.get(name)
    }


def without_validation(options: Dict) -> Dict:
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


def write_results(work_dir: str, text: str, results: Dict) -> None:
    """Write a results table (``results.md``) and its figures
    (``results.json``) into a work dir, atomically."""
    atomic_write_bytes(osp.join(work_dir, 'results.md'), text.encode())
    atomic_write_bytes(
        osp.join(work_dir, 'results.json'),
        json.dumps(results, indent=2).encode())


class WSSSPipeline:
    """Run a pipeline config step by step (see the module docstring).

    Args:
        cfg (Config): The pipeline config.
        work_dir (str): Folder of every output.
        until (str, optional): The last step to run (e.g. ``'seeds'`` for a
            seed baseline). Defaults to None (every step).
        name (str): Prefix of the experiment names of its Runners, unique
            among the pipelines run in one process. Defaults to ''.
    """

    def __init__(self,
                 cfg: Config,
                 work_dir: str,
                 until: Optional[str] = None,
                 name: str = '') -> None:
        for key in ('stage1', 'stage2', 'affinity'):
            if key == 'affinity' and not cfg.get(key):
                continue
            if not cfg.get(key) or not osp.isfile(cfg[key].get('config', '')):
                raise FileNotFoundError(
                    f'The pipeline config needs {key}.config, an existing '
                    f'config file; got {cfg.get(key)}.')
        check_option_keys(
            'the pipeline config', {
                key: value
                for key, value in cfg.items() if not key.startswith('_')
            }, SECTIONS)
        for section, keys in SECTIONS.items():
            if isinstance(cfg.get(section), dict):
                check_option_keys(section, cfg[section], keys)
        paper = cfg.get('paper') or {}
        if paper and not paper.get('source'):
            raise ValueError('paper needs a source: where its figures are '
                             'published.')
        self.cfg = cfg
        self.work_dir = osp.abspath(work_dir)
        benchmark = cfg.get('benchmark')
        self.data_root = osp.abspath(benchmark['out_dir']) \
            if benchmark else None
        # None: the split of the stage-1 config's pseudo_mask_dataloader
        self.split = (cfg.get('pseudo_masks') or {}).get('split')
        refine = cfg.get('affinity')
        masks = 'affinity' if refine else 'pseudo_masks'
        #: The steps, in order, with the steps whose records each reads.
        self.steps = [
            Step('benchmark', self.benchmark),
            Step('stage1', self.stage1, needs=('benchmark', )),
            Step('seeds', self.seeds, needs=('stage1', )),
            Step('pseudo_masks', self.pseudo_masks, needs=('stage1', 'seeds')),
            Step('figure', self.figure, needs=('stage1', 'pseudo_masks')),
            *([Step('affinity', self.affinity, needs=('pseudo_masks', ))]
              if refine else []),
            Step('stage2', self.stage2, needs=('stage1', masks)),
            Step('evaluation', self.evaluation, needs=('stage2', )),
        ]
        names = [step.name for step in self.steps]
        if until is not None:
            if until not in names:
                raise ValueError(f'until={until!r} is no step of this '
                                 f'pipeline ({", ".join(names)}).')
            self.steps = self.steps[:names.index(until) + 1]
        self.name = name

    # ----------------------------------------------------------- helpers
    def path(self, *parts: str) -> str:
        """A path inside the work dir."""
        return osp.join(self.work_dir, *parts)

    def config_options(self, stage: str) -> Dict:
        """The data root, the seed and the stage's own ``cfg_options``."""
        options = _dataloaders_to(self.cfg[stage].config,
                                  self.data_root) if self.data_root else {}
        if self.cfg.get('seed') is not None:
            options['randomness.seed'] = self.cfg.seed
        options.update(self.cfg[stage].get('cfg_options') or {})
        return options

    def stage_config(self,
                     stage: str,
                     name: str,
                     work_dir: Optional[str] = None,
                     training: bool = False) -> Config:
        """The config of a stage with :meth:`config_options`.

        Args:
            stage (str): 'stage1', 'affinity' or 'stage2'.
            name (str): The experiment name of its Runner (mmengine keeps
                the logger, message hub and visualizer of each Runner under
                it), unique in the pipeline.
            work_dir (str, optional): The Runner's work dir. Defaults to
                the folder ``name`` of the work dir.
            training (bool): Without validation. Defaults to False.
        """
        options = self.config_options(stage)
        if training:
            options = without_validation(options)
        options['experiment_name'] = self.name + name
        cfg = load_config(self.cfg[stage].config, work_dir or self.path(name),
                          options)
        if isinstance(cfg.get('visualizer'), dict):
            cfg.visualizer.pop('name', None)  # the experiment name instead
        return cfg

    @staticmethod
    def train_resumably(ctx: StepContext, train_fn: TrainingStage, cfg: Config,
                        *args, **kwargs) -> str:
        """Train with ``train_fn`` (a training stage), resuming the run of
        the work dir if it saved a checkpoint; return the checkpoint."""
        checkpoint = train_fn(
            cfg,
            *args,
            resume=find_resume_checkpoint(cfg.work_dir) is not None,
            log_file=ctx.log_file,
            **kwargs)
        if checkpoint is None:
            raise RuntimeError(f'Step {ctx.name} saved no checkpoint in '
                               f'{cfg.work_dir}.')
        return checkpoint

    def mask_miou(self, mask_dir: str) -> float:
        """mIoU of a mask folder on the seed-evaluation split (train)."""
        from mmwsss.evaluation import evaluate_mask_folder
        stage1_cfg = Config.fromfile(self.cfg.stage1.config)
        stage1_cfg.merge_from_dict(self.config_options('stage1'))
        return float(
            evaluate_mask_folder(mask_dir,
                                 stage1_cfg.test_dataloader.dataset)['mIoU'])

    # ------------------------------------------------------------- steps
    def benchmark(self, ctx: StepContext) -> Dict:
        """Write the synthetic benchmark (if the config asks for one)."""
        spec = self.cfg.get('benchmark')
        if not spec:
            return dict(skipped=True)
        kwargs = {k: v for k, v in spec.items() if k != 'out_dir'}
        summary = write_synthetic_voc(self.data_root, **kwargs)
        return dict(
            data_root=self.data_root,
            **{
                k: summary[k]
                for k in ('num_images', 'files_written') if k in summary
            })

    def stage1(self, ctx: StepContext) -> Dict:
        """Train the stage-1 classifier (no evaluation: the next step)."""
        cfg = self.stage_config('stage1', 'stage1', training=True)
        return dict(checkpoint=self.train_resumably(ctx, train, cfg))

    def seeds(self, ctx: StepContext) -> Dict:
        """Seed mIoU of the classifier, swept over the background score; its
        CAMs are kept in ``cams/`` for the pseudo masks."""
        cfg = self.stage_config('stage1', 'seeds')
        return evaluate_seeds(
            cfg,
            ctx.inputs['stage1']['checkpoint'],
            log_file=ctx.log_file,
            cam_cache=self.path('cams'))

    def pseudo_masks(self, ctx: StepContext) -> Dict:
        """Pseudo masks of the training split (the images of the seed
        evaluation from its CAMs, the others inferred), and their mIoU on
        train."""
        cfg = self.stage_config('stage1', 'pseudo_masks',
                                self.path('logs', 'pseudo_masks_run'))
        masks = make_pseudo_masks(
            cfg,
            ctx.inputs['stage1']['checkpoint'],
            self.path('pseudo_masks'),
            split=self.split,
            bg_score=ctx.inputs['seeds']['bg_score'],
            # the random walk refines the CAMs
            save_cam=bool(self.cfg.get('affinity')),
            crf=(self.cfg.get('pseudo_masks') or {}).get('crf', False),
            log_file=ctx.log_file,
            cam_cache=self.path('cams'))
        return dict(
            out_dir=masks['out_dir'],
            mIoU_train=self.mask_miou(masks['out_dir']),
            from_cached_cams=masks['cached'])

    def figure(self, ctx: StepContext) -> Dict:
        """image | CAM | pseudo mask | ground truth of a few train images."""
        return dict(
            figure=draw_seed_figure(
                self.stage_config('stage1', 'figure'),
                ctx.inputs['stage1']['checkpoint'],
                ctx.inputs['pseudo_masks']['out_dir'],
                self.path('figure.png'),
                log_file=ctx.log_file))

    def affinity(self, ctx: StepContext) -> Dict:
        """Refine the pseudo masks: AffinityNet and random walk."""
        cams = ctx.inputs['pseudo_masks']['out_dir']
        labels, refined = self.path('affinity_labels'), self.path('refined')
        make_affinity_labels(
            self.stage_config('affinity', 'affinity_labels',
                              self.path('affinity')),
            cams,
            labels,
            split=self.split,
            log_file=ctx.log_file)
        checkpoint = self.train_resumably(
            ctx, train_affinity,
            self.stage_config('affinity', 'affinity', training=True), labels)
        refine_masks(
            self.stage_config('affinity', 'random_walk',
                              self.path('logs', 'random_walk_run')),
            checkpoint,
            cams,
            refined,
            split=self.split,
            walk_bg_score=self.cfg.affinity.get('walk_bg_score'),
            log_file=ctx.log_file)
        return dict(out_dir=refined, mIoU_train=self.mask_miou(refined))

    def stage2(self, ctx: StepContext) -> Dict:
        """Train the segmentation network on the (refined) pseudo masks."""
        masks = (ctx.inputs.get('affinity')
                 or ctx.inputs['pseudo_masks'])['out_dir']
        backbone = ctx.inputs['stage1']['checkpoint'] \
            if self.cfg.stage2.get('init_backbone_from_stage1', False) \
            else None
        cfg = self.stage_config('stage2', 'stage2', training=True)
        return dict(
            checkpoint=self.train_resumably(
                ctx, train_stage2, cfg, masks, backbone_checkpoint=backbone))

    def evaluation(self, ctx: StepContext) -> Dict:
        """mIoU of the segmentation network on the validation split."""
        metrics = evaluate(
            self.stage_config('stage2', 'evaluation'),
            ctx.inputs['stage2']['checkpoint'],
            tta=self.cfg.stage2.get('tta', False),
            log_file=ctx.log_file)
        record = dict(mIoU_val=metrics['mIoU'])
        if 'IoU.background' in metrics:  # a ClassIoUMetric
            record['bg_IoU_val'] = metrics['IoU.background']
        return record

    # ------------------------------------------------------------ running
    def run(self,
            quiet: bool = False,
            label: str = '',
            show: bool = True,
            until: Optional[str] = None,
            inline: bool = True) -> Dict:
        """Run the unfinished steps, then write the results.

        Args:
            quiet (bool): One console line per step, everything else in the
                steps' log files (see :func:`run_steps`). Defaults to False.
            label (str): Start of those lines. Defaults to ''.
            show (bool): Print the results table. Defaults to True.
            until (str, optional): Stop after this step (one of
                :attr:`steps`) this time. Defaults to None (every step).
            inline (bool): See :func:`run_steps`. Defaults to True.
        """
        steps = self.steps
        if until is not None:
            steps = steps[:[step.name for step in steps].index(until) + 1]
        logger = MMLogger.get_instance('mmwsss_pipeline')
        return self.report(
            run_steps(steps, self.work_dir, logger, quiet, label, inline),
            show)

    def baselines(self) -> Tuple[List[Dict], List[str]]:
        """The results of the baseline pipelines run beside this one.

        A baseline counts when its work dir (the folder named after its
        config, beside this work dir) holds ``results.json`` and its
        benchmark step used this pipeline's data root.

        Returns:
            tuple[list[dict], list[str]]: The results of those run, and the
            command of each of the others.
        """
        found, missing = [], []
        for config in self.cfg.get('baselines') or ():
            name = osp.splitext(osp.basename(config))[0]
            work_dir = osp.join(osp.dirname(self.work_dir), name)
            results = osp.join(work_dir, 'results.json')
            benchmark = load_record(work_dir, 'benchmark') or {}
            if osp.isfile(results) and \
                    benchmark.get('data_root') == self.data_root:
                found.append(mmengine.load(results))
            else:
                missing.append(f'python tools/pipeline.py {config} '
                               f'--work-dir {osp.relpath(work_dir)}')
        return found, missing

    def report(self, records: Dict[str, Dict], show: bool = True) -> Dict:
        """The results (``results.json``) and their table (``results.md``,
        printed) from the records of the steps.

        Args:
            records (dict[str, dict]): The record of every step, by name.
            show (bool): Print the table. Defaults to True.

        Returns:
            dict: The results.
        """
        results = dict(
            stage1_config=self.cfg.stage1.config,
            stage2_config=self.cfg.stage2.config)
        results.update({
            key: records[step][field]
            for key, step, field, _ in RESULTS
            if field in records.get(step, {})
        })
        seconds = {name: record['seconds'] for name, record in records.items()}
        seconds['total'] = round(sum(seconds.values()), 1)
        results['seconds'] = seconds
        columns = [(key, header) for key, _, _, header in RESULTS
                   if key in results]
        baselines, missing = self.baselines()
        if self.cfg.get('baselines'):
            results['baselines'] = baselines
        rows = [[osp.basename(r['stage1_config'])] +
                [f'{r[key]:.2f}' if key in r else '-' for key, _ in columns]
                for r in baselines + [results]]
        paper = self.cfg.get('paper')
        if paper:
            results['paper'] = dict(paper)
            rows.append(['paper'] + [
                f'{paper[key]:.1f}' if key in paper else '-'
                for key, _ in columns
            ])
            rows.append(['measured - paper'] + [
                f'{results[key] - paper[key]:+.2f}' if key in paper else '-'
                for key, _ in columns
            ])
        table = markdown_table(['stage-1 config'] +
                               [header for _, header in columns], rows)
        if paper:
            table += f'\n\nPaper: {paper["source"]}.'
        if missing:
            table += '\n\nBaselines not run yet on this benchmark:\n\n' + \
                '\n'.join(f'    {command}' for command in missing)
        times = markdown_table(
            ['step', *seconds],
            [['wall time (s)', *(f'{v:.0f}' for v in seconds.values())]])
        text = f'{table}\n\n{times}\n'
        write_results(self.work_dir, text, results)
        if show:
            print(text, flush=True)
        return results

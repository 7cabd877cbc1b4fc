"""The stages of weakly supervised segmentation as functions with results.

Each takes a prepared config (:func:`~mmwsss.apis.config_utils.load_config`,
``work_dir`` set) and explicit arguments, runs mmengine's Runner in this
process and returns what it made:

- :func:`train` the newest checkpoint of any model; :func:`train_affinity`
  and :func:`train_stage2` first point it at its labels;
- :func:`evaluate` the metrics of a checkpoint, :func:`evaluate_seeds` the
  seed mIoU of a classifier and its best background score;
- :func:`make_pseudo_masks` the pseudo masks (and CAMs) of a split;
- :func:`make_affinity_labels` and :func:`refine_masks` AffinityNet's labels
  and the random walk's refined masks.

``tools/train.py``, ``test.py``, ``pseudo_masks.py`` and ``random_walk.py``
are their command lines. A stage leaves the default scope and torch's
determinism flags as it found them, so that stages can follow one another
in one process; each Runner then needs a config with its own
``experiment_name`` (and visualizer name), since mmengine keeps its logger,
message hub and visualizer under those names. With ``log_file``, what the
stage logs (from the start of its Runner on) is also appended to that file.
"""
import copy
import json
import os
import os.path as osp
from contextlib import contextmanager, nullcontext
from typing import Dict, Iterator, Optional

import mmcv
import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger, print_log
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from PIL import Image

from mmwsss.datasets import select_split
from mmwsss.datasets.transforms import LoadAffinityLabel
from mmwsss.engine.affinity import (prepare_random_walk,
                                    write_affinity_labels, write_refined_masks)
from mmwsss.engine.cam_cache import CAMCache
from mmwsss.engine.hooks import PreemptionHook
from mmwsss.engine.pseudo_masks import (prepare_pseudo_masks, resolve_bg_score,
                                        write_pseudo_masks)
from mmwsss.engine.resumable import folder_digest, text_digest
from mmwsss.evaluation import SeedMetric
from mmwsss.registry import DATASETS, TRANSFORMS
from mmwsss.utils import (atomic_write_bytes, atomic_write_png,
                          file_digest, find_resume_checkpoint, folder_lock,
                          load_model_weights, remove_temporaries)
from mmwsss.visualization import seed_figure
from .config_utils import build_runner, config_section
from .log_file import also_log_to


@contextmanager
def _runner(cfg: Config, log_file: Optional[str] = None) -> Iterator[Runner]:
    """The config's Runner, logging also to ``log_file`` while in use.

    Afterwards the default scope and torch's determinism flags
    (``randomness.deterministic`` sets them for the whole process) are those
    of before; the Runner's logger stays mmengine's current one.
    """
    cudnn = torch.backends.cudnn
    flags = (torch.are_deterministic_algorithms_enabled(),
             torch.is_deterministic_algorithms_warn_only_enabled(),
             cudnn.deterministic, cudnn.benchmark)
    try:
        with DefaultScope.overwrite_default_scope(
                cfg.get('default_scope', 'mmengine')):
            runner = build_runner(cfg)
            with also_log_to(runner.logger, log_file):
                yield runner
    finally:
        torch.use_deterministic_algorithms(flags[0], warn_only=flags[1])
        cudnn.deterministic, cudnn.benchmark = flags[2:]


def _cam_manifest(cfg: Config, checkpoint: str, dataset_cfg: dict) -> Dict:
    """What makes the CAMs of a dataset's images: the weights, the model
    config (its inference settings) and the images and their loading
    (annotations aside), for a :class:`~mmwsss.engine.cam_cache.CAMCache`."""
    prefix = dataset_cfg.get('data_prefix') or {}
    return dict(
        checkpoint_sha256=file_digest(checkpoint),
        model_sha256=text_digest(cfg.model.to_dict()),
        images=osp.abspath(
            osp.join(
                dataset_cfg.get('data_root') or '',
                prefix.get('img_path', ''))),
        loading_sha256=text_digest([
            t for t in dataset_cfg.get('pipeline', [])
            if t.get('type') != 'LoadAnnotations'
        ]))


def _config_digest(cfg: Config, dataloader_cfg: dict) -> str:
    """Digest of the model and the data pipeline that make a mask folder."""
    return text_digest(
        dict(
            model=cfg.model.to_dict(),
            pipeline=dataloader_cfg.dataset.get('pipeline')))


#: Where each launcher puts the rank of a process before its Runner starts.
_RANK_VARIABLES = dict(
    pytorch='RANK', slurm='SLURM_PROCID', mpi='OMPI_COMM_WORLD_RANK')


def _locked(cfg: Config, folder: str):
    """The lock of ``folder`` (:func:`~mmwsss.utils.folder_lock`: one run
    writes into it at a time), held by the first process of a run: it
    yields the lock file's path there, None on the other processes."""
    first = int(os.environ.get(
        _RANK_VARIABLES.get(cfg.get('launcher'), 'RANK'), 0)) == 0
    return folder_lock(folder) if first else nullcontext()


def train(cfg: Config,
          resume: bool = False,
          amp: bool = False,
          log_file: Optional[str] = None) -> Optional[str]:
    """Train the config's model in ``cfg.work_dir``.

    Args:
        cfg (Config): The prepared config (left unchanged).
        resume (bool): Continue from the newest complete checkpoint of the
            work dir (or the config's ``load_from``), after removing the
            temporary files of a killed save. Defaults to False.
        amp (bool): Mixed precision: mmengine's ``AmpOptimWrapper`` with a
            GPU, bfloat16 without (the former needs a GPU). Defaults to
            False.
        log_file (str, optional): Also log into this file.

    Returns:
        str, optional: The newest complete checkpoint of the work dir; None
        if the run saved none, and on the other processes of a distributed
        run.
    """
    cfg = copy.deepcopy(cfg)
    if amp:
        if cfg.optim_wrapper.type in ('AmpOptimWrapper', 'BF16OptimWrapper'):
            print_log(
                'AMP training is already enabled in your config.',
                logger='current')
        elif torch.cuda.is_available():
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'
        else:
            cfg.optim_wrapper.type = 'BF16OptimWrapper'
    cfg.resume = resume
    with _locked(cfg, cfg.work_dir) as lock:
        if resume:
            if lock is not None:
                remove_temporaries(cfg.work_dir)
            if cfg.get('load_from') is None:
                cfg.load_from = find_resume_checkpoint(cfg.work_dir)
        with _runner(cfg, log_file) as runner:
            preemption = PreemptionHook()
            runner.register_hook(preemption)
            try:
                runner.train()
            finally:
                preemption.restore_signal_handlers()
            return find_resume_checkpoint(cfg.work_dir) \
                if runner.rank == 0 else None


def use_affinity_labels(cfg: Config, label_dir: str) -> None:
    """Point the ``LoadAffinityLabel`` transforms of the training data at
    ``label_dir`` (in place).

    Raises:
        ValueError: If the training pipeline has no such transform.
    """
    transforms = [
        t for t in cfg.train_dataloader.dataset.get('pipeline', [])
        if (TRANSFORMS.get(t['type'])
            if isinstance(t['type'], str) else t['type']) is LoadAffinityLabel
    ]
    if not transforms:
        raise ValueError(f'The training pipeline of {cfg.filename} has no '
                         'LoadAffinityLabel transform to read the affinity '
                         f'labels {label_dir}.')
    for transform in transforms:
        transform['label_dir'] = label_dir


def train_affinity(cfg: Config,
                   label_dir: str,
                   resume: bool = False,
                   log_file: Optional[str] = None) -> Optional[str]:
    """Train AffinityNet on the affinity labels of ``label_dir``.

    See :func:`train` for the other arguments and the result.
    """
    cfg = copy.deepcopy(cfg)
    use_affinity_labels(cfg, label_dir)
    return train(cfg, resume=resume, log_file=log_file)


def train_stage2(cfg: Config,
                 mask_dir: str,
                 backbone_checkpoint: Optional[str] = None,
                 resume: bool = False,
                 log_file: Optional[str] = None) -> Optional[str]:
    """Train the segmentation network on the pseudo masks of ``mask_dir``.

    Args:
        cfg (Config): The prepared stage-2 config.
        mask_dir (str): Folder of the pseudo masks (``{id}.png``).
        backbone_checkpoint (str, optional): Initialise the backbone from
            the ``backbone.`` weights of this checkpoint (the stage-1
            classifier's). Defaults to None (the config's ``init_cfg``).
        resume (bool): See :func:`train`. Defaults to False.
        log_file (str, optional): Also log into this file.

    Returns:
        str, optional: See :func:`train`.
    """
    cfg = copy.deepcopy(cfg)
    cfg.merge_from_dict(
        {'train_dataloader.dataset.data_prefix.seg_map_path': mask_dir})
    if backbone_checkpoint is not None:
        cfg.merge_from_dict({
            'model.backbone.init_cfg.type': 'Pretrained',
            'model.backbone.init_cfg.checkpoint': backbone_checkpoint,
            'model.backbone.init_cfg.prefix': 'backbone.'
        })
    return train(cfg, resume=resume, log_file=log_file)


def evaluate(cfg: Config,
             checkpoint: str,
             tta: bool = False,
             log_file: Optional[str] = None) -> Dict[str, float]:
    """Test a checkpoint on the config's test split.

    The metrics are also written to ``metrics.json`` in the work dir (by
    the first process of a distributed run). SIGTERM / SIGINT stop the
    test after the batch in hand (exit 128 + signal,
    :class:`~mmwsss.engine.hooks.PreemptionHook`).

    Args:
        cfg (Config): The prepared config.
        checkpoint (str): The weights.
        tta (bool): Test-time augmentation: the config's ``tta_pipeline``
            and ``tta_model``. Defaults to False.
        log_file (str, optional): Also log into this file.

    Returns:
        dict[str, float]: The metrics as the evaluators name them (e.g.
        ``mIoU``, ``seed/mIoU``).
    """
    cfg = copy.deepcopy(cfg)
    if tta:
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
        cfg.tta_model.module = cfg.model
        cfg.model = cfg.tta_model
    with _runner(cfg, log_file) as runner:
        load_model_weights(runner.model, checkpoint)
        preemption = PreemptionHook()
        runner.register_hook(preemption)
        try:
            metrics = {k: float(v) for k, v in runner.test().items()}
        finally:
            preemption.restore_signal_handlers()
        if runner.rank == 0:
            atomic_write_bytes(
                osp.join(cfg.work_dir, 'metrics.json'),
                json.dumps(metrics, indent=2).encode())
    return metrics


def evaluate_seeds(cfg: Config,
                   checkpoint: str,
                   log_file: Optional[str] = None,
                   cam_cache: Optional[str] = None) -> Dict[str, float]:
    """The seed mIoU of a stage-1 classifier at its best background score.

    The config's test evaluator is a :class:`SeedMetric` (which also saves
    its ``seed_metric.json`` and curve); see :func:`evaluate`. With
    ``cam_cache``, the inferred CAMs are also written into that folder
    (:class:`~mmwsss.engine.hooks.CAMCacheHook`), for
    :func:`make_pseudo_masks` to reuse.

    Returns:
        dict[str, float]: ``mIoU`` (percent) and ``bg_score``.
    """
    if cam_cache is not None:
        cfg = copy.deepcopy(cfg)
        cfg.custom_hooks = [
            *(cfg.get('custom_hooks') or []),
            dict(
                type='CAMCacheHook',
                cache_dir=cam_cache,
                manifest=_cam_manifest(cfg, checkpoint,
                                       cfg.test_dataloader.dataset))
        ]
    metrics = evaluate(cfg, checkpoint, log_file=log_file)
    keys = {
        name: f'{SeedMetric.default_prefix}/{name}'
        for name in ('mIoU', 'bg_score')
    }
    missing = [key for key in keys.values() if key not in metrics]
    if missing:
        raise KeyError(f'The test evaluator of {cfg.filename} reported '
                       f'{sorted(metrics)}, not {missing}: seeds are '
                       'evaluated by a SeedMetric.')
    return {name: metrics[key] for name, key in keys.items()}


def draw_seed_figure(cfg: Config,
                     checkpoint: str,
                     mask_dir: str,
                     out_file: str,
                     num_images: int = 4,
                     log_file: Optional[str] = None) -> str:
    """Draw image | CAM | pseudo mask | ground truth of the first images of
    the config's test split (:func:`~mmwsss.visualization.seed_figure`).

    The CAM is the classifier's inference (``test_cfg``), the maximum over
    the image's labelled classes; the pseudo masks are read from
    ``mask_dir`` (``{id}.png``).

    Args:
        cfg (Config): The prepared stage-1 config.
        checkpoint (str): The classifier.
        mask_dir (str): Folder of the pseudo masks.
        out_file (str): The PNG to write (atomically).
        num_images (int): Rows of the picture. Defaults to 4.
        log_file (str, optional): Also log into this file.

    Returns:
        str: ``out_file``.
    """
    cfg = copy.deepcopy(cfg)
    cfg.test_dataloader.batch_size = num_images
    with _runner(cfg, log_file) as runner:
        load_model_weights(runner.model, checkpoint)
        with torch.no_grad():
            samples = runner.model.test_step(
                next(iter(runner.test_dataloader)))[:num_images]
        palette = runner.test_dataloader.dataset.metainfo['palette']
    images, cams, masks, gts = [], [], [], []
    for sample in samples:
        images.append(mmcv.imread(sample.img_path, channel_order='rgb'))
        labelled = sample.gt_label.bool().to(sample.pred_cam.data.device)
        cams.append(sample.pred_cam.data[labelled].amax(0).cpu().numpy())
        masks.append(
            np.asarray(
                Image.open(osp.join(mask_dir, f'{sample.img_id}.png'))))
        gts.append(sample.gt_sem_seg.data[0].cpu().numpy())
    atomic_write_png(out_file, seed_figure(images, cams, masks, gts,
                                           palette))
    return out_file


def make_pseudo_masks(cfg: Config,
                      checkpoint: str,
                      out_dir: str,
                      split: Optional[str] = None,
                      bg_score: Optional[float] = None,
                      save_cam: bool = False,
                      crf: bool = False,
                      overwrite: bool = False,
                      log_file: Optional[str] = None,
                      cam_cache: Optional[str] = None) -> Dict:
    """Write the pseudo masks of a split with a stage-1 classifier.

    One VOC palette PNG per image (with ``save_cam`` also its CAMs, .npy)
    through the config's ``pseudo_mask_dataloader``, atomically; finished
    images are skipped, and the folder's manifest refuses the masks of other
    inputs unless ``overwrite`` (see
    :func:`~mmwsss.engine.pseudo_masks.prepare_pseudo_masks`).

    Args:
        cfg (Config): The prepared stage-1 config.
        checkpoint (str): The classifier.
        out_dir (str): Output folder.
        split (str, optional): A named split of the dataset (see
            :func:`~mmwsss.datasets.select_split`). Defaults to None: the
            ``pseudo_mask_dataloader``'s own ``ann_file``.
        bg_score (float, optional): Background score in [0, 1] (e.g. the
            best one of :func:`evaluate_seeds`); None: the model's
            ``test_cfg.bg_score``.
        save_cam (bool): Also write the CAMs. Defaults to False.
        crf (bool): Refine with a dense CRF. Defaults to False.
        overwrite (bool): Replace the masks of other inputs. Defaults to
            False.
        log_file (str, optional): Also log into this file.
        cam_cache (str, optional): A :class:`~mmwsss.engine.cam_cache.
            CAMCache` folder (:func:`evaluate_seeds` writes one): the images
            it holds are not inferred again if the same weights, model
            config and images made it; otherwise it is not used. The masks
            are the same either way. Defaults to None.

    Returns:
        dict: ``out_dir``, the ``bg_score`` used, the ``count`` of images
        written now by this process and how many of them came from the
        cache (``cached``).
    """
    cfg = copy.deepcopy(cfg)
    dataloader_cfg = config_section(cfg, 'pseudo_mask_dataloader')
    select_split(dataloader_cfg.dataset, split)
    with _locked(cfg, out_dir), _runner(cfg, log_file) as runner:
        load_model_weights(runner.model, checkpoint)
        model = getattr(runner.model, 'module', runner.model)
        bg_score, source = resolve_bg_score(bg_score, None, model)
        print_log(
            f'Background score {bg_score:.2f} (from {source})',
            logger='current')
        cache = None
        if cam_cache is not None:
            cache = CAMCache(cam_cache)
            if not cache.made_by(
                    _cam_manifest(cfg, checkpoint, dataloader_cfg.dataset)):
                print_log(
                    f'Not using the CAMs of {cam_cache}: other weights, '
                    'model config or images made them.',
                    logger='current')
                cache = None
        writer, dataloader, cached = prepare_pseudo_masks(
            dataloader_cfg,
            out_dir,
            bg_score,
            save_cam=save_cam,
            crf=dict() if crf else None,
            manifest=dict(
                checkpoint_sha256=file_digest(checkpoint),
                config_sha256=_config_digest(cfg, dataloader_cfg)),
            overwrite=overwrite,
            cache=cache)
        if dataloader is None and not cached:
            count = 0
            print_log(
                f'Every pseudo mask of {split or "the split"} is already in '
                f'{out_dir}.',
                logger='current')
        else:
            count = write_pseudo_masks(runner.model, dataloader, writer,
                                       cached, cache)
            print_log(
                f'Wrote {count} pseudo masks into {out_dir} ({len(cached)} '
                'from cached CAMs)',
                logger='current')
    return dict(
        out_dir=out_dir, bg_score=bg_score, count=count, cached=len(cached))


def make_affinity_labels(cfg: Config,
                         cam_dir: str,
                         out_dir: str,
                         split: Optional[str] = None,
                         low_alpha: float = 4.,
                         high_alpha: float = 24.,
                         crf: bool = False,
                         overwrite: bool = False,
                         log_file: Optional[str] = None) -> int:
    """Write the affinity labels of a split from its stage-1 CAMs.

    See :func:`~mmwsss.engine.affinity.write_affinity_labels`; the images and
    their labels come from the config's ``pseudo_mask_dataloader``.

    Args:
        cfg (Config): A prepared config with a ``pseudo_mask_dataloader``.
        cam_dir (str): Folder of the CAMs (``{id}.npy``).
        out_dir (str): Output folder.
        split (str, optional): A named split of the dataset. Defaults to
            None: the ``pseudo_mask_dataloader``'s own.
        low_alpha (float): Strong-background exponent. Defaults to 4.
        high_alpha (float): Weak-background exponent. Defaults to 24.
        crf (bool): Refine both argmaxes with a dense CRF. Defaults to
            False.
        overwrite (bool): Replace the labels of other inputs. Defaults to
            False.
        log_file (str, optional): Also log into this file.

    Returns:
        int: Number of label maps written now.
    """
    dataset_cfg = copy.deepcopy(
        config_section(cfg, 'pseudo_mask_dataloader').dataset)
    select_split(dataset_cfg, split)
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmwsss')):
        dataset = DATASETS.build(dataset_cfg)
    logger = MMLogger.get_current_instance()
    with _locked(cfg, out_dir), also_log_to(logger, log_file):
        count = write_affinity_labels(
            [dataset.get_data_info(i) for i in range(len(dataset))],
            cam_dir,
            out_dir,
            dataset.metainfo['palette'],
            low_alpha=low_alpha,
            high_alpha=high_alpha,
            crf=dict() if crf else None,
            manifest=dict(cams_sha256=folder_digest(cam_dir)),
            overwrite=overwrite)
        print_log(
            f'Wrote {count} affinity labels of {split or "the split"} into '
            f'{out_dir} '
            f'({len(dataset) - count} already there)',
            logger='current')
    return count


def refine_masks(cfg: Config,
                 checkpoint: str,
                 cam_dir: str,
                 out_dir: str,
                 split: Optional[str] = None,
                 beta: Optional[float] = None,
                 logt: Optional[int] = None,
                 walk_bg_score: Optional[float] = None,
                 overwrite: bool = False,
                 log_file: Optional[str] = None) -> int:
    """Refine the CAMs of a split into pseudo masks by the random walk.

    One image per batch through the config's ``pseudo_mask_dataloader``;
    one VOC palette PNG per image, written atomically, finished images
    skipped, the masks of other inputs refused unless ``overwrite`` (see
    :func:`~mmwsss.engine.affinity.prepare_random_walk`).

    Args:
        cfg (Config): The prepared AffinityNet config.
        checkpoint (str): The trained AffinityNet.
        cam_dir (str): Folder of the stage-1 CAMs (``{id}.npy``).
        out_dir (str): Output folder.
        split (str, optional): A named split of the dataset. Defaults to
            None: the ``pseudo_mask_dataloader``'s own.
        beta (float, optional): Affinity exponent; None: the config's
            ``model.test_cfg``. So are ``logt`` (number of squarings) and
            ``walk_bg_score`` (constant background score).
        overwrite (bool): Replace the masks of other inputs. Defaults to
            False.
        log_file (str, optional): Also log into this file.

    Returns:
        int: Number of masks written now by this process.
    """
    cfg = copy.deepcopy(cfg)
    test_cfg = cfg.model.setdefault('test_cfg', {})
    for key, value in dict(
            beta=beta, logt=logt, walk_bg_score=walk_bg_score).items():
        if value is not None:
            test_cfg[key] = value
    dataloader_cfg = config_section(cfg, 'pseudo_mask_dataloader')
    select_split(dataloader_cfg.dataset, split)
    with _locked(cfg, out_dir), _runner(cfg, log_file) as runner:
        load_model_weights(runner.model, checkpoint)
        folder, dataloader = prepare_random_walk(
            dataloader_cfg,
            out_dir,
            manifest=dict(
                checkpoint_sha256=file_digest(checkpoint),
                cams_sha256=folder_digest(cam_dir),
                config_sha256=_config_digest(cfg, dataloader_cfg)),
            overwrite=overwrite)
        if dataloader is None:
            print_log(
                f'Every refined mask of {split or "the split"} is already in '
                f'{out_dir}.',
                logger='current')
            return 0
        count = write_refined_masks(runner.model, dataloader, cam_dir, folder)
        print_log(
            f'Wrote {count} refined masks into {out_dir}', logger='current')
    return count

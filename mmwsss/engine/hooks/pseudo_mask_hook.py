"""Writing pseudo masks at the end of stage-1 training."""
import os.path as osp
from typing import Dict, Optional, Union

from mmengine.dist import barrier
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmwsss.registry import HOOKS
from ..pseudo_masks import (prepare_pseudo_masks, resolve_bg_score,
                            write_pseudo_masks)


@HOOKS.register_module()
class PseudoMaskHook(Hook):
    """After training, write the pseudo masks of a split.

    Runs the trained classifier (multi-scale, flipped CAMs as in
    ``model.test_cfg``) over the config's ``pseudo_mask_dataloader`` (by
    default VOC ``train_aug``) and writes one palette PNG per image (and the
    CAMs with ``save_cam``) into ``out_dir``, skipping images already
    written, so a rerun finishes an interrupted job. The background score is
    the best one of the last seed evaluation (``bg_score='auto'``) or a given
    number.

    Args:
        out_dir (str): Output folder, relative to the work dir unless
            absolute. Defaults to 'pseudo_masks'.
        bg_score (float | str): Background score, or ``'auto'`` for the best
            threshold of the last :class:`SeedMetric` evaluation (falling
            back to ``model.test_cfg.bg_score``). Defaults to 'auto'.
        save_cam (bool): Also write the CAMs (``.npy``). Defaults to False.
        crf (dict, optional): Dense CRF options, or None. Defaults to None.
        dataloader (dict, optional): Dataloader config; defaults to the
            config's ``pseudo_mask_dataloader``.
    """

    priority = 'LOW'

    def __init__(self,
                 out_dir: str = 'pseudo_masks',
                 bg_score: Union[float, str] = 'auto',
                 save_cam: bool = False,
                 crf: Optional[Dict] = None,
                 dataloader: Optional[Dict] = None) -> None:
        if bg_score != 'auto' and not isinstance(bg_score, (int, float)):
            raise ValueError(f"bg_score must be a number or 'auto', got "
                             f'{bg_score!r}.')  # checked before training
        self.out_dir = out_dir
        self.bg_score = bg_score
        self.save_cam = save_cam
        self.crf = crf
        self.dataloader = dataloader
        self._best_bg_score: Optional[float] = None

    def after_val_epoch(self, runner, metrics: Optional[Dict] = None) -> None:
        """Remember the best background score of the seed evaluation."""
        if metrics and 'seed/bg_score' in metrics:
            self._best_bg_score = float(metrics['seed/bg_score'])

    def after_train(self, runner) -> None:
        """Write the pseudo masks with the trained model."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        bg_score, source = resolve_bg_score(self.bg_score,
                                            self._best_bg_score, model)
        out_dir = osp.join(runner.work_dir, self.out_dir)
        writer, dataloader, _ = prepare_pseudo_masks(
            self.dataloader or runner.cfg.pseudo_mask_dataloader, out_dir,
            bg_score, self.save_cam, self.crf)
        if dataloader is not None:
            print_log(
                f'Writing pseudo masks (background score {bg_score:.2f}, '
                f'from {source})'
                f' into {out_dir}',
                logger='current')
            write_pseudo_masks(model, dataloader, writer)
        barrier()

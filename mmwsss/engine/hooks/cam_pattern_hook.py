"""The mean raw CAM of each class over fixed images, during training."""
import os.path as osp
from typing import Dict, Optional, Sequence

import cv2
import mmengine
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.dataset import pseudo_collate
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmwsss.registry import DATASETS, HOOKS
from mmwsss.utils import atomic_write_bytes, atomic_write_png


def position_pattern(cams: torch.Tensor, labels: torch.Tensor) -> dict:
    """Mean CAM of each class over images with and without the class.

    Args:
        cams (Tensor): ``(N, C, S, S)`` raw foreground CAMs of N images,
            each resized to a common ``S x S`` grid.
        labels (Tensor): ``(N, C)`` multi-hot image labels.

    Returns:
        dict: ``present`` and ``absent`` ``(C, S, S)`` mean maps (NaN for a
        class that is never present / never absent), ``num_present`` and
        ``num_absent`` ``(C,)`` image counts, and ``agnostic``: the mean
        correlation between the present maps of every two classes (1 when
        one position pattern serves every class, NaN with fewer than two
        classes present).
    """
    labels = labels.float()[..., None, None]  # (N, C, 1, 1)
    stats = {}
    for name, weight in (('present', labels), ('absent', 1 - labels)):
        count = weight.sum(0)  # (C, 1, 1)
        stats[name] = (cams * weight).sum(0) / count
        stats[f'num_{name}'] = count.flatten()
    present = stats['present'][stats['num_present'] > 0].flatten(1)
    if len(present) < 2:
        stats['agnostic'] = float('nan')
    else:
        corr = torch.corrcoef(present)
        off = ~torch.eye(len(corr), dtype=torch.bool)
        stats['agnostic'] = corr[off].nanmean().item()
    return stats


def pattern_picture(stats: dict,
                    class_names: Sequence[str],
                    panel: int = 48) -> np.ndarray:
    """A picture of :func:`position_pattern`: one column per class, the
    mean map over the images with the class (top row) and without it
    (bottom row), each panel scaled from its own minimum (blue) to its
    maximum (red).

    Returns:
        np.ndarray: ``(2 * panel + 14, C * (panel + 2), 3)`` uint8 RGB.
    """
    columns = []
    for index, name in enumerate(class_names):
        cells = []
        for row in ('present', 'absent'):
            value = stats[row][index].numpy()
            if np.isnan(value).any():
                cells.append(np.zeros((panel, panel, 3), np.uint8))
                continue
            span = max(float(value.max() - value.min()), 1e-12)
            gray = np.uint8((value - value.min()) / span * 255)
            heat = cv2.applyColorMap(
                cv2.resize(gray, (panel, panel),
                           interpolation=cv2.INTER_NEAREST),
                cv2.COLORMAP_JET)
            cells.append(cv2.cvtColor(heat, cv2.COLOR_BGR2RGB))
        title = np.full((14, panel, 3), 255, np.uint8)
        cv2.putText(title, name[:8], (1, 10), cv2.FONT_HERSHEY_SIMPLEX, 0.3,
                    (0, 0, 0), 1, cv2.LINE_AA)
        column = np.concatenate([title, *cells], axis=0)
        columns.append(np.pad(column, ((0, 0), (0, 2), (0, 0)),
                              constant_values=255))
    return np.concatenate(columns, axis=1)


@HOOKS.register_module()
class CAMPatternHook(Hook):
    """Save the mean raw CAM of every class at chosen training iterations.

    A diagnostic of position bias: at each iteration in ``iters`` and at the
    end of training, the classifier (in eval mode, float32, without
    gradient) computes the raw CAM logits of the first ``num_images`` images
    of the test dataset (unaugmented); each image's foreground maps are
    resized to ``size x size`` and averaged per class over the images that
    have the class and over those that do not (:func:`position_pattern`).
    A pattern that is the same for every class, present or absent, and
    that does not follow the objects is a position bias the classifier
    learnt. Written into ``{work_dir}/cam_pattern/``: ``iter_{n}.png``
    (:func:`pattern_picture`) and ``iter_{n}.json`` (``agnostic`` and the
    counts). Nothing of the training changes: the model's mode is restored
    and no random generator is drawn.

    Args:
        iters (Sequence[int]): Iterations (1-based, counted over the whole
            run) after which to save. Defaults to (20, ).
        num_images (int): Images of the test dataset used. Defaults to 64.
        size (int): Side of the common grid. Defaults to 24.
    """

    priority = 'LOW'

    def __init__(self,
                 iters: Sequence[int] = (20, ),
                 num_images: int = 64,
                 size: int = 24) -> None:
        self.iters = set(iters)
        self.num_images = num_images
        self.size = size

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Save the pattern after each chosen iteration."""
        if runner.iter + 1 in self.iters:
            self.save(runner, runner.iter + 1)

    def after_train(self, runner) -> None:
        """Save the pattern of the trained model."""
        self.save(runner, runner.iter)

    def save(self, runner, iteration: int) -> None:
        """Compute and write the pattern of the current weights."""
        if runner.rank != 0:
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        dataset = DATASETS.build(runner.cfg.test_dataloader.dataset)
        stats = self.compute(model, dataset)
        out_dir = osp.join(runner.work_dir, 'cam_pattern')
        mmengine.mkdir_or_exist(out_dir)
        classes = dataset.metainfo['classes'][1:]
        atomic_write_png(
            osp.join(out_dir, f'iter_{iteration}.png'),
            pattern_picture(stats, classes))
        summary = dict(
            iteration=iteration,
            agnostic=stats['agnostic'],
            num_present=stats['num_present'].tolist(),
            num_absent=stats['num_absent'].tolist())
        atomic_write_bytes(
            osp.join(out_dir, f'iter_{iteration}.json'),
            mmengine.dump(summary, file_format='json').encode())
        runner.logger.info(
            f'CAM position pattern after iteration {iteration}: mean '
            f'correlation of the classes\' maps {stats["agnostic"]:.3f} '
            f'({out_dir})')

    @torch.no_grad()
    def compute(self, model, dataset) -> Dict[str, torch.Tensor]:
        """:func:`position_pattern` of the model on the dataset's first
        images."""
        was_training = model.training
        model.eval()
        try:
            cams, labels = [], []
            for index in range(min(self.num_images, len(dataset))):
                data = model.data_preprocessor(
                    pseudo_collate([dataset[index]]), False)
                cam = model.layout.foreground(model._forward(data['inputs']))
                cams.append(
                    F.interpolate(
                        cam.float(),
                        size=(self.size, self.size),
                        mode='bilinear',
                        align_corners=False).cpu())
                labels.append(model.get_labels(data['data_samples']).cpu())
        finally:
            model.train(was_training)
        return position_pattern(torch.cat(cams), torch.cat(labels))

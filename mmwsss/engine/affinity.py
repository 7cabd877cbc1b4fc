"""Seed refinement with AffinityNet, per image: affinity labels and the
random walk's refined masks.

The PSA pipeline after stage 1 (CAMs written by ``tools/pseudo_masks.py
--save-cam``):

1. :func:`write_affinity_labels` turns each image's CAMs into its affinity
   label map (:func:`~mmwsss.models.affinity.affinity_labels`;
   ``tools/affinity_labels.py``);
2. AffinityNet learns pixel affinities from these maps (``tools/train.py``);
3. :func:`write_refined_masks` propagates the CAMs along the predicted
   affinities into refined pseudo masks (``tools/random_walk.py``).

Both write through :class:`~mmwsss.engine.mask_folder.MaskFolder`: one VOC
palette PNG ``{id}.png`` per image, atomically, finished images skipped.
"""
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import mmcv
import numpy as np
import torch
from torch.utils.data import DataLoader

from mmwsss.models.affinity import affinity_labels
from mmwsss.registry import DATASETS
from mmwsss.structures import WSSSDataSample
from .cam_cache import load_cams, read_labelled_cams
from .mask_folder import MaskFolder
from .resumable import predict_with_progress


def write_affinity_labels(data_infos: Sequence[dict],
                          cam_dir: str,
                          out_dir: str,
                          palette: Sequence[Sequence[int]],
                          low_alpha: float = 4.,
                          high_alpha: float = 24.,
                          crf: Optional[Dict] = None,
                          manifest: Optional[Dict[str, Any]] = None,
                          overwrite: bool = False) -> int:
    """Write the affinity label map of every image not written yet.

    With a ``manifest`` (what produces the labels, e.g. the CAM folder; the
    exponents and CRF options are added), the output folder is claimed
    (:meth:`MaskFolder.claim`: temporary files of a killed run removed; the
    labels of other inputs refused, or with ``overwrite`` all written
    again).

    Args:
        data_infos (Sequence[dict]): Data infos with ``img_id``,
            ``gt_label`` and (for the CRF) ``img_path``.
        cam_dir (str): Folder of the CAMs (``{id}.npy``).
        out_dir (str): Output folder (``{id}.png``, VOC palette).
        palette (Sequence[Sequence[int]]): Class colours.
        low_alpha (float): Strong-background exponent. Defaults to 4.
        high_alpha (float): Weak-background exponent. Defaults to 24.
        crf (dict, optional): Dense CRF options. Defaults to None.
        manifest (dict, optional): The inputs of the labels. Defaults to
            None (the folder is not claimed).
        overwrite (bool): Replace the labels of other inputs. Defaults to
            False.

    Returns:
        int: Number of label maps written.
    """
    folder = MaskFolder(out_dir, palette)
    if manifest is not None:
        folder.claim(
            dict(
                manifest, low_alpha=low_alpha, high_alpha=high_alpha,
                crf=crf), overwrite)
    todo = [info for info in data_infos if not folder.done(info['img_id'])]

    def label(batch: List[dict]) -> List[Tuple[str, np.ndarray]]:
        info = batch[0]
        cams = read_labelled_cams(cam_dir, info['img_id'], info['gt_label'])
        image = mmcv.imread(info['img_path'], channel_order='rgb') \
            if crf is not None else None
        return [(info['img_id'],
                 affinity_labels(cams, info['gt_label'], low_alpha,
                                 high_alpha, crf, image))]

    for img_id, labels in predict_with_progress([[i] for i in todo], label):
        folder.write(img_id, labels)
    return len(todo)


def random_walk_refine(model: torch.nn.Module, data_batch: dict,
                       cam_dir: str) -> List[WSSSDataSample]:
    """Refine the CAMs of a batch by AffinityNet's random walk.

    Args:
        model (nn.Module): A trained :class:`AffinityNet` (``test_cfg``
            sets ``beta``, ``logt`` and ``bg_score``).
        data_batch (dict): A batch of the test pipeline (``inputs`` and data
            samples with ``img_id`` and ``gt_label``); one image per batch
            gives the authors' exact padding.
        cam_dir (str): Folder of the stage-1 CAMs (``{id}.npy``).

    Returns:
        list[WSSSDataSample]: The samples with ``pred_sem_seg``.
    """
    for sample in data_batch['data_samples']:
        load_cams(cam_dir, sample)
    with torch.no_grad():
        return model.test_step(data_batch)


def prepare_random_walk(
        dataloader_cfg: dict,
        out_dir: str,
        manifest: Optional[Dict[str, Any]] = None,
        overwrite: bool = False) -> Tuple[MaskFolder, Optional[DataLoader]]:
    """The output folder and a one-image-per-batch dataloader of the images
    without a refined mask in it yet.

    With a ``manifest`` (what produces the masks: checkpoint digest, CAM
    folder, random-walk parameters...), the output folder is claimed
    (:meth:`MaskFolder.claim`).

    Args:
        dataloader_cfg (dict): Dataloader config (e.g. the config's
            ``pseudo_mask_dataloader``); its sampler should neither shuffle
            nor round up, so that ranks share the images without
            duplicates.
        out_dir (str): Output folder.
        manifest (dict, optional): The inputs of the masks. Defaults to None
            (the folder is not claimed).
        overwrite (bool): Replace the masks of other inputs. Defaults to
            False.

    Returns:
        tuple: The :class:`MaskFolder` (the dataset's palette) and the
        dataloader, or None if every image is done.
    """
    dataset = DATASETS.build(dataloader_cfg['dataset'])
    folder = MaskFolder(out_dir, dataset.metainfo['palette'])
    if manifest is not None:
        folder.claim(manifest, overwrite)
    return folder, folder.unfinished(dataloader_cfg, dataset, batch_size=1)


def write_refined_masks(model: torch.nn.Module, dataloader: Iterable,
                        cam_dir: str, folder: MaskFolder) -> int:
    """Random-walk every image of ``dataloader`` and write its mask.

    Args:
        model (nn.Module): The trained AffinityNet.
        dataloader (Iterable): Batches of the images to refine (the caller
            leaves out finished images and shards across ranks).
        cam_dir (str): Folder of the stage-1 CAMs.
        folder (MaskFolder): The output folder.

    Returns:
        int: Number of masks written by this process.
    """
    model.eval()
    count = 0
    for sample in predict_with_progress(
            dataloader,
            lambda batch: random_walk_refine(model, batch, cam_dir)):
        folder.write(sample.img_id,
                     sample.pred_sem_seg.data[0].byte().cpu().numpy())
        count += 1
    return count

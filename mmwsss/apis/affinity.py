"""Seed refinement with AffinityNet: affinity labels and random walk.

The PSA pipeline after stage 1 (CAMs written by ``tools/pseudo_masks.py
--save-cam``):

1. :func:`affinity_labels` turns each image's CAMs into a label map of
   confident foreground, confident background and an ignored band
   (``tools/affinity_labels.py``);
2. AffinityNet learns pixel affinities from these maps (``tools/train.py``);
3. :func:`random_walk_refine` propagates the CAMs along the predicted
   affinities into refined pseudo masks (``tools/random_walk.py``).

Outputs are written per image id, atomically, in the pseudo-mask format
(VOC palette PNG ``{id}.png``), and finished images are skipped on reruns.
"""
import os.path as osp
import sys
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import mmcv
import numpy as np
import torch
from mmengine.structures import PixelData
from mmengine.utils import ProgressBar
from torch.utils.data import DataLoader

from mmwsss.engine.pseudo_masks import encode_palette_png
from mmwsss.engine.resumable import (claim_output_folder,
                                     predict_with_progress,
                                     unfinished_dataloader)
from mmwsss.models.utils import dense_crf
from mmwsss.registry import DATASETS
from mmwsss.structures import WSSSDataSample
from mmwsss.utils import atomic_write_bytes, safe_join


def affinity_labels(cams: np.ndarray,
                    label: np.ndarray,
                    low_alpha: float = 4.,
                    high_alpha: float = 24.,
                    crf: Optional[Dict] = None,
                    image: Optional[np.ndarray] = None) -> np.ndarray:
    """The affinity label map of one image (PSA).

    With ``m`` the maximum of the CAMs at a pixel, the background score
    ``(1 - m) ** alpha`` is strong for a low ``alpha`` and weak for a high
    one. The argmax of ``[background, CAMs]`` with the low alpha gives the
    confident foreground; with the high alpha, the confident background.
    The map starts from the low-alpha argmax (as class indices), its
    background pixels become 255 (unreliable band), and the background
    pixels of the high-alpha argmax become 0.

    Args:
        cams (np.ndarray): ``(K, H, W)`` CAMs in [0, 1] of the K labelled
            classes, in increasing class order.
        label (np.ndarray): ``(C,)`` multi-hot image label with K non-zero
            entries.
        low_alpha (float): Exponent of the strong background. Defaults to 4.
        high_alpha (float): Exponent of the weak background. Defaults to 24.
        crf (dict, optional): Keyword arguments of :func:`dense_crf` to
            refine both argmaxes (needs ``image``), or None. Defaults to
            None.
        image (np.ndarray, optional): ``(H, W, 3)`` uint8 RGB image, for the
            CRF.

    Returns:
        np.ndarray: ``(H, W)`` uint8 labels: 0 background, 1..C classes,
        255 ignored.
    """
    present = np.flatnonzero(label)
    if cams.ndim != 3 or cams.shape[0] != len(present) or not len(present):
        raise ValueError(f'Expected the CAMs of the {len(present)} labelled '
                         f'classes, got an array of shape {cams.shape}.')
    if crf is not None and image is None:
        raise ValueError('The dense CRF needs the image.')
    cams = cams.astype(np.float32)
    fg = 1 - cams.max(axis=0, keepdims=True)
    argmaxes = []
    for alpha in (low_alpha, high_alpha):
        scores = np.concatenate([fg**alpha, cams])  # (K + 1, H, W)
        if crf is not None:
            probs = scores / np.maximum(scores.sum(0, keepdims=True), 1e-5)
            scores = dense_crf(image, probs, **crf)
        argmaxes.append(scores.argmax(axis=0))
    low, high = argmaxes
    classes = np.concatenate([[0], present + 1]).astype(np.uint8)
    out = classes[low]
    out[low == 0] = 255
    out[high == 0] = 0
    return out


def load_cams(cam_dir: str, img_id: str, label: np.ndarray) -> np.ndarray:
    """Read the CAMs ``{img_id}.npy`` written by the pseudo-mask tool.

    Args:
        cam_dir (str): Folder of the CAMs.
        img_id (str): Image id (must stay inside ``cam_dir``).
        label (np.ndarray): ``(C,)`` multi-hot image label.

    Returns:
        np.ndarray: ``(K, H, W)`` float32 CAMs of the labelled classes.
    """
    path = safe_join(cam_dir, img_id, '.npy')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'The CAMs {path} do not exist: write them with '
            'tools/pseudo_masks.py --save-cam.')
    cams = np.load(path, allow_pickle=False)
    num = int(np.count_nonzero(label))
    if cams.ndim != 3 or cams.shape[0] != num:
        raise ValueError(f'{path} holds an array of shape {cams.shape}; '
                         f'expected the CAMs of the {num} labelled classes.')
    return cams.astype(np.float32)


def mask_path(out_dir: str, img_id: str) -> str:
    """The output file ``{img_id}.png`` of an image, inside ``out_dir``."""
    return safe_join(out_dir, img_id, '.png')


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
    exponents and CRF options are added), the output folder is claimed with
    :func:`~mmwsss.engine.resumable.claim_output_folder` (temporary files of a
    killed run removed; the labels of other inputs refused, or with
    ``overwrite`` all written again).

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
    keep = manifest is None or claim_output_folder(
        out_dir,
        dict(manifest, low_alpha=low_alpha, high_alpha=high_alpha, crf=crf),
        overwrite)
    todo = [
        info for info in data_infos
        if not (keep and osp.isfile(mask_path(out_dir, info['img_id'])))
    ]
    bar = ProgressBar(len(todo), file=sys.stdout) if todo else None
    for info in todo:
        cams = load_cams(cam_dir, info['img_id'], info['gt_label'])
        image = mmcv.imread(info['img_path'], channel_order='rgb') \
            if crf is not None else None
        labels = affinity_labels(cams, info['gt_label'], low_alpha, high_alpha,
                                 crf, image)
        atomic_write_bytes(
            mask_path(out_dir, info['img_id']),
            encode_palette_png(labels, palette))
        bar.update()
    if bar is not None:
        bar.file.write('\n')
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
        label = sample.gt_label.cpu().numpy()
        cams = torch.from_numpy(load_cams(cam_dir, sample.img_id, label))
        full = cams.new_zeros((len(label), ) + cams.shape[1:])
        full[torch.from_numpy(np.flatnonzero(label))] = cams
        sample.pred_cam = PixelData(data=full)
    with torch.no_grad():
        return model.test_step(data_batch)


def write_refined_masks(model: torch.nn.Module, dataloader: Iterable,
                        cam_dir: str, out_dir: str,
                        palette: Sequence[Sequence[int]]) -> int:
    """Random-walk every image of ``dataloader`` and write its mask.

    Args:
        model (nn.Module): The trained AffinityNet.
        dataloader (Iterable): Batches of the images to refine (the caller
            leaves out finished images and shards across ranks).
        cam_dir (str): Folder of the stage-1 CAMs.
        out_dir (str): Output folder (``{id}.png``, VOC palette).
        palette (Sequence[Sequence[int]]): Class colours.

    Returns:
        int: Number of masks written by this process.
    """
    model.eval()
    count = 0
    for sample in predict_with_progress(
            dataloader,
            lambda batch: random_walk_refine(model, batch, cam_dir)):
        mask = sample.pred_sem_seg.data[0].byte().cpu().numpy()
        atomic_write_bytes(
            mask_path(out_dir, sample.img_id),
            encode_palette_png(mask, palette))
        count += 1
    return count


def prepare_random_walk(
        dataloader_cfg: dict,
        out_dir: str,
        manifest: Optional[Dict[str, Any]] = None,
        overwrite: bool = False
) -> Tuple[List[List[int]], Optional[DataLoader]]:
    """The palette and a one-image-per-batch dataloader of the images
    without a refined mask in ``out_dir`` yet.

    With a ``manifest`` (what produces the masks: checkpoint digest, CAM
    folder, random-walk parameters...), the output folder is claimed with
    :func:`~mmwsss.engine.resumable.claim_output_folder`.

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
        tuple: The dataset's palette and the dataloader, or None if every
        image is done.
    """
    dataset = DATASETS.build(dataloader_cfg['dataset'])
    keep = manifest is None or claim_output_folder(out_dir, manifest,
                                                   overwrite)
    dataloader = unfinished_dataloader(
        dataloader_cfg,
        dataset,
        lambda img_id: keep and osp.isfile(mask_path(out_dir, img_id)),
        batch_size=1)
    return dataset.metainfo['palette'], dataloader

"""A folder of a classifier's CAMs, so that each image is inferred once."""
import glob
import io
import os
import os.path as osp
from typing import Any, Dict, Union

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.structures import PixelData

from mmwsss.structures import WSSSDataSample
from mmwsss.utils import atomic_write_bytes, safe_join
from .resumable import claim_output_folder, made_by


class CAMCache:
    """The CAMs a classifier's inference gave, one file per image.

    The seed evaluation infers the CAMs of the train images
    (:class:`~mmwsss.engine.hooks.CAMCacheHook` writes them here); the
    pseudo masks of a split that holds these images then read them instead
    of inferring them again. ``{id}.npy`` holds the float32 CAMs
    ``(K, H, W)`` of the image's K labelled classes in increasing class
    order (the other classes' maps are zero), exactly as inferred, so that
    seeds and masks made from them equal those of a new inference. The
    folder's manifest names what made the CAMs (checkpoint and model
    config digests); a reader uses the folder only if it was made by the
    same (:meth:`made_by`).

    Args:
        folder (str): The folder.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def claim(self, manifest: Dict[str, Any]) -> None:
        """Make the folder the cache of ``manifest``'s inputs: kept if it
        already is, emptied otherwise (the cache is only derived data)."""
        if not claim_output_folder(self.folder, manifest, overwrite=True) \
                and get_rank() == 0:
            for path in glob.glob(osp.join(self.folder, '*.npy')):
                os.remove(path)

    def made_by(self, manifest: Dict[str, Any]) -> bool:
        """Whether the cached CAMs were made from ``manifest``'s inputs."""
        return made_by(self.folder, manifest)

    def path(self, img_id: str) -> str:
        """The file of ``img_id``."""
        return safe_join(self.folder, img_id, '.npy')

    def has(self, img_id: str) -> bool:
        """Whether the CAMs of ``img_id`` are cached."""
        return osp.isfile(self.path(img_id))

    def save(self, sample: WSSSDataSample) -> None:
        """Write the CAMs of a predicted sample (``pred_cam``), atomically."""
        write_labelled_cams(self.path(sample.img_id), sample, torch.float32)

    def load(self, sample: WSSSDataSample) -> WSSSDataSample:
        """Give ``sample`` its cached CAMs (:func:`load_cams`)."""
        return load_cams(self.folder, sample)


def load_cams(folder: str, sample: WSSSDataSample) -> WSSSDataSample:
    """Give ``sample`` (``img_id``, ``gt_label``) the CAMs of its labelled
    classes read from ``folder`` (:func:`read_labelled_cams`) as
    ``pred_cam``, the unlabelled classes' maps zero."""
    cam = torch.from_numpy(
        read_labelled_cams(folder, sample.img_id, sample.gt_label.cpu()))
    present = torch.nonzero(sample.gt_label.cpu()).flatten()
    full = cam.new_zeros(len(sample.gt_label), *cam.shape[1:])
    full[present] = cam
    sample.pred_cam = PixelData(data=full)
    return sample


def write_labelled_cams(path: str, sample: WSSSDataSample,
                        dtype: torch.dtype) -> None:
    """Write the ``pred_cam`` maps of a sample's labelled classes, in
    increasing class order, as a ``.npy`` of ``dtype``, atomically."""
    cam = sample.pred_cam.data
    present = torch.nonzero(sample.gt_label).flatten().to(cam.device)
    buffer = io.BytesIO()
    np.save(buffer, cam[present].to(dtype).cpu().numpy())
    atomic_write_bytes(path, buffer.getvalue())


def read_labelled_cams(folder: str, img_id: str,
                       label: Union[np.ndarray, torch.Tensor]) -> np.ndarray:
    """Read the CAMs ``{img_id}.npy`` of an image's labelled classes, as
    :func:`write_labelled_cams` wrote them (the pseudo-mask tool's
    ``--save-cam``, or a :class:`CAMCache`).

    Args:
        folder (str): Folder of the CAMs.
        img_id (str): Image id (must stay inside ``folder``).
        label (np.ndarray | Tensor): ``(C,)`` multi-hot image label.

    Returns:
        np.ndarray: ``(K, H, W)`` float32 CAMs of the K labelled classes.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it does not hold the maps of the labelled classes.
    """
    path = safe_join(folder, img_id, '.npy')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'The CAMs {path} do not exist: write them with '
            'tools/pseudo_masks.py --save-cam.')
    cams = np.load(path, allow_pickle=False)
    num = int(np.count_nonzero(np.asarray(label)))
    if cams.ndim != 3 or cams.shape[0] != num:
        raise ValueError(f'{path} holds CAMs of shape {cams.shape}, not of '
                         f'the {num} labelled classes of {img_id}.')
    return cams.astype(np.float32)

"""The one writer of per-image label maps: pseudo masks, affinity labels
and refined masks all go through :class:`MaskFolder`."""
import os.path as osp
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
from mmengine.dataset import BaseDataset
from torch.utils.data import DataLoader

from mmwsss.datasets.mask_png import IGNORE_COLOUR, encode_png
from mmwsss.utils import atomic_write_bytes, safe_join
from .resumable import claim_output_folder, unfinished_dataloader


def encode_palette_png(mask: np.ndarray, palette: List[List[int]]) -> bytes:
    """Encode a ``(H, W)`` uint8 label map as a VOC palette PNG.

    Args:
        mask (np.ndarray): Labels (0 = background, 255 = ignored).
        palette (list[list[int]]): RGB colour of each class index.

    Returns:
        bytes: The PNG file.
    """
    flat = np.zeros((256, 3), np.uint8)
    flat[:len(palette)] = palette
    flat[255] = IGNORE_COLOUR
    return encode_png(
        np.ascontiguousarray(mask, np.uint8),
        flat.ravel().tolist())


class MaskFolder:
    """A folder of one VOC palette PNG ``{id}.png`` per image (and other
    per-image files beside it), written atomically and resumable.

    Each file is written to a temporary name and renamed, so an interrupted
    run never leaves a partial file; :meth:`done` tells which images a rerun
    can skip, and :meth:`claim` (with a manifest of what produces the
    outputs) refuses to mix the outputs of other inputs in the folder.

    Args:
        out_dir (str): The folder.
        palette (Sequence[Sequence[int]]): Class colours.
        extras (Sequence[str]): Suffixes of the other files of each image
            (e.g. ``('.npy', )`` for its CAMs): an image is done when all
            its files exist. Defaults to ().
    """

    def __init__(self,
                 out_dir: str,
                 palette: Sequence[Sequence[int]],
                 extras: Sequence[str] = ()) -> None:
        self.out_dir = out_dir
        self.palette = [list(colour) for colour in palette]
        self.suffixes = ('.png', *extras)
        self._keep = True

    def path(self, img_id: str, suffix: str = '.png') -> str:
        """The file of ``img_id`` with ``suffix``, inside the folder."""
        return safe_join(self.out_dir, img_id, suffix)

    def done(self, img_id: str) -> bool:
        """Whether every file of ``img_id`` exists (a finished image), and
        the folder's earlier outputs are kept."""
        return self._keep and all(
            osp.isfile(self.path(img_id, s)) for s in self.suffixes)

    def claim(self, manifest: Dict[str, Any], overwrite: bool = False) -> None:
        """Make the folder that of ``manifest``'s inputs
        (:func:`~mmwsss.engine.resumable.claim_output_folder`): a rerun with
        the same inputs resumes; with other inputs it is refused, or with
        ``overwrite`` every image is written again."""
        self._keep = claim_output_folder(self.out_dir, manifest, overwrite)

    def unfinished(
            self,
            dataloader_cfg: dict,
            dataset: BaseDataset,
            skip: Optional[Callable[[str], bool]] = None,
            **overrides) -> Optional[DataLoader]:
        """A dataloader over the images of ``dataset`` not done yet (and
        not ``skip``-ped), or None if there are none; see
        :func:`~mmwsss.engine.resumable.unfinished_dataloader`."""
        return unfinished_dataloader(
            dataloader_cfg, dataset, lambda img_id: self.done(img_id) or bool(
                skip and skip(img_id)), **overrides)

    def write(self, img_id: str, mask: np.ndarray) -> None:
        """Write the ``(H, W)`` uint8 label map of ``img_id``, atomically."""
        atomic_write_bytes(
            self.path(img_id), encode_palette_png(mask, self.palette))

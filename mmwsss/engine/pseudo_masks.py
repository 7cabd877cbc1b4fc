"""Writing pseudo masks (and raw CAMs) from a stage-1 classifier."""
import math
from typing import (Any, Dict, Iterable, List, Optional, Sequence, Tuple,
                    Union)

import mmcv
import numpy as np
import torch
from mmengine.dist import get_dist_info
from torch.utils.data import DataLoader

from mmwsss.models.utils import dense_crf
from mmwsss.registry import DATASETS
from mmwsss.structures import (WSSSDataSample, argmax_background,
                               labels_from_index, stack_background)
from .cam_cache import CAMCache, write_labelled_cams
from .mask_folder import MaskFolder
from .resumable import predict_with_progress


def resolve_bg_score(bg_score: Union[float, str, None],
                     best: Optional[float],
                     model: torch.nn.Module) -> Tuple[float, str]:
    """The background score of the pseudo masks, and where it comes from.

    The one rule for the hook, the tool and the pipeline: a given number;
    otherwise (``'auto'`` or None) the best score of the last seed
    evaluation; without one, the model's ``test_cfg.bg_score``.

    Args:
        bg_score (float | str | None): A score in [0, 1], ``'auto'`` or
            None.
        best (float, optional): The best score of the seed evaluation.
        model (nn.Module): The classifier (its ``test_cfg.bg_score``).

    Returns:
        tuple[float, str]: The score and a phrase naming its source.
    """
    if bg_score not in ('auto', None):
        if not isinstance(bg_score, (int, float)):
            raise ValueError(f"bg_score must be a number, 'auto' or None, "
                             f'got {bg_score!r}.')
        return float(bg_score), 'given'
    if best is not None:
        return float(best), 'the seed evaluation'
    return float(model.test_cfg.bg_score), 'the model\'s test_cfg'


class PseudoMaskWriter(MaskFolder):
    """Turn predicted CAMs into pseudo-mask files, atomically.

    For an image ``{id}`` it writes ``{id}.png`` (VOC palette, labels 0..C
    drawn only from the image's classes and background) and, with
    ``save_cam``, ``{id}.npy``: float16 CAMs ``(K, H, W)`` of the image's K
    labelled classes, in increasing class order (the order of the non-zero
    entries of its image label), through :class:`MaskFolder`.

    Args:
        out_dir (str): Output folder.
        palette (list[list[int]]): Class colours (dataset ``palette``).
        bg_score (float): Constant background score of the seeds, in [0, 1].
        save_cam (bool): Also write the CAMs. Defaults to False.
        crf (dict, optional): Keyword arguments of :func:`dense_crf` to
            refine the seeds with a dense CRF, or None. Defaults to None.
    """

    def __init__(self,
                 out_dir: str,
                 palette: List[List[int]],
                 bg_score: float,
                 save_cam: bool = False,
                 crf: Optional[Dict] = None) -> None:
        if not (isinstance(bg_score, (int, float)) and math.isfinite(bg_score)
                and 0 <= bg_score <= 1):
            raise ValueError(f'The background score must be a number in '
                             f'[0, 1] (CAMs are normalised to it), got '
                             f'{bg_score!r}.')
        super().__init__(out_dir, palette, ('.npy', ) if save_cam else ())
        self.bg_score = bg_score
        self.save_cam = save_cam
        self.crf = crf

    def seeds(self, sample: WSSSDataSample) -> np.ndarray:
        """The ``(H, W)`` uint8 seed of a predicted sample."""
        cam = sample.pred_cam.data.float()
        if self.crf is None:
            return argmax_background(cam,
                                     self.bg_score).byte().cpu().numpy()
        present = torch.nonzero(sample.gt_label.cpu()).flatten()
        probs = stack_background(cam[present.to(cam.device)],
                                 self.bg_score).cpu().numpy()
        probs = probs / np.maximum(probs.sum(0, keepdims=True), 1e-5)
        image = mmcv.imread(sample.img_path, channel_order='rgb')
        refined = dense_crf(image, probs, **self.crf).argmax(0)
        return labels_from_index(refined, present.numpy()).astype(np.uint8)

    def __call__(self, sample: WSSSDataSample) -> None:
        """Write the outputs of one predicted sample."""
        self.write(sample.img_id, self.seeds(sample))
        if self.save_cam:
            write_labelled_cams(
                self.path(sample.img_id, '.npy'), sample, torch.float16)


def prepare_pseudo_masks(
    dataloader_cfg: dict,
    out_dir: str,
    bg_score: float,
    save_cam: bool = False,
    crf: Optional[Dict] = None,
    manifest: Optional[Dict[str, Any]] = None,
    overwrite: bool = False,
    cache: Optional[CAMCache] = None
) -> Tuple[PseudoMaskWriter, Optional[DataLoader], List[WSSSDataSample]]:
    """The writer and what it is to write: a dataloader over the images to
    infer, and the images whose CAMs are cached.

    With a ``manifest`` (what produces the masks: checkpoint digest, config
    digest...; the background score and CRF options are added), the folder
    is claimed (:meth:`MaskFolder.claim`): the temporary files of a killed
    run are removed, and the masks of other inputs are refused, or with
    ``overwrite`` all written again.

    Args:
        dataloader_cfg (dict): Dataloader config (e.g. the config's
            ``pseudo_mask_dataloader``); its sampler should neither shuffle
            nor round up, so that ranks share the images without duplicates.
        out_dir (str): Output folder.
        bg_score (float): Background score of the seeds.
        save_cam (bool): Also write the CAMs. Defaults to False.
        crf (dict, optional): Dense CRF options. Defaults to None.
        manifest (dict, optional): The inputs of the masks. Defaults to None
            (the folder is not claimed).
        overwrite (bool): Replace the masks of other inputs. Defaults to
            False.
        cache (CAMCache, optional): CAMs of this model already inferred
            (the caller checks that the same model made them); these images
            are not inferred again. Defaults to None.

    Returns:
        tuple: The :class:`PseudoMaskWriter` (palette of the dataset), the
        dataloader of the images to infer (None if there are none), and this
        process's share of the images to write from ``cache`` (samples
        without ``pred_cam``: :meth:`CAMCache.load` gives it).
    """
    dataset = DATASETS.build(dataloader_cfg['dataset'])
    writer = PseudoMaskWriter(out_dir, dataset.metainfo['palette'], bg_score,
                              save_cam, crf)
    if manifest is not None:
        writer.claim(dict(manifest, bg_score=bg_score, crf=crf), overwrite)
    cached: List[WSSSDataSample] = []
    if cache is not None:
        for i in range(len(dataset)):
            info = dataset.get_data_info(i)
            if cache.has(info['img_id']) and not writer.done(info['img_id']):
                sample = WSSSDataSample(
                    metainfo=dict(
                        img_id=info['img_id'], img_path=info['img_path']))
                sample.gt_label = torch.as_tensor(
                    info['gt_label'], dtype=torch.float32)
                cached.append(sample)
        rank, world_size = get_dist_info()
        cached = cached[rank::world_size]
    return (writer,
            writer.unfinished(dataloader_cfg, dataset,
                              cache.has if cache is not None else None),
            cached)


def write_pseudo_masks(model: torch.nn.Module,
                       dataloader: Optional[Iterable],
                       writer: PseudoMaskWriter,
                       cached: Sequence[WSSSDataSample] = (),
                       cache: Optional[CAMCache] = None) -> int:
    """Write every image's outputs: those of ``cached`` from ``cache``, then
    those of ``dataloader`` inferred by ``model``.

    Args:
        model (nn.Module): The stage-1 classifier (``test_step`` returns
            samples with ``pred_cam``).
        dataloader (Iterable, optional): Batches of the images to infer
            (the caller leaves out finished images and shards across ranks).
        writer (PseudoMaskWriter): The writer.
        cached (Sequence[WSSSDataSample]): Images whose CAMs ``cache``
            holds. Defaults to ().
        cache (CAMCache, optional): The cache of ``cached``.

    Returns:
        int: Number of images written by this process.
    """
    for sample in cached:
        writer(cache.load(sample))
    count = len(cached)
    if dataloader is None:
        return count
    model.eval()
    with torch.no_grad():
        for sample in predict_with_progress(dataloader, model.test_step):
            writer(sample)
            count += 1
    return count

"""Resumable per-image jobs: skip finished images, show progress, and
refuse to mix the outputs of different inputs in one folder."""
import copy
import hashlib
import json
import os
import os.path as osp
import sys
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional

from mmengine.dataset import BaseDataset
from mmengine.dist import barrier, get_rank
from mmengine.logging import print_log
from mmengine.runner import Runner
from mmengine.utils import ProgressBar
from torch.utils.data import DataLoader

from mmwsss.structures import WSSSDataSample
from mmwsss.utils import (SignalCatcher, atomic_write_bytes, file_digest,
                          remove_temporaries, shield_workers)

#: The file of an output folder that records what produced its outputs.
MANIFEST = 'manifest.json'


def text_digest(value: Any) -> str:
    """The SHA-256 of a value's JSON (e.g. a config section)."""
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def folder_digest(folder: str, suffix: str = '.npy') -> str:
    """The SHA-256 of the ``*{suffix}`` files of a folder, names and
    contents (e.g. the CAMs that affinity labels or a random walk are made
    from), so that a rerun after the folder changed is told apart.

    Raises:
        FileNotFoundError: If ``folder`` does not exist.
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(f'The folder {folder} does not exist.')
    names = sorted(
        name for name in os.listdir(folder)
        if name.endswith(suffix) and not name.startswith('.'))
    return text_digest(
        [[name, file_digest(osp.join(folder, name))] for name in names])


def _has_outputs(folder: str) -> bool:
    """Whether ``folder`` (or a subfolder) holds a ``.png`` / ``.npy``."""
    for _, _, files in os.walk(folder):
        if any(
                f.endswith(('.png', '.npy')) and not f.startswith('.')
                for f in files):
            return True
    return False


def _as_json(manifest: Dict[str, Any]) -> Dict[str, Any]:
    """A manifest as it reads back from its JSON file."""
    return json.loads(json.dumps(manifest, sort_keys=True, default=str))


def read_manifest(out_dir: str) -> Optional[Dict[str, Any]]:
    """The manifest of an output folder, or None without one."""
    path = osp.join(out_dir, MANIFEST)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def made_by(out_dir: str, manifest: Dict[str, Any]) -> bool:
    """Whether the outputs of ``out_dir`` were made from ``manifest``'s
    inputs (its manifest is the same)."""
    return read_manifest(out_dir) == _as_json(manifest)


def claim_output_folder(out_dir: str,
                        manifest: Dict[str, Any],
                        overwrite: bool = False) -> bool:
    """Make ``out_dir`` the folder of the outputs of ``manifest``'s inputs.

    The folder records what produced it in ``manifest.json`` (checkpoint
    digest, thresholds, config digest, ...). A rerun with the same inputs
    resumes: the temporary files a killed run left are removed and finished
    images are kept. A rerun with other inputs is refused, naming what
    differs, unless ``overwrite``: then the manifest is replaced and every
    image is to be written again. Collective under ``torchrun``: every rank
    calls it; rank 0 changes the folder.

    Args:
        out_dir (str): The output folder.
        manifest (dict): JSON-able description of the inputs.
        overwrite (bool): Replace the outputs of other inputs. Defaults to
            False.

    Returns:
        bool: Whether the finished images of the folder can be kept.

    Raises:
        ValueError: If the folder holds the outputs of other inputs (or of
            unknown inputs) and ``overwrite`` is False.
    """
    path = osp.join(out_dir, MANIFEST)
    manifest = _as_json(manifest)
    old = read_manifest(out_dir)
    same = old == manifest
    keep = same or (old is None and not _has_outputs(out_dir))
    if not keep and not overwrite:
        if old is None:
            raise ValueError(
                f'The output folder {out_dir} has no {MANIFEST}: it was not '
                'written by this tool, or by an older version. Pass '
                '--overwrite to write every image again, or choose another '
                'folder.')
        differ = sorted(
            k for k in set(old) | set(manifest)
            if old.get(k) != manifest.get(k))
        details = '; '.join(f'{k}: {old.get(k)!r} -> {manifest.get(k)!r}'
                            for k in differ)
        raise ValueError(
            f'The output folder {out_dir} holds the outputs of other inputs '
            f'({details}). Pass --overwrite to replace them, or choose '
            'another folder.')
    barrier()
    if get_rank() == 0:
        remove_temporaries(out_dir)
        if not same:
            atomic_write_bytes(
                path,
                json.dumps(manifest, indent=2, sort_keys=True).encode())
    barrier()
    return keep


def unfinished_dataloader(dataloader_cfg: dict, dataset: BaseDataset,
                          done: Callable[[str], bool],
                          **overrides) -> Optional[DataLoader]:
    """A dataloader over the images of ``dataset`` that are not ``done``.

    Args:
        dataloader_cfg (dict): Dataloader config (e.g. the config's
            ``pseudo_mask_dataloader``); its sampler should neither shuffle
            nor round up, so that ranks share the images without
            duplicates.
        dataset (BaseDataset): The dataset built from its ``dataset``.
        done (Callable[[str], bool]): Whether the outputs of an image id
            are complete.
        **overrides: Dataloader keys to override (e.g. ``batch_size=1``).

    Returns:
        DataLoader, optional: The dataloader, or None if every image is
        done.
    """
    todo = [
        i for i in range(len(dataset))
        if not done(dataset.get_data_info(i)['img_id'])
    ]
    if not todo:
        return None
    cfg = copy.deepcopy(dataloader_cfg)
    cfg.update(overrides, dataset=dataset.get_subset(todo))
    return Runner.build_dataloader(cfg)


def predict_with_progress(
    dataloader: Iterable,
    predict: Callable[[dict],
                      List[WSSSDataSample]]) -> Iterator[WSSSDataSample]:
    """Yield ``predict(batch)``'s samples of every batch, with a progress bar
    (images/s) on rank 0 over this rank's share of the images.

    SIGTERM (preemption) and SIGINT (Ctrl-C) stop the job between images:
    the sample in hand is finished (the caller has written it when it asks
    for the next one), then one line is logged and the process exits with
    status ``128 + signal``; a rerun of the same command skips the finished
    images. The data loader's workers ignore these signals
    (:func:`~mmwsss.utils.signals.shield_workers`).

    Args:
        dataloader (Iterable): Batches (its sampler shards across ranks).
        predict (Callable): Maps a batch to its predicted data samples.

    Yields:
        WSSSDataSample: One predicted sample after the other.
    """
    total = len(getattr(dataloader, 'sampler', dataloader))
    bar = ProgressBar(
        total, file=sys.stdout) if get_rank() == 0 and total else None
    done = 0
    with SignalCatcher() as catcher:
        shield_workers(dataloader, catcher.signals)
        for batch in dataloader:
            for sample in predict(batch):
                yield sample
                done += 1
                if bar is not None:
                    bar.update()
                if catcher.received is not None:
                    if bar is not None:
                        bar.file.write('\n')
                    print_log(
                        f'Stopped by {catcher.received.name} after {done} '
                        'images; the finished ones are kept: rerun the same '
                        'command to finish.',
                        logger='current')
                    raise SystemExit(128 + catcher.received)
    if bar is not None:
        bar.file.write('\n')

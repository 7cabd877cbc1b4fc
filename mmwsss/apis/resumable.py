"""Resumable per-image jobs: skip finished images, show progress."""
import copy
from typing import Callable, Iterable, Iterator, List, Optional

from mmengine.dataset import BaseDataset
from mmengine.dist import get_rank
from mmengine.runner import Runner
from mmengine.utils import ProgressBar
from torch.utils.data import DataLoader

from mmwsss.structures import WSSSDataSample


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
    dataloader: Iterable, predict: Callable[[dict], List[WSSSDataSample]]
) -> Iterator[WSSSDataSample]:
    """Yield ``predict(batch)``'s samples of every batch, with a progress bar
    (images/s) on rank 0 over this rank's share of the images.

    Args:
        dataloader (Iterable): Batches (its sampler shards across ranks).
        predict (Callable): Maps a batch to its predicted data samples.

    Yields:
        WSSSDataSample: One predicted sample after the other.
    """
    total = len(getattr(dataloader, 'sampler', dataloader))
    bar = ProgressBar(total) if get_rank() == 0 and total else None
    for batch in dataloader:
        for sample in predict(batch):
            yield sample
            if bar is not None:
                bar.update()
    if bar is not None:
        bar.file.write('\n')

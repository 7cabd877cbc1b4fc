"""Named splits, resolved by the dataset class that knows its layout."""
from typing import Optional

from mmwsss.registry import DATASETS


def select_split(dataset_cfg: dict, split: Optional[str]) -> None:
    """Point a dataset config at a named split (in place).

    The dataset class resolves the name (``split_ann_file``, e.g.
    :meth:`VOCClsDataset.split_ann_file`); without a name the config keeps
    its own ``ann_file``, which is what a dataset without named splits (COCO,
    whose splits are its instances files) always uses.

    Args:
        dataset_cfg (dict): A dataset config with ``type``.
        split (str, optional): The split's name, or None.

    Raises:
        ValueError: If the dataset class has no named splits.
    """
    if split is None:
        return
    dataset_type = dataset_cfg['type']
    cls = DATASETS.get(dataset_type) if isinstance(dataset_type,
                                                   str) else dataset_type
    if getattr(cls, 'split_ann_file', None) is None:
        raise ValueError(
            f'{dataset_type} has no named splits (asked for {split!r}); '
            'leave the split out to use the config\'s ann_file '
            f'({dataset_cfg.get("ann_file")}).')
    dataset_cfg['ann_file'] = cls.split_ann_file(split)

from .cls_labels import load_cls_labels, save_cls_labels
from .coco_cls import COCOClsDataset
from .splits import select_split
from .transforms import *  # noqa: F401,F403
from .voc_cls import VOCClsDataset, labels_from_mask

__all__ = [
    'COCOClsDataset', 'VOCClsDataset', 'labels_from_mask', 'load_cls_labels',
    'save_cls_labels', 'select_split'
]

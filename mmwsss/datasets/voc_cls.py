"""PASCAL VOC with image-level labels, the dataset of every WSSS stage 1."""
import os.path as osp
from typing import Dict, List, Optional, Union

import mmengine
import numpy as np
from mmengine.logging import print_log
from mmseg.datasets import BaseSegDataset, PascalVOCDataset
from PIL import Image

from mmwsss.registry import DATASETS
from mmwsss.utils import safe_join
from .cls_labels import load_cls_labels
from .keyed_sampler import SampleKey, keyed_randomness


def labels_from_mask(path: str, num_classes: int) -> np.ndarray:
    """Image-level label from the class indices present in a VOC mask.

    Args:
        path (str): A palette (or grayscale) PNG of class indices, 0 for
            background and 255 for ignored pixels.
        num_classes (int): Number of foreground classes.

    Returns:
        np.ndarray: float32 multi-hot of shape ``(num_classes,)``.

    Raises:
        ValueError: If the mask cannot be read or holds an index that is not
            background, a class or 255.
    """
    try:
        with Image.open(path) as img:
            mask = np.asarray(img)
    except (OSError, SyntaxError) as e:
        raise ValueError(f'Cannot read the mask {path}: {e}') from e
    if mask.ndim != 2:
        raise ValueError(f'The mask {path} must be a single-channel PNG of '
                         f'class indices, got shape {mask.shape}.')
    values = np.unique(mask)
    bad = values[(values > num_classes) & (values != 255)]
    if bad.size:
        raise ValueError(f'The mask {path} holds index {int(bad[0])}, which '
                         f'is neither a class (0..{num_classes}) nor 255.')
    label = np.zeros(num_classes, dtype=np.float32)
    fg = values[(values >= 1) & (values <= num_classes)]
    label[fg.astype(np.int64) - 1] = 1
    return label


@DATASETS.register_module()
class VOCClsDataset(BaseSegDataset):
    """PASCAL VOC 2012 in its real layout, with image-level labels.

    The layout is VOC's (plus SBD's ``SegmentationClassAug`` and an optional
    saliency folder)::

        data_root/
            JPEGImages/{id}.jpg
            SegmentationClass/{id}.png       (train, val)
            SegmentationClassAug/{id}.png    (train_aug, val)
            ImageSets/Segmentation/{train,train_aug,val}.txt
            cls_labels.npy                   (optional)
            saliency/{id}.png                (optional, 0-255)

    The image-level label of an image is read from ``cls_label_file`` (the
    ``cls_labels.npy`` of WSSS repositories) when given, otherwise from the
    class indices present in its mask; both give the same labels. Masks are
    never given to a training pipeline that does not ask for them: they only
    serve evaluation (``LoadAnnotations``) and, optionally, the labels.

    Args:
        ann_file (str): Split list, one image id per line.
        data_prefix (dict): Folders of images (``img_path``), masks
            (``seg_map_path``, may be None) and saliency maps
            (``saliency_path``, may be None).
        cls_label_file (str, optional): ``cls_labels.npy``, relative to
            ``data_root`` unless absolute. Defaults to None (labels from
            masks).
        saliency_suffix (str): Suffix of saliency maps. Defaults to '.png'.
        on_missing (str): What to do with an id whose image (or mask, or
            saliency map when their folder is set) is missing, or whose label
            is empty: ``'error'`` raises naming the file, ``'skip'`` logs and
            drops the image. Defaults to 'error'.
        with_label (bool): Read image-level labels. False for the datasets of
            the segmentation stage, which train on (pseudo) masks only.
            Defaults to True.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset`.

    Indexed with a :class:`~mmwsss.datasets.keyed_sampler.SampleKey` (from
    the ``Keyed*Sampler`` of the training configs), the pipeline's random
    transforms draw from generators seeded by the key, so that a sample's
    augmentation depends on ``(seed, epoch, index)`` only, not on the data
    loader's worker processes.
    """
    METAINFO = PascalVOCDataset.METAINFO

    @staticmethod
    def split_ann_file(split: str) -> str:
        """The ``ann_file`` of a named split (``train``, ``train_aug``,
        ``val``, ...): its list under ``ImageSets/Segmentation``."""
        return osp.join('ImageSets', 'Segmentation', f'{split}.txt')

    def __init__(self,
                 ann_file: str,
                 data_prefix: dict = dict(
                     img_path='JPEGImages',
                     seg_map_path='SegmentationClassAug',
                     saliency_path=None),
                 cls_label_file: Optional[str] = None,
                 img_suffix: str = '.jpg',
                 seg_map_suffix: str = '.png',
                 saliency_suffix: str = '.png',
                 on_missing: str = 'error',
                 with_label: bool = True,
                 **kwargs) -> None:
        if on_missing not in ('error', 'skip'):
            raise ValueError(f"on_missing must be 'error' or 'skip', got "
                             f'{on_missing!r}.')
        data_root = kwargs.get('data_root')
        if cls_label_file and data_root and not osp.isabs(cls_label_file):
            cls_label_file = osp.join(data_root, cls_label_file)
        self.cls_label_file = cls_label_file
        self.saliency_suffix = saliency_suffix
        self.on_missing = on_missing
        self.with_label = with_label
        super().__init__(
            ann_file=ann_file,
            data_prefix=data_prefix,
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            **kwargs)

    def __getitem__(self, idx: Union[int, SampleKey]) -> dict:
        """The sample ``idx`` after the pipeline; a :class:`SampleKey`
        keys the randomness of its augmentation."""
        if isinstance(idx, SampleKey):
            with keyed_randomness(idx):
                return super().__getitem__(idx.index)
        return super().__getitem__(idx)

    def prepare_data(self, idx: int) -> dict:
        """The sample ``idx`` after the pipeline, its mask checked.

        A mask that is not one channel of class indices of the image's size
        (e.g. an RGB rendering) or that holds an index outside ``0..C`` and
        255 is an error naming the mask file, instead of a shape error far
        away (in a loss or a metric).
        """
        data = super().prepare_data(idx)
        sample = data.get('data_samples') if isinstance(data, dict) else None
        if sample is None or 'gt_sem_seg' not in sample:
            return data
        seg = sample.gt_sem_seg.data
        path = sample.metainfo.get('seg_map_path',
                                   self.get_data_info(idx).get('seg_map_path'))
        size = tuple(data['inputs'].shape[-2:])
        if seg.ndim != 3 or seg.shape[0] != 1 or tuple(seg.shape[1:]) != size:
            raise ValueError(
                f'The mask {path} must be one channel of class indices of '
                f'its image\'s size {size}, got a map of shape '
                f'{tuple(seg.shape)} (an RGB rendering?).')
        bad = seg[(seg > self.num_classes) & (seg != 255)]
        if bad.numel():
            raise ValueError(f'The mask {path} holds index {int(bad[0])}, '
                             'which is neither a class '
                             f'(0..{self.num_classes}) nor 255.')
        return data

    @property
    def num_classes(self) -> int:
        """Number of foreground classes (background excluded)."""
        return len(self.metainfo['classes']) - 1

    def _read_ids(self) -> List[str]:
        """Read and check the split list."""
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'The split list {self.ann_file} does '
                                    'not exist.')
        ids = [line.strip() for line in mmengine.list_from_file(self.ann_file)]
        ids = [i for i in ids if i]
        if not ids:
            raise ValueError(f'The split list {self.ann_file} is empty.')
        first_line: Dict[str, int] = {}
        for line_no, img_id in enumerate(ids, 1):
            if img_id in first_line:
                raise ValueError(
                    f'{self.ann_file}: the id {img_id!r} is listed twice '
                    f'(lines {first_line[img_id]} and {line_no}).')
            first_line[img_id] = line_no
        return ids

    def _drop(self, message: str, error: type = FileNotFoundError) -> None:
        """Raise ``error`` or log-and-skip according to ``on_missing``."""
        if self.on_missing == 'error':
            raise error(message)
        print_log(f'{message} Skipped.', logger='current', level=30)

    def load_data_list(self) -> List[dict]:
        """Load the data infos of the split.

        Returns:
            list[dict]: One dict per image with ``img_path``, ``img_id``,
            ``gt_label`` and, where their folders are set, ``seg_map_path``
            and ``saliency_path``.
        """
        folders = dict(
            img_path=(self.data_prefix.get('img_path'), self.img_suffix),
            seg_map_path=(self.data_prefix.get('seg_map_path'),
                          self.seg_map_suffix),
            saliency_path=(self.data_prefix.get('saliency_path'),
                           self.saliency_suffix))
        cls_labels = None
        if self.cls_label_file and self.with_label:
            cls_labels = load_cls_labels(self.cls_label_file, self.num_classes)
        data_list = []
        for img_id in self._read_ids():
            info = dict(
                img_id=img_id,
                label_map=self.label_map,
                reduce_zero_label=self.reduce_zero_label,
                seg_fields=[])
            for key, (folder, suffix) in folders.items():
                if folder:
                    info[key] = safe_join(folder, img_id, suffix)
            missing = [
                info[k] for k in folders
                if k in info and not osp.isfile(info[k])
            ]
            if missing:
                self._drop(f'{self.ann_file}: the file {missing[0]} of the '
                           f'id {img_id!r} does not exist.')
                continue
            if not self.with_label:
                data_list.append(info)
                continue
            if cls_labels is not None:
                if img_id not in cls_labels:
                    raise KeyError(f'{self.cls_label_file} has no label for '
                                   f'the id {img_id!r} of {self.ann_file}.')
                label = cls_labels[img_id]
            elif 'seg_map_path' in info:
                label = labels_from_mask(info['seg_map_path'],
                                         self.num_classes)
            else:
                raise ValueError(
                    'VOCClsDataset needs image labels: set cls_label_file '
                    "or data_prefix['seg_map_path'].")
            if not label.any():
                self._drop(
                    f'{self.ann_file}: the id {img_id!r} has an empty '
                    'image label (no foreground class).', ValueError)
                continue
            info['gt_label'] = label
            data_list.append(info)
        return data_list

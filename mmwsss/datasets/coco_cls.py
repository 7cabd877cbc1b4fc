"""MS COCO 2014 with image-level labels read from its instances file."""
from typing import Dict, List, Tuple

import numpy as np
from mmengine.logging import print_log
from pycocotools.coco import COCO

from mmwsss.registry import DATASETS
from .coco_masks import (COCO_CLASSES, COCO_PALETTE, category_indices,
                         load_coco, write_coco_masks)
from .voc_cls import VOCClsDataset


@DATASETS.register_module()
class COCOClsDataset(VOCClsDataset):
    """MS COCO 2014 (80 object classes) in its real layout, for WSSS.

    The layout is COCO's, plus the WSSS extras (saliency maps of EPS, the
    derived masks)::

        data_root/
            train2014/COCO_train2014_{12-digit id}.jpg
            val2014/COCO_val2014_{12-digit id}.jpg
            annotations/instances_{train,val}2014.json
            SALImages/{stem}.png                   (optional, 0-255)
            SegmentationClass/{train,val}2014/     (mask cache, derived)

    An image's id (``img_id``) is its ``file_name`` without the extension,
    e.g. ``COCO_train2014_000000000009``, the ids of the WSSS repositories'
    COCO lists and ``cls_labels.npy``. Images come in increasing COCO image
    id.

    - **Labels** come from the instances file: an image is labelled with the
      category of every annotation on it, crowd annotations included. The 80
      categories map to contiguous indices 1..80 in increasing category id
      (0 is background); see :mod:`mmwsss.datasets.coco_masks`.
    - **Images without objects**: about 0.9% of COCO 2014's images (702 of
      82,783 in train, 367 of 40,504 in val) carry no annotation of the 80
      classes. With ``skip_empty`` (the default) they are dropped, and
      logged once with their count: an image-level classifier has no class
      to learn from them, and the WSSS repositories' COCO lists (82,081
      train / 40,137 val images, EPS's among them) leave them out of
      training and evaluation alike. A dataset with labels always drops
      them.
    - **Masks** (only when ``data_prefix['seg_map_path']`` is set, i.e. for
      evaluation) are derived once from the instances file into that
      folder by :func:`~mmwsss.datasets.coco_masks.write_coco_masks`: the
      smallest instance wins where instances overlap, crowd regions take
      their class, nothing is ignored. With ``generate_masks=False`` the
      folder is read as it is (the pseudo masks of the segmentation stage,
      or masks made elsewhere).
    - A custom ``metainfo['classes']`` (a subset, background first) keeps
      mmseg's meaning: the other classes leave the labels and become 255
      (ignored) in the loaded masks.

    Everything else (``on_missing``, ``with_label``, saliency maps, keyed
    augmentation) is :class:`VOCClsDataset`'s.

    Args:
        ann_file (str): The COCO instances file, e.g.
            ``annotations/instances_train2014.json``.
        data_prefix (dict): Folders of images (``img_path``) and,
            optionally, masks (``seg_map_path``) and saliency maps
            (``saliency_path``). Defaults to ``dict(img_path='train2014')``.
        generate_masks (bool): Derive the masks missing in
            ``data_prefix['seg_map_path']`` from ``ann_file``. Defaults to
            True.
        skip_empty (bool): Drop the images without any annotated object of
            the dataset's classes. Must be True with labels. Defaults to
            True.
        **kwargs: Passed to :class:`VOCClsDataset` (but ``cls_label_file``:
            labels come from ``ann_file``).
    """
    METAINFO = dict(classes=COCO_CLASSES, palette=COCO_PALETTE)
    #: No named splits: a split is an instances file (``ann_file``) and
    #: its image folder (``data_prefix``), both set in the config
    split_ann_file = None

    def __init__(self,
                 ann_file: str,
                 data_prefix: dict = dict(img_path='train2014'),
                 generate_masks: bool = True,
                 skip_empty: bool = True,
                 **kwargs) -> None:
        if kwargs.get('cls_label_file'):
            raise ValueError(
                'COCOClsDataset reads its labels from ann_file; remove '
                f"cls_label_file={kwargs['cls_label_file']!r}.")
        if kwargs.get('with_label', True) and not skip_empty:
            raise ValueError(
                'COCOClsDataset with image labels (stage 1) cannot keep the '
                'images without objects: set skip_empty=True or '
                'with_label=False.')
        self.generate_masks = generate_masks
        self.skip_empty = skip_empty
        self._split: List[str] = []
        super().__init__(ann_file=ann_file, data_prefix=data_prefix, **kwargs)

    def _read_ids(self) -> List[str]:
        """The ids of the images read from ``ann_file``."""
        return self._split

    def _image_labels(self, coco: COCO,
                      cat_index: Dict[int, int]) -> Tuple[dict, dict]:
        """Labels of every image over the dataset's classes.

        Returns:
            tuple[dict, dict]: ``img_id`` -> float32 multi-hot of shape
            ``(num_classes,)``, and ``img_id`` -> COCO image id, in
            increasing COCO image id.
        """
        classes = self.metainfo['classes']
        if classes[0] != COCO_CLASSES[0]:
            raise ValueError(f'COCOClsDataset needs background as its first '
                             f'class, got {classes[0]!r}.')
        # contiguous COCO index -> position in the label vector, -1 if the
        # class is not among the dataset's (mmseg's label_map, 255)
        position = np.arange(len(COCO_CLASSES)) - 1
        if self.label_map:
            position = np.array([
                self.label_map[i] - 1 if self.label_map[i] != 255 else -1
                for i in range(len(COCO_CLASSES))
            ])
        labels, coco_ids = {}, {}
        for image_id in sorted(coco.imgs):
            file_name = coco.imgs[image_id]['file_name']
            if not file_name.endswith(self.img_suffix):
                raise ValueError(
                    f'{self.ann_file}: the image {image_id} has the file '
                    f'{file_name!r}, expected a name ending in '
                    f'{self.img_suffix!r}.')
            img_id = file_name[:-len(self.img_suffix)]
            found = [
                cat_index.get(ann['category_id'])
                for ann in coco.imgToAnns[image_id]
            ]
            if None in found:
                ann = coco.imgToAnns[image_id][found.index(None)]
                raise ValueError(
                    f'{self.ann_file}: the annotation {ann["id"]} has the '
                    f'unknown category id {ann["category_id"]}.')
            present = position[np.array(found, np.int64)]
            label = np.zeros(self.num_classes, np.float32)
            label[present[present >= 0]] = 1
            labels[img_id] = label
            coco_ids[img_id] = image_id
        return labels, coco_ids

    def load_data_list(self) -> List[dict]:
        """Load the data infos, deriving missing masks first.

        Returns:
            list[dict]: One dict per image with ``img_path``, ``img_id``,
            ``gt_label`` (with labels) and, where their folders are set,
            ``seg_map_path`` and ``saliency_path``.
        """
        coco = load_coco(self.ann_file)
        labels, coco_ids = self._image_labels(
            coco, category_indices(coco, self.ann_file))
        self._split = [
            i for i, label in labels.items()
            if label.any() or not self.skip_empty
        ]
        if len(self._split) < len(labels):
            print_log(
                f'{self.ann_file}: {len(labels) - len(self._split)} of '
                f'{len(labels)} images have no annotated object of the '
                'dataset classes; skipped (skip_empty=True).',
                logger='current')
        mask_dir = self.data_prefix.get('seg_map_path')
        if mask_dir and self.generate_masks:
            write_coco_masks(coco, self.ann_file,
                             [coco_ids[i] for i in self._split], mask_dir)
        # the parent resolves and checks the files; labels come from above
        with_label, self.with_label = self.with_label, False
        try:
            data_list = super().load_data_list()
        finally:
            self.with_label, self._split = with_label, []
        if with_label:
            for info in data_list:
                info['gt_label'] = labels[info['img_id']]
        return data_list

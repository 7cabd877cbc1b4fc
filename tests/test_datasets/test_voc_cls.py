import os
import os.path as osp
import re
import shutil

import numpy as np
import pytest
from PIL import Image

from mmwsss.datasets import VOCClsDataset, labels_from_mask, load_cls_labels
from mmwsss.datasets.cls_labels import save_cls_labels


def _dataset(root, split='train_aug', **kwargs):
    kwargs.setdefault(
        'data_prefix',
        dict(img_path='JPEGImages', seg_map_path='SegmentationClassAug'))
    return VOCClsDataset(
        data_root=root,
        ann_file=f'ImageSets/Segmentation/{split}.txt',
        **kwargs)


def _copy(root, tmp_path):
    dst = tmp_path / 'voc'
    shutil.copytree(root, dst)
    return str(dst)


def test_labels_from_masks_equal_cls_labels(tiny_voc):
    from_masks = _dataset(tiny_voc)
    from_file = _dataset(
        tiny_voc,
        cls_label_file='cls_labels.npy',
        data_prefix=dict(img_path='JPEGImages'))
    assert len(from_masks) == len(from_file) == 16
    # data_list is emptied once mmengine serialises the dataset
    for index in range(len(from_masks)):
        a, b = from_masks.get_data_info(index), from_file.get_data_info(index)
        assert a['img_id'] == b['img_id']
        assert (a['gt_label'] == b['gt_label']).all()
        assert 1 <= a['gt_label'].sum() <= 3
        assert 'seg_map_path' not in b  # no mask given to a weak pipeline


def test_metainfo_is_voc(tiny_voc):
    ds = _dataset(tiny_voc, split='val')
    assert ds.metainfo['classes'][0] == 'background'
    assert len(ds.metainfo['classes']) == 21 and ds.num_classes == 20
    assert ds.metainfo['palette'][1] == [128, 0, 0]


def test_saliency_paths(tiny_voc):
    ds = _dataset(
        tiny_voc,
        data_prefix=dict(
            img_path='JPEGImages',
            seg_map_path='SegmentationClassAug',
            saliency_path='saliency'))
    info = ds.get_data_info(0)
    assert info['saliency_path'].endswith(f'saliency/{info["img_id"]}.png')
    assert osp.isfile(info['saliency_path'])


def test_missing_image_is_named_or_skipped(tiny_voc, tmp_path):
    root = _copy(tiny_voc, tmp_path)
    img_id = open(osp.join(
        root, 'ImageSets/Segmentation/train.txt')).readline().strip()
    os.remove(osp.join(root, 'JPEGImages', img_id + '.jpg'))
    with pytest.raises(FileNotFoundError, match=f'{img_id}.jpg'):
        _dataset(root, split='train')
    assert len(_dataset(root, split='train', on_missing='skip')) == 7


def test_id_without_mask_is_named(tiny_voc, tmp_path):
    root = _copy(tiny_voc, tmp_path)
    with open(osp.join(root, 'ImageSets/Segmentation/train.txt'), 'a') as f:
        f.write('2026_999999\n')
    with pytest.raises(FileNotFoundError, match='2026_999999'):
        _dataset(root, split='train')


def test_mask_index_outside_classes(tiny_voc, tmp_path):
    root = _copy(tiny_voc, tmp_path)
    img_id = open(osp.join(
        root, 'ImageSets/Segmentation/train.txt')).readline().strip()
    path = osp.join(root, 'SegmentationClassAug', img_id + '.png')
    mask = np.array(Image.open(path))
    mask[0, 0] = 42
    Image.fromarray(mask).save(path)
    with pytest.raises(ValueError, match=f'{img_id}.png holds index 42'):
        _dataset(root, split='train')


def test_unreadable_mask(tiny_voc, tmp_path):
    root = _copy(tiny_voc, tmp_path)
    img_id = open(osp.join(
        root, 'ImageSets/Segmentation/train.txt')).readline().strip()
    with open(osp.join(root, 'SegmentationClassAug', img_id + '.png'),
              'wb') as f:
        f.write(b'not a png')
    with pytest.raises(ValueError, match=f'Cannot read the mask .*{img_id}'):
        _dataset(root, split='train')


@pytest.mark.parametrize('lines,message', [
    (['a', 'b', 'a'], r"'a' is listed twice \(lines 1 and 3\)"),
    ([], 'is empty'),
    (['../escape'], 'leaves the folder'),
    (['/etc/passwd'], 'non-empty relative name'),
])
def test_bad_split_lists(tiny_voc, tmp_path, lines, message):
    root = _copy(tiny_voc, tmp_path)
    with open(osp.join(root, 'ImageSets/Segmentation/bad.txt'), 'w') as f:
        f.write(''.join(f'{line}\n' for line in lines))
    with pytest.raises(ValueError, match=message):
        _dataset(root, split='bad')


def test_empty_label(tiny_voc, tmp_path):
    root = _copy(tiny_voc, tmp_path)
    labels = load_cls_labels(osp.join(root, 'cls_labels.npy'), 20)
    img_id = sorted(labels)[0]
    labels[img_id][:] = 0
    save_cls_labels(osp.join(root, 'cls_labels.npy'), labels)
    kwargs = dict(
        cls_label_file='cls_labels.npy',
        data_prefix=dict(img_path='JPEGImages'))
    with pytest.raises(ValueError, match=f"'{img_id}' has an empty"):
        _dataset(root, **kwargs)
    assert len(_dataset(root, on_missing='skip', **kwargs)) == 15


def test_cls_labels_refuses_code(tmp_path):
    """A pickle that would run code is refused, not executed."""
    import pickle

    class Evil:

        def __reduce__(self):
            return (os.system, ('echo pwned', ))

    path = tmp_path / 'cls_labels.npy'
    np.save(path, np.array({'a': Evil()}, dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match='not allowed'):
        load_cls_labels(str(path), 20)
    assert pickle  # the module is only needed to build the file


def test_labels_from_mask_reads_palette(tmp_path):
    mask = np.zeros((4, 4), np.uint8)
    mask[0, 0], mask[1, 1], mask[2, 2] = 3, 255, 20
    img = Image.frombytes('P', (4, 4), mask.tobytes())
    img.putpalette([0, 0, 0, 128, 0, 0] * 128)
    img.save(tmp_path / 'm.png')
    label = labels_from_mask(str(tmp_path / 'm.png'), 20)
    assert np.nonzero(label)[0].tolist() == [2, 19]


def test_evaluation_mask_of_wrong_shape_or_index_is_named(tiny_voc, tmp_path):
    root = _copy(tiny_voc, tmp_path)
    dataset = _dataset(
        root,
        split='train',
        cls_label_file='cls_labels.npy',
        data_prefix=dict(
            img_path='JPEGImages', seg_map_path='SegmentationClass'),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations'),
            dict(type='PackWSSSInputs')
        ])
    assert dataset[0]['data_samples'].gt_sem_seg.data.shape[0] == 1
    path = dataset.get_data_info(0)['seg_map_path']
    with Image.open(path) as img:
        mask = np.asarray(img)
    Image.fromarray(np.where(mask == 0, 30, mask).astype(np.uint8)).save(path)
    with pytest.raises(ValueError, match=rf'{re.escape(path)} holds index 30'):
        dataset[0]
    Image.fromarray(np.stack([mask] * 3, -1)).save(path)  # an RGB rendering
    with pytest.raises(
            ValueError, match=rf'{re.escape(path)} must be one channel'):
        dataset[0]

import os.path as osp

import numpy as np
import pytest
from mmcv.transforms import Compose
from PIL import Image

from mmwsss.datasets.transforms.affinity_labels import LoadAffinityLabel
from mmwsss.engine.mask_folder import encode_palette_png
from mmwsss.registry import TRANSFORMS


def write_label(folder, img_id, label):
    path = osp.join(folder, img_id + '.png')
    with open(path, 'wb') as f:
        f.write(encode_palette_png(label, [[0, 0, 0], [128, 0, 0]] * 11))
    return path


def label_map(h=40, w=56):
    """Blocks of classes 0, 3, 7 and an ignored band."""
    label = np.zeros((h, w), np.uint8)
    label[:, w // 2:] = 3
    label[h // 2:, :w // 3] = 7
    label[h // 2 - 2:h // 2 + 2] = 255
    return label


def test_loads_a_palette_png(tmp_path):
    label = label_map()
    write_label(str(tmp_path), 'a', label)
    transform = TRANSFORMS.build(
        dict(type='LoadAffinityLabel', label_dir=str(tmp_path)))
    results = transform(dict(img_id='a', img_shape=(40, 56), seg_fields=[]))
    assert np.array_equal(results['gt_seg_map'], label)
    assert results['gt_seg_map'].dtype == np.uint8
    assert results['seg_fields'] == ['gt_seg_map']
    assert 'LoadAffinityLabel' in repr(transform)


def test_refusals(tmp_path):
    write_label(str(tmp_path), 'a', label_map())
    Image.new('RGB', (56, 40)).save(osp.join(str(tmp_path), 'rgb.png'))
    transform = LoadAffinityLabel(str(tmp_path))
    with pytest.raises(ValueError, match='image is 30x56'):
        transform(dict(img_id='a', img_shape=(30, 56)))
    with pytest.raises(FileNotFoundError, match='affinity_labels.py'):
        transform(dict(img_id='missing', img_shape=(40, 56)))
    with pytest.raises(ValueError, match='single-channel'):
        transform(dict(img_id='rgb', img_shape=(40, 56)))
    with pytest.raises(ValueError, match='Refusing'):
        transform(dict(img_id='../a', img_shape=(40, 56)))


def test_stays_aligned_through_the_training_pipeline(tmp_path):
    """The label follows resizes, flips and crops and is packed."""
    label = label_map()
    write_label(str(tmp_path), 'a', label)
    # an image whose channels hold the label, so alignment is checkable
    img = np.repeat(label[..., None], 3, axis=2)
    pipeline = Compose([
        dict(type='LoadAffinityLabel', label_dir=str(tmp_path)),
        dict(
            type='RandomResizeLong',
            min_long=60,
            max_long=90,
            interpolation='nearest'),
        dict(type='RandomFlip', prob=0.5),
        dict(type='RandomCropPad', crop_size=64),
        dict(type='PackWSSSInputs'),
    ])
    np.random.seed(0)
    flips = set()
    for _ in range(6):
        packed = pipeline(
            dict(
                img=img.copy(),
                img_id='a',
                img_shape=img.shape[:2],
                ori_shape=img.shape[:2],
                gt_label=np.zeros(20, np.float32),
                seg_fields=[]))
        sample = packed['data_samples']
        gt = sample.gt_sem_seg.data[0].numpy()
        image = packed['inputs'][0].numpy()
        assert gt.shape == image.shape == (64, 64)
        inside = image == gt  # padding differs: 255 label, mean colour
        assert inside.mean() > 0.3
        assert (gt[~inside] == 255).all()
        flips.add(sample.flip)
    assert flips == {True, False}

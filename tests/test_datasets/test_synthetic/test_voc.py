import hashlib
import json
import os
import os.path as osp
import re
import subprocess
import sys

import numpy as np
import pytest
from mmseg.datasets import PascalVOCDataset
from PIL import Image

from mmwsss.datasets.synthetic.voc import MANIFEST_NAME, write_synthetic_voc

REPO_ROOT = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
ARGS = dict(
    seed=0,
    num_train=4,
    num_train_aug=9,
    num_val=3,
    image_size=(56, 72),
    num_classes=20)
SPLITS = ('train', 'train_aug', 'val')


def file_hashes(root):
    """Map every file under ``root`` (relative path) to its sha256."""
    hashes = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = osp.join(folder, name)
            with open(path, 'rb') as f:
                hashes[osp.relpath(path, root)] = hashlib.sha256(
                    f.read()).hexdigest()
    return hashes


def read_split(root, split):
    with open(osp.join(root, 'ImageSets', 'Segmentation', split + '.txt')) \
            as f:
        return f.read().split('\n')[:-1]


def read_png(root, folder, name):
    return Image.open(osp.join(root, folder, name + '.png'))


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synthetic_voc'))
    summary = write_synthetic_voc(root, **ARGS)
    return root, summary


def test_layout(dataset):
    root, summary = dataset
    splits = {split: read_split(root, split) for split in SPLITS}
    assert [len(splits[s]) for s in SPLITS] == [4, 9, 3]
    assert summary['num_images'] == dict(train=4, train_aug=9, val=3)
    for ids in splits.values():
        assert len(set(ids)) == len(ids)
        assert all(re.fullmatch(r'2026_\d{6}', i) for i in ids)
    assert set(splits['train']) <= set(splits['train_aug'])
    assert not set(splits['train_aug']) & set(splits['val'])

    every = splits['train_aug'] + splits['val']
    with_class = splits['train'] + splits['val']
    expected = {MANIFEST_NAME, 'cls_labels.npy'}
    expected |= {f'ImageSets/Segmentation/{s}.txt' for s in SPLITS}
    expected |= {f'JPEGImages/{i}.jpg' for i in every}
    expected |= {f'saliency/{i}.png' for i in every}
    expected |= {f'SegmentationClassAug/{i}.png' for i in every}
    expected |= {f'SegmentationClass/{i}.png' for i in with_class}
    assert set(file_hashes(root)) == expected
    for name in with_class:
        with open(osp.join(root, 'SegmentationClass', name + '.png'),
                  'rb') as f, open(
                      osp.join(root, 'SegmentationClassAug', name + '.png'),
                      'rb') as g:
            assert f.read() == g.read()


def test_masks(dataset):
    root, _ = dataset
    palette = np.zeros((256, 3), np.uint8)
    palette[:21] = PascalVOCDataset.METAINFO['palette']
    palette[255] = (224, 224, 192)
    for name in read_split(root, 'train_aug') + read_split(root, 'val'):
        png = read_png(root, 'SegmentationClassAug', name)
        assert png.mode == 'P'
        assert png.getpalette() == palette.ravel().tolist()
        mask = np.asarray(png)
        image = Image.open(osp.join(root, 'JPEGImages', name + '.jpg'))
        assert image.mode == 'RGB' and image.size == png.size
        assert 56 <= min(png.size) and max(png.size) <= 72
        values = set(np.unique(mask).tolist())
        assert values <= set(range(21)) | {255}
        assert 255 in values and 0 in values
        # Every change of label goes through the ignore band.
        for a, b in ((mask[1:], mask[:-1]), (mask[:, 1:], mask[:, :-1])):
            assert not np.any((a != b) & (a != 255) & (b != 255))
        assert (mask == 255).mean() < 0.25


def test_cls_labels(dataset):
    root, summary = dataset
    labels = np.load(
        osp.join(root, 'cls_labels.npy'), allow_pickle=True).item()
    ids = read_split(root, 'train_aug') + read_split(root, 'val')
    assert list(labels) == ids
    for name in ids:
        mask = np.asarray(read_png(root, 'SegmentationClassAug', name))
        present = sorted(set(np.unique(mask).tolist()) - {0, 255})
        assert labels[name].dtype == np.float32
        assert labels[name].shape == (20, )
        assert np.flatnonzero(
            labels[name]).tolist() == [c - 1 for c in present]
        assert 1 <= len(present) <= 3
    assert 1 <= summary['mean_classes_per_image'] <= 3


def test_saliency(dataset):
    root, _ = dataset
    on_fg, on_bg = [], []
    for name in read_split(root, 'train_aug') + read_split(root, 'val'):
        png = read_png(root, 'saliency', name)
        mask = np.asarray(read_png(root, 'SegmentationClassAug', name))
        assert png.mode == 'L' and png.size == mask.shape[::-1]
        saliency = np.asarray(png)
        assert np.any((saliency > 0) & (saliency < 255))
        foreground = (mask > 0) & (mask < 255)
        assert not np.array_equal(saliency > 127, foreground)
        on_fg.append(saliency[foreground].mean())
        on_bg.append(saliency[mask == 0].mean())
    assert np.mean(on_fg) > np.mean(on_bg) + 100


def test_determinism(dataset, tmp_path):
    root, _ = dataset
    hashes = file_hashes(root)
    again = write_synthetic_voc(str(tmp_path / 'same'), **ARGS)
    assert again['files_written'] == len(hashes)
    assert file_hashes(str(tmp_path / 'same')) == hashes

    rerun = write_synthetic_voc(root, **ARGS)
    assert rerun['files_written'] == 0
    assert rerun['files_unchanged'] == len(hashes)

    write_synthetic_voc(str(tmp_path / 'other'), **{**ARGS, 'seed': 1})
    other = file_hashes(str(tmp_path / 'other'))
    jpegs = [k for k in hashes if k.endswith('.jpg')]
    assert all(other[k] != hashes[k] for k in jpegs)

    # An image depends on its number, not on the sizes of the splits.
    write_synthetic_voc(
        str(tmp_path / 'more'), **{
            **ARGS, 'num_train_aug': 11,
            'num_val': 1
        })
    more = file_hashes(str(tmp_path / 'more'))
    common = set(more) & set(jpegs)
    assert len(common) == 10
    assert all(more[k] == hashes[k] for k in common)


@pytest.mark.parametrize(('kwargs', 'name'), [
    (dict(num_train=10, num_train_aug=9), 'num_train'),
    (dict(num_classes=21), 'num_classes'),
    (dict(num_classes=0), 'num_classes'),
    (dict(num_val=0), 'num_val'),
    (dict(image_size=(0, 64)), 'image_size'),
    (dict(image_size=(72, 64)), 'image_size'),
    (dict(image_size=(64, )), 'image_size'),
    (dict(seed=-1), 'seed'),
    (dict(jpeg_quality=101), 'jpeg_quality'),
])
def test_bad_arguments(tmp_path, kwargs, name):
    with pytest.raises(ValueError, match=name):
        write_synthetic_voc(str(tmp_path), **{**ARGS, **kwargs})
    assert not os.listdir(tmp_path)


def test_foreign_folder(dataset, tmp_path):
    root, _ = dataset
    with pytest.raises(FileExistsError, match='seed'):
        write_synthetic_voc(root, **{**ARGS, 'seed': 3})
    with pytest.raises(FileExistsError, match='num_classes'):
        write_synthetic_voc(root, **{**ARGS, 'num_classes': 5})
    (tmp_path / 'unrelated.txt').write_text('keep me')
    with pytest.raises(FileExistsError, match=MANIFEST_NAME):
        write_synthetic_voc(str(tmp_path), **ARGS)


def test_cli(tmp_path):
    out = str(tmp_path / 'cli')
    command = [
        sys.executable, 'tools/dataset_converters/synthetic_voc.py', '--out',
        out, '--seed', '5', '--num-train', '2', '--num-train-aug', '3',
        '--num-val', '2', '--min-size', '48', '--max-size', '56',
        '--num-classes', '6'
    ]
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        filter(None, [REPO_ROOT, env.get('PYTHONPATH')]))
    result = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary['num_images'] == dict(train=2, train_aug=3, val=2)
    assert summary['num_classes'] == 6
    labels = np.load(osp.join(out, 'cls_labels.npy'), allow_pickle=True)
    assert all(v.shape == (6, ) for v in labels.item().values())

    bad = subprocess.run(
        command[:-1] + ['30'],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300)
    assert bad.returncode == 2 and 'num_classes' in bad.stderr

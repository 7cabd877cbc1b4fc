import os
import os.path as osp
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image
from tiny_models import (TINY_AFFINITY_HEAD, flat_keys, tiny_args,
                         tiny_options)

from mmwsss.engine.affinity import (prepare_random_walk, random_walk_refine,
                                    write_affinity_labels)
from mmwsss.engine.cam_cache import read_labelled_cams
from mmwsss.registry import DATASETS, MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'affinity',
                  'affinity_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py')
PALETTE = [[i, i, i] for i in range(21)]
# a tiny AffinityNet (the tests' tiny backbone) through --cfg-options
TINY_HEAD = flat_keys('model.aff_head', TINY_AFFINITY_HEAD)
TINY_OPTIONS = tiny_args('affinity', TINY_HEAD)


def write_cams(cam_dir, infos):
    """CAMs from the ground truth masks: 1 on the class, 0 elsewhere."""
    os.makedirs(cam_dir, exist_ok=True)
    for info in infos:
        with Image.open(info['seg_map_path']) as img:
            mask = np.asarray(img)
        present = np.flatnonzero(info['gt_label'])
        cams = np.stack([mask == c + 1 for c in present]).astype(np.float16)
        np.save(osp.join(cam_dir, info['img_id'] + '.npy'), cams)


@pytest.fixture(scope='module')
def voc(tiny_voc, tmp_path_factory):
    """A copy of the tiny dataset with CAMs and an id leaving the folder."""
    root = str(tmp_path_factory.mktemp('aff_voc') / 'voc')
    shutil.copytree(tiny_voc, root)
    dataset = DATASETS.build(
        dict(
            type='VOCClsDataset',
            data_root=root,
            ann_file='ImageSets/Segmentation/train_aug.txt',
            cls_label_file='cls_labels.npy',
            data_prefix=dict(
                img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
            pipeline=[]))
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    write_cams(osp.join(root, 'cams'), infos)
    return dict(root=root, infos=infos, cams=osp.join(root, 'cams'))


def outputs(folder):
    """{name: mtime} of the files of a folder (logs, manifest left out)."""
    return {
        name: os.stat(osp.join(folder, name)).st_mtime_ns
        for name in os.listdir(folder) if name not in ('logs', 'manifest.json')
    }


def test_write_affinity_labels_is_resumable_and_confined(voc, tmp_path):
    out = str(tmp_path / 'labels')
    infos = voc['infos'][:4]
    assert write_affinity_labels(infos, voc['cams'], out, PALETTE) == 4
    first = outputs(out)
    assert sorted(first) == sorted(i['img_id'] + '.png' for i in infos)
    assert write_affinity_labels(infos, voc['cams'], out, PALETTE) == 0
    assert outputs(out) == first
    # CAMs equal to the masks: confident everywhere, labels = masks (whose
    # ignored pixels have no CAM: background)
    with Image.open(osp.join(out, infos[0]['img_id'] + '.png')) as img:
        labels = np.asarray(img)
    with Image.open(infos[0]['seg_map_path']) as img:
        mask = np.asarray(img)
    assert np.array_equal(labels, np.where(mask == 255, 0, mask))
    bad = dict(infos[0], img_id='../evil')
    with pytest.raises(ValueError, match='Refusing'):
        write_affinity_labels([bad], voc['cams'], out, PALETTE)
    with pytest.raises(ValueError, match='Refusing'):
        read_labelled_cams(voc['cams'], '../evil', infos[0]['gt_label'])
    with pytest.raises(ValueError, match='labelled'):
        read_labelled_cams(voc['cams'], infos[0]['img_id'], np.ones(20))
    assert not osp.exists(osp.join(str(tmp_path), 'evil.png'))


def tiny_affinity_net():
    from mmengine.config import Config
    cfg = Config.fromfile(CONFIG)  # made tiny as TINY_OPTIONS do
    cfg.merge_from_dict(tiny_options('affinity', TINY_HEAD))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return cfg, model


def test_random_walk_refine(voc, tmp_path):
    cfg, model = tiny_affinity_net()
    model.eval()
    loader_cfg = cfg.pseudo_mask_dataloader
    loader_cfg.update(num_workers=0, persistent_workers=False)
    loader_cfg.dataset.data_root = voc['root']
    out = str(tmp_path / 'masks')
    folder, loader = prepare_random_walk(loader_cfg, out)
    assert folder.out_dir == out
    assert loader.batch_size == 1 and len(loader) == len(voc['infos'])
    batch = next(iter(loader))
    sample = random_walk_refine(model, batch, voc['cams'])[0]
    present = np.flatnonzero(sample.gt_label.numpy())
    mask = sample.pred_sem_seg.data[0]
    assert mask.shape == sample.img_shape
    assert set(mask.unique().tolist()) <= {0, *(present + 1).tolist()}
    # the stage-1 CAMs became pred_cam, zero for the absent classes
    assert sample.pred_cam.data.shape[0] == 20
    assert sample.pred_cam.data[np.setdiff1d(np.arange(20),
                                             present)].eq(0).all()


def run_tool(*args):
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run([sys.executable, *args],
                          cwd=REPO,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=300)


def test_affinity_labels_tool(voc, tmp_path):
    out = str(tmp_path / 'labels')
    args = [
        osp.join(REPO, 'tools', 'affinity_labels.py'), CONFIG, '--cams',
        voc['cams'], '--out', out, '--cfg-options',
        f'pseudo_mask_dataloader.dataset.data_root={voc["root"]}'
    ]
    first = run_tool(*args)
    assert first.returncode == 0, first.stderr
    written = outputs(out)
    assert len(written) == len(voc['infos'])
    assert osp.isfile(osp.join(out, 'manifest.json'))
    second = run_tool(*args)
    assert second.returncode == 0, second.stderr
    assert 'Wrote 0 affinity labels' in second.stdout + second.stderr
    assert outputs(out) == written
    # a split with an id leaving the folder is refused, nothing written
    split = osp.join(voc['root'], 'ImageSets', 'Segmentation', 'evil.txt')
    with open(split, 'w') as f:
        f.write('../../evil\n')
    refused = run_tool(*args, '--split', 'evil')
    assert refused.returncode != 0
    assert 'Refusing' in refused.stderr
    assert outputs(out) == written
    # CAMs changed in place (e.g. rewritten with --overwrite): the labels
    # of the old CAMs are refused, then redone with --overwrite
    cams = str(tmp_path / 'cams')
    shutil.copytree(voc['cams'], cams)
    args[args.index(voc['cams'])] = cams
    same = run_tool(*args)  # a copy: the same CAMs, nothing to redo
    assert same.returncode == 0 and 'Wrote 0' in same.stdout + same.stderr
    first_id = voc['infos'][0]['img_id']
    np.save(
        osp.join(cams, first_id + '.npy'),
        np.zeros_like(np.load(osp.join(cams, first_id + '.npy'))))
    refused = run_tool(*args)
    assert refused.returncode != 0
    assert 'cams_sha256' in refused.stderr and '--overwrite' in refused.stderr
    assert outputs(out) == written
    again = run_tool(*args, '--overwrite')
    assert again.returncode == 0, again.stderr
    with Image.open(osp.join(out, first_id + '.png')) as img:
        assert not np.asarray(img).any()  # no CAM: all background


def test_random_walk_tool(voc, tmp_path):
    _, model = tiny_affinity_net()
    ckpt = str(tmp_path / 'aff.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    out = str(tmp_path / 'masks')
    args = [
        osp.join(REPO, 'tools', 'random_walk.py'), CONFIG, ckpt, '--cams',
        voc['cams'], '--out', out, '--split', 'train', '--logt', '4',
        '--cfg-options', *TINY_OPTIONS,
        f'pseudo_mask_dataloader.dataset.data_root={voc["root"]}',
        'pseudo_mask_dataloader.num_workers=0'
    ]
    first = run_tool(*args)
    assert first.returncode == 0, first.stderr
    written = outputs(out)
    with open(osp.join(voc['root'], 'ImageSets', 'Segmentation',
                       'train.txt')) as f:
        ids = f.read().split()
    assert sorted(written) == sorted(i + '.png' for i in ids)
    with Image.open(osp.join(out, ids[0] + '.png')) as img:
        assert img.mode == 'P'
    second = run_tool(*args)
    assert second.returncode == 0, second.stderr
    assert 'already' in second.stdout + second.stderr
    assert outputs(out) == written
    # other CAMs in the same folder: the old masks are refused
    cams = str(tmp_path / 'cams')
    shutil.copytree(voc['cams'], cams)
    args[args.index(voc['cams'])] = cams
    with open(osp.join(cams, ids[0] + '.npy'), 'r+b') as f:
        f.seek(-2, os.SEEK_END)
        f.write(b'\x00\x3c')  # the last CAM value becomes 1.0
    refused = run_tool(*args)
    assert refused.returncode != 0 and 'cams_sha256' in refused.stderr
    assert outputs(out) == written

"""The stage functions' config handling (the stages themselves run in
tests/test_tools/, through the tools and the whole pipeline)."""
import os
import os.path as osp

import pytest

from mmwsss.apis import load_config
from mmwsss.apis.stages import make_affinity_labels, use_affinity_labels
from mmwsss.datasets.transforms import LoadAffinityLabel
from mmwsss.utils import FolderLockedError, folder_lock

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
AFFINITY = osp.join(REPO, 'configs', 'affinity',
                    'affinity_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py')
STAGE1 = osp.join(REPO, 'configs', 'cam',
                  'cam_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py')


def test_affinity_labels_are_found_by_transform_type(tmp_path):
    cfg = load_config(AFFINITY, str(tmp_path))
    pipeline = cfg.train_dataloader.dataset.pipeline
    before = [dict(t) for t in pipeline]
    use_affinity_labels(cfg, 'my/labels')
    changed = [i for i, t in enumerate(pipeline) if dict(t) != before[i]]
    assert len(changed) == 1
    assert dict(pipeline[changed[0]]) == dict(
        before[changed[0]], label_dir='my/labels')
    # the class itself as type (pure-Python configs) is found too
    pipeline[changed[0]]['type'] = LoadAffinityLabel
    use_affinity_labels(cfg, 'other')
    assert pipeline[changed[0]]['label_dir'] == 'other'


def test_a_config_without_affinity_labels_is_refused(tmp_path):
    cfg = load_config(STAGE1, str(tmp_path))
    with pytest.raises(ValueError, match='no LoadAffinityLabel'):
        use_affinity_labels(cfg, 'my/labels')


def test_an_output_folder_in_use_is_refused(tiny_voc, tmp_path):
    """One writer at a time per output folder (pseudo masks, affinity
    labels, refined masks hold its lock while they write)."""
    cfg = load_config(AFFINITY, str(tmp_path / 'work'))
    cfg.pseudo_mask_dataloader.dataset.data_root = tiny_voc
    out = str(tmp_path / 'labels')
    with folder_lock(out):
        with pytest.raises(FolderLockedError,
                           match=f'{out} is in use by process {os.getpid()}'):
            make_affinity_labels(cfg, str(tmp_path / 'cams'), out)
    assert not osp.exists(osp.join(out, '.lock'))
    # the lock is free again: the stage goes on (and finds no CAMs)
    with pytest.raises(FileNotFoundError, match='cams does not exist'):
        make_affinity_labels(cfg, str(tmp_path / 'cams'), out)
    assert not osp.exists(osp.join(out, '.lock'))  # released on the error

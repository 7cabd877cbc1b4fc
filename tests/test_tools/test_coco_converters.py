"""The synthetic writer's COCO layout and the COCO mask converter, run as
commands (in this process)."""
import json
import os
import os.path as osp
import runpy
import sys

import pytest
from tool_helpers import ROOT


def run(capsys, monkeypatch, script, *args):
    """Run ``tools/dataset_converters/{script}`` with ``args``; stdout."""
    path = osp.join(ROOT, 'tools', 'dataset_converters', script)
    monkeypatch.setattr(sys, 'argv', [path, *args])
    runpy.run_path(path, run_name='__main__')
    return capsys.readouterr().out


def test_synthetic_coco_then_masks(tmp_path, capsys, monkeypatch):
    out = tmp_path / 'coco'
    summary = json.loads(
        run(capsys,
            monkeypatch, 'synthetic_voc.py', '--layout', 'coco', '--out',
            str(out), '--num-train', '4', '--num-val', '1', '--min-size', '40',
            '--max-size', '48', '--num-classes', '5', '--empty-every', '2'))
    assert summary['num_images'] == dict(train2014=4, val2014=1)
    assert summary['num_empty_images'] == dict(train2014=2, val2014=0)
    ann_file = str(out / 'annotations' / 'instances_train2014.json')
    masks = tmp_path / 'masks'
    printed = run(capsys, monkeypatch, 'coco_masks.py', ann_file, str(masks))
    assert printed.endswith(
        f'2 masks written, 0 were there already, in {masks}\n')
    assert sorted(f for f in os.listdir(masks) if f.endswith('.png')) == [
        'COCO_train2014_000000000001.png', 'COCO_train2014_000000000003.png'
    ]
    printed = run(capsys, monkeypatch, 'coco_masks.py', ann_file, str(masks),
                  '--keep-empty')
    assert printed.endswith(
        f'2 masks written, 2 were there already, in {masks}\n')
    with pytest.raises(SystemExit) as exit_info:
        run(capsys, monkeypatch, 'coco_masks.py', str(tmp_path / 'none.json'),
            str(masks))
    assert exit_info.value.code == 2
    assert 'none.json does not exist' in capsys.readouterr().err

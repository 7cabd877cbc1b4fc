import errno
import os
import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from PIL import Image

from mmwsss.engine.pseudo_masks import PseudoMaskWriter, resolve_bg_score
from mmwsss.engine.resumable import claim_output_folder
from mmwsss.structures import WSSSDataSample
from mmwsss.utils import DiskFullError

PALETTE = [[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0], [0, 0, 128]]


def _sample(img_id, label, seed=0, h=12, w=16):
    gen = torch.Generator().manual_seed(seed)
    cam = torch.rand(len(label), h, w, generator=gen)
    cam *= torch.tensor(label, dtype=torch.float32)[:, None, None]
    s = WSSSDataSample(metainfo=dict(img_id=img_id))
    s.gt_label = torch.tensor(label, dtype=torch.float32)
    s.pred_cam = PixelData(data=cam)
    return s


def test_masks_hold_only_image_classes_and_background(tmp_path):
    writer = PseudoMaskWriter(
        str(tmp_path), PALETTE, bg_score=0.3, save_cam=True)
    label = [0, 1, 0, 1]  # classes 2 and 4
    writer(_sample('a', label))
    with Image.open(tmp_path / 'a.png') as img:
        assert img.mode == 'P'
        mask = np.asarray(img)
    assert set(np.unique(mask)) <= {0, 2, 4}
    assert {2, 4} <= set(np.unique(mask))
    cam = np.load(tmp_path / 'a.npy')
    assert cam.dtype == np.float16 and cam.shape == (2, 12, 16)
    assert writer.done('a') and not writer.done('b')


def test_rerun_skips_finished_images_without_rewriting(tmp_path):
    writer = PseudoMaskWriter(str(tmp_path), PALETTE, bg_score=0.3)
    writer(_sample('a', [1, 0, 0, 0]))
    before = os.stat(tmp_path / 'a.png').st_mtime_ns
    # an interrupted run: 'a' finished, 'b' not; a rerun writes only 'b'
    todo = [i for i in ('a', 'b') if not writer.done(i)]
    assert todo == ['b']
    for img_id in todo:
        writer(_sample(img_id, [0, 0, 1, 0]))
    assert os.stat(tmp_path / 'a.png').st_mtime_ns == before
    assert writer.done('b')


def test_full_disk_leaves_nothing_half_written(tmp_path, monkeypatch):
    writer = PseudoMaskWriter(str(tmp_path), PALETTE, bg_score=0.3)

    def no_space(fd):
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(os, 'fsync', no_space)
    # one line naming the folder and its free space (a user error of the
    # tools: apis.cli.USER_ERRORS)
    with pytest.raises(
            DiskFullError,
            match=f'No space left on the device of {tmp_path} '
            r'\(\d+\.\d MiB free\) while writing a\.png'):
        writer(_sample('a', [1, 0, 0, 0]))
    assert os.listdir(tmp_path) == []  # no partial file, no temporary file
    assert not writer.done('a')


def test_ids_leaving_the_folder_are_refused(tmp_path):
    writer = PseudoMaskWriter(str(tmp_path / 'out'), PALETTE, bg_score=0.3)
    for bad in ('../escape', '/abs/path'):
        with pytest.raises(ValueError, match='Refusing'):
            writer(_sample(bad, [1, 0, 0, 0]))
    assert not osp.exists(tmp_path / 'escape.png')


@pytest.mark.parametrize('bg_score', [2.0, -1, float('nan'), float('inf')])
def test_background_score_outside_the_unit_interval_is_refused(
        tmp_path, bg_score):
    with pytest.raises(ValueError, match=r'in \[0, 1\].*got'):
        PseudoMaskWriter(str(tmp_path), PALETTE, bg_score=bg_score)


def test_folder_of_other_inputs_is_refused_unless_overwrite(tmp_path):
    out = str(tmp_path / 'out')
    inputs = dict(checkpoint_sha256='aa', bg_score=0.2)
    assert claim_output_folder(out, inputs)  # a new folder: nothing to redo
    writer = PseudoMaskWriter(out, PALETTE, bg_score=0.2)
    writer(_sample('a', [1, 0, 0, 0]))
    # a killed run's temporary file is removed on the rerun
    orphan = osp.join(out, '.b.png.x1y2z3w4.tmp')
    open(orphan, 'wb').close()
    assert claim_output_folder(out, inputs)
    assert not osp.exists(orphan) and writer.done('a')
    other = dict(inputs, bg_score=0.3)
    with pytest.raises(
            ValueError,
            match=r'holds the outputs of other inputs \(bg_score: 0\.2 -> '
            r'0\.3\)\. Pass --overwrite'):
        claim_output_folder(out, other)
    assert not claim_output_folder(out, other, overwrite=True)  # redo all
    assert claim_output_folder(out, other)  # and the folder is now theirs
    # outputs without a manifest: of unknown origin
    os.remove(osp.join(out, 'manifest.json'))
    with pytest.raises(ValueError, match='has no manifest.json'):
        claim_output_folder(out, other)


def test_background_score_rule():
    """Given number, else the seed evaluation's best, else the model's."""
    model = SimpleNamespace(test_cfg=SimpleNamespace(bg_score=0.2))
    assert resolve_bg_score(0.35, 0.1, model) == (0.35, 'given')
    assert resolve_bg_score(0, 0.1, model) == (0.0, 'given')
    for unset in ('auto', None):
        assert resolve_bg_score(unset, 0.1,
                                model) == (0.1, 'the seed evaluation')
        assert resolve_bg_score(unset, None,
                                model) == (0.2, "the model's test_cfg")
    with pytest.raises(ValueError, match="got 'high'"):
        resolve_bg_score('high', None, model)

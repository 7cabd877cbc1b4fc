import json
import math
import types

import numpy as np
import torch
from mmengine.config import ConfigDict
from PIL import Image
from test_pseudo_mask_hook import _model

from mmwsss.engine.hooks import CAMPatternHook
from mmwsss.engine.hooks.cam_pattern_hook import (pattern_picture,
                                                  position_pattern)


def test_position_pattern_means_and_agnostic_score():
    torch.manual_seed(0)
    labels = torch.tensor([[1, 0, 1], [0, 1, 1], [1, 0, 1]])
    cams = torch.rand(3, 3, 4, 4)
    stats = position_pattern(cams, labels)
    # class 0 is present in images 0 and 2, absent in image 1
    assert torch.allclose(stats['present'][0], (cams[0, 0] + cams[2, 0]) / 2)
    assert torch.allclose(stats['absent'][0], cams[1, 0])
    assert stats['num_present'].tolist() == [2, 1, 3]
    assert stats['num_absent'].tolist() == [1, 2, 0]
    assert torch.isnan(stats['absent'][2]).all()  # never absent
    assert -1 <= stats['agnostic'] <= 1

    # one pattern (scaled and shifted per class) for every class: alike 1
    pattern = torch.rand(4, 4)
    same = torch.stack([pattern * (c + 1) - c for c in range(3)])
    stats = position_pattern(same[None].repeat(3, 1, 1, 1), labels)
    assert math.isclose(stats['agnostic'], 1, abs_tol=1e-5)
    # classes on separate quadrants: unlike
    apart = torch.zeros(3, 4, 4)
    apart[0, :2, :2] = apart[1, 2:, 2:] = apart[2, :2, 2:] = 1
    stats = position_pattern(apart[None].repeat(3, 1, 1, 1), labels)
    assert stats['agnostic'] < 0


def test_pattern_picture_panels():
    stats = position_pattern(torch.rand(2, 3, 5, 5), torch.tensor([[1, 0, 1],
                                                                  [1, 0, 1]]))
    picture = pattern_picture(stats, ['a', 'b', 'c'], panel=10)
    assert picture.shape == (2 * 10 + 14, 3 * 12, 3)
    assert picture.dtype == np.uint8
    # class b is never present: its top panel is black
    assert (picture[14:24, 12:22] == 0).all()
    assert (picture[24:34, 12:22] != 0).any()


def test_hook_saves_at_chosen_iterations_without_changing_training(
        tiny_voc, tmp_path):
    model = _model().train()
    dataset = dict(
        type='VOCClsDataset',
        data_root=tiny_voc,
        ann_file='ImageSets/Segmentation/train.txt',
        cls_label_file='cls_labels.npy',
        data_prefix=dict(img_path='JPEGImages'),
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='PackWSSSInputs')])
    logs = []
    runner = types.SimpleNamespace(
        model=model,
        rank=0,
        iter=1,
        work_dir=str(tmp_path),
        logger=types.SimpleNamespace(info=logs.append),
        cfg=ConfigDict(test_dataloader=dict(dataset=dataset)))
    hook = CAMPatternHook(iters=(3, ), num_images=4, size=6)
    running_mean = model.backbone.bn1.running_mean.clone()
    state = torch.random.get_rng_state()
    hook.after_train_iter(runner, 1)  # iteration 2: nothing
    assert not (tmp_path / 'cam_pattern').exists()
    runner.iter = 2
    hook.after_train_iter(runner, 2)  # iteration 3
    assert model.training
    assert torch.equal(model.backbone.bn1.running_mean, running_mean)
    assert torch.equal(torch.random.get_rng_state(), state)
    picture = np.asarray(Image.open(tmp_path / 'cam_pattern' / 'iter_3.png'))
    assert picture.shape == (2 * 48 + 14, 20 * 50, 3)
    summary = json.loads(
        (tmp_path / 'cam_pattern' / 'iter_3.json').read_text())
    assert summary['iteration'] == 3
    assert sum(summary['num_present']) + sum(summary['num_absent']) == 4 * 20
    assert 'iteration 3' in logs[0]
    runner.iter = 5
    hook.after_train(runner)
    assert (tmp_path / 'cam_pattern' / 'iter_5.png').is_file()

import types

import numpy as np
import torch
from mmengine.structures import PixelData
from PIL import Image

from mmwsss.engine.hooks import CAMVisualizationHook
from mmwsss.structures import WSSSDataSample


class _Visualizer:
    dataset_meta = dict(classes=('background', 'a', 'b', 'c'))

    def __init__(self):
        self.images = {}

    def add_image(self, name, image, step=0):
        self.images[name] = image


def _sample(tmp_path, img_id):
    path = tmp_path / f'{img_id}.jpg'
    Image.fromarray(np.full((6, 8, 3), 100, np.uint8)).save(path)
    s = WSSSDataSample(metainfo=dict(img_id=img_id, img_path=str(path)))
    s.gt_label = torch.tensor([1., 0., 1.])
    s.pred_cam = PixelData(data=torch.rand(3, 6, 8))
    return s


def test_draws_the_first_images_once_per_evaluation(tmp_path):
    runner = types.SimpleNamespace(visualizer=_Visualizer(), iter=7)
    hook = CAMVisualizationHook(num_images=2)
    hook.before_val_epoch(runner)
    batch = [_sample(tmp_path, i) for i in ('x', 'y', 'z')]
    hook.after_val_iter(runner, 0, outputs=batch)
    assert sorted(runner.visualizer.images) == ['cam_x', 'cam_y']
    # the image and one panel per labelled class (2 of the 3)
    assert runner.visualizer.images['cam_x'].shape == (6, 8 * 3, 3)
    hook.after_val_iter(runner, 1, outputs=[_sample(tmp_path, 'w')])
    assert 'cam_w' not in runner.visualizer.images
    hook.before_test_epoch(runner)  # a new evaluation starts counting anew
    hook.after_test_iter(runner, 0, outputs=[_sample(tmp_path, 'w')])
    assert 'cam_w' in runner.visualizer.images

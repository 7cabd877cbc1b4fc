import numpy as np
import torch
from mmengine.structures import PixelData
from PIL import Image

from mmwsss.engine import pseudo_masks
from mmwsss.engine.pseudo_masks import PseudoMaskWriter
from mmwsss.structures import WSSSDataSample


def test_crf_path_maps_refined_labels_to_image_classes(tmp_path, monkeypatch):
    img_path = tmp_path / 'img.jpg'
    Image.fromarray(np.zeros((6, 8, 3), np.uint8)).save(img_path)
    sample = WSSSDataSample(metainfo=dict(img_id='a', img_path=str(img_path)))
    sample.gt_label = torch.tensor([0., 1., 0., 1.])  # classes 2 and 4
    cam = torch.zeros(4, 6, 8)
    cam[1, :, :4] = 0.9
    cam[3, :, 4:] = 0.8
    sample.pred_cam = PixelData(data=cam)
    seen = {}

    def fake_crf(image, probs, **kwargs):
        seen['probs'] = probs
        return probs  # identity "CRF"

    monkeypatch.setattr(pseudo_masks, 'dense_crf', fake_crf)
    writer = PseudoMaskWriter(
        str(tmp_path / 'out'), [[0, 0, 0]] * 5, bg_score=0.3, crf=dict())
    writer(sample)
    # background + the two labelled classes, rows summing to 1
    assert seen['probs'].shape == (3, 6, 8)
    assert np.allclose(seen['probs'].sum(0), 1, atol=1e-5)
    mask = np.asarray(Image.open(tmp_path / 'out' / 'a.png'))
    assert (mask[:, :4] == 2).all() and (mask[:, 4:] == 4).all()

import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.models import SegTTAModel
from mmseg.structures import SegDataSample
from PIL import Image

from mmwsss.models.segmentors import crf_seg_tta_model
from mmwsss.models.segmentors.crf_seg_tta_model import CRFSegTTAModel


class _Module(torch.nn.Module):
    """The part of a segmentor that merging the augmentations reads."""
    out_channels = 3

    def test_step(self, data):
        raise NotImplementedError


def _augmented(img_path, logits_list):
    samples = []
    for logits in logits_list:
        s = SegDataSample(metainfo=dict(img_path=img_path))
        s.seg_logits = PixelData(data=logits)
        samples.append(s)
    return [samples]


def test_without_crf_it_is_mmseg_tta(tmp_path):
    img = str(tmp_path / 'a.png')
    Image.fromarray(np.zeros((4, 5, 3), np.uint8)).save(img)
    torch.manual_seed(0)
    logits = [torch.randn(3, 4, 5) for _ in range(2)]
    ours = CRFSegTTAModel(
        module=_Module(), crf=None).merge_preds(_augmented(img, logits))
    theirs = SegTTAModel(module=_Module()).merge_preds(_augmented(img, logits))
    assert torch.equal(ours[0].pred_sem_seg.data, theirs[0].pred_sem_seg.data)


def test_crf_refines_the_averaged_probabilities(tmp_path, monkeypatch):
    img = str(tmp_path / 'a.png')
    Image.fromarray(np.full((4, 5, 3), 7, np.uint8)).save(img)
    torch.manual_seed(0)
    logits = [torch.randn(3, 4, 5) for _ in range(2)]
    seen = {}

    def fake_crf(image, probs, **kwargs):
        seen.update(image=image, probs=probs, kwargs=kwargs)
        out = np.zeros_like(probs)
        out[2] = 1  # the "CRF" says class 2 everywhere
        return out

    monkeypatch.setattr(crf_seg_tta_model, 'dense_crf', fake_crf)
    model = CRFSegTTAModel(module=_Module(), crf=dict(iterations=3))
    pred = model.merge_preds(_augmented(img, logits))[0]
    expected = torch.stack([x.softmax(0) for x in logits]).mean(0)
    assert np.allclose(seen['probs'], expected.numpy(), atol=1e-6)
    assert seen['image'].shape == (4, 5, 3) and seen['image'][0, 0, 0] == 7
    assert seen['kwargs'] == dict(iterations=3)
    assert (pred.pred_sem_seg.data == 2).all()

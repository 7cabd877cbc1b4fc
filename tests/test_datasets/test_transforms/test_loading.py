import cv2
import numpy as np
import pytest
from PIL import Image

from mmwsss.datasets.transforms import LoadSaliencyFromFile


def _results(path, h=6, w=8):
    return dict(saliency_path=str(path), img_shape=(h, w), seg_fields=[])


def test_8bit_png(tmp_path):
    sal = np.arange(48, dtype=np.uint8).reshape(6, 8) * 5
    Image.fromarray(sal).save(tmp_path / 's.png')
    out = LoadSaliencyFromFile()(_results(tmp_path / 's.png'))
    assert out['gt_saliency'].dtype == np.float32
    assert np.allclose(out['gt_saliency'], sal / 255.)
    assert out['seg_fields'] == ['gt_saliency']


def test_16bit_png(tmp_path):
    sal = (np.arange(48).reshape(6, 8) * 1000).astype(np.uint16)
    cv2.imwrite(str(tmp_path / 's.png'), sal)
    out = LoadSaliencyFromFile()(_results(tmp_path / 's.png'))
    assert np.allclose(out['gt_saliency'], sal / 65535.)


def test_gray_saved_as_rgb_is_converted(tmp_path):
    sal = np.arange(48, dtype=np.uint8).reshape(6, 8)
    Image.fromarray(np.stack([sal] * 3, -1)).save(tmp_path / 's.png')
    out = LoadSaliencyFromFile()(_results(tmp_path / 's.png'))
    assert np.allclose(out['gt_saliency'], sal / 255.)


def test_colour_png_is_refused(tmp_path):
    rgb = np.zeros((6, 8, 3), np.uint8)
    rgb[..., 0] = 200
    Image.fromarray(rgb).save(tmp_path / 's.png')
    with pytest.raises(ValueError, match='colour'):
        LoadSaliencyFromFile()(_results(tmp_path / 's.png'))


def test_float_npy(tmp_path):
    sal = np.linspace(0, 1, 48, dtype=np.float32).reshape(6, 8)
    np.save(tmp_path / 's.npy', sal)
    out = LoadSaliencyFromFile()(_results(tmp_path / 's.npy'))
    assert np.allclose(out['gt_saliency'], sal)
    np.save(tmp_path / 'bad.npy', sal * 255)
    with pytest.raises(ValueError, match=r'bad\.npy.*\[0, 1\]'):
        LoadSaliencyFromFile()(_results(tmp_path / 'bad.npy'))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothere.png'):
        LoadSaliencyFromFile()(_results(tmp_path / 'nothere.png'))


def test_wrong_size(tmp_path):
    Image.fromarray(np.zeros((5, 8), np.uint8)).save(tmp_path / 's.png')
    with pytest.raises(
            ValueError, match=r's\.png is 5x8 but its image is '
            r'6x8'):
        LoadSaliencyFromFile()(_results(tmp_path / 's.png'))
    out = LoadSaliencyFromFile(resize_to_image=True)(
        _results(tmp_path / 's.png'))
    assert out['gt_saliency'].shape == (6, 8)

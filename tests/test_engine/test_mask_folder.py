import numpy as np
import pytest
from mmengine.dataset import BaseDataset
from PIL import Image

from mmwsss.engine.mask_folder import MaskFolder, encode_palette_png

PALETTE = [[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0], [0, 0, 128]]


class _Ids(BaseDataset):
    """A dataset of bare image ids."""

    def __init__(self, ids):
        self.ids = ids
        super().__init__(serialize_data=False, lazy_init=False)

    def load_data_list(self):
        return [dict(img_id=i) for i in self.ids]


def test_palette_png_round_trip(tmp_path):
    mask = np.array([[0, 1, 255], [4, 2, 3]], np.uint8)
    path = tmp_path / 'm.png'
    path.write_bytes(encode_palette_png(mask, PALETTE))
    with Image.open(path) as img:
        assert img.mode == 'P'
        assert (np.asarray(img) == mask).all()
        assert img.getpalette()[3:6] == [128, 0, 0]


def test_an_image_is_done_when_all_its_files_exist(tmp_path):
    folder = MaskFolder(str(tmp_path), PALETTE, extras=('.npy', ))
    folder.write('a', np.zeros((2, 3), np.uint8))
    assert not folder.done('a')  # its .npy is missing
    np.save(tmp_path / 'a.npy', np.zeros(1))
    assert folder.done('a') and not folder.done('b')
    with pytest.raises(ValueError, match='Refusing'):
        folder.write('../escape', np.zeros((2, 3), np.uint8))


def test_claim_keeps_the_same_inputs_and_redoes_other_ones(tmp_path):
    out = str(tmp_path / 'out')
    first = MaskFolder(out, PALETTE)
    first.claim(dict(checkpoint_sha256='aa'))
    first.write('a', np.ones((2, 3), np.uint8))
    again = MaskFolder(out, PALETTE)
    again.claim(dict(checkpoint_sha256='aa'))
    assert again.done('a')  # the same inputs: a rerun resumes
    other = MaskFolder(out, PALETTE)
    with pytest.raises(ValueError, match='other inputs'):
        other.claim(dict(checkpoint_sha256='bb'))
    other.claim(dict(checkpoint_sha256='bb'), overwrite=True)
    assert not other.done('a')  # written again, though the file exists


def test_unfinished_leaves_out_done_and_skipped_images(tmp_path):
    folder = MaskFolder(str(tmp_path), PALETTE)
    folder.write('b', np.zeros((2, 3), np.uint8))
    dataset = _Ids(['a', 'b', 'c', 'd'])
    loader_cfg = dict(
        batch_size=4,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        collate_fn=dict(type='default_collate'))
    loader = folder.unfinished(loader_cfg, dataset, skip=lambda i: i == 'd')
    assert [info['img_id'] for info in loader.dataset] == ['a', 'c']
    folder.write('a', np.zeros((2, 3), np.uint8))
    folder.write('c', np.zeros((2, 3), np.uint8))
    assert folder.unfinished(loader_cfg, dataset, skip=lambda i: i == 'd') \
        is None

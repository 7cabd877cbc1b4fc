import io

import numpy as np
from PIL import Image

from mmwsss.datasets.mask_png import IGNORE_COLOUR, encode_png


def test_encode_png_round_trip():
    array = np.arange(48, dtype=np.uint8).reshape(6, 8) * 5
    gray = Image.open(io.BytesIO(encode_png(array)))
    assert gray.mode == 'L'
    np.testing.assert_array_equal(np.asarray(gray), array)

    palette = np.zeros((256, 3), np.uint8)
    palette[255] = IGNORE_COLOUR
    palette[1] = (128, 0, 0)
    array[0] = 255
    mask = Image.open(io.BytesIO(encode_png(array, palette.ravel().tolist())))
    assert mask.mode == 'P'
    assert mask.getpalette() == palette.ravel().tolist()
    np.testing.assert_array_equal(np.asarray(mask), array)

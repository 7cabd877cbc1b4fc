"""PNG bytes of label masks and grayscale maps, and VOC's ignore colour.

Shared by the writers of mask files: the COCO mask cache
(:mod:`.coco_masks`) and the synthetic benchmark (:mod:`.synthetic`).
"""
import io
from typing import List, Optional

import numpy as np
from PIL import Image

#: PASCAL VOC's palette colour of the ignore index 255 (boundary band).
IGNORE_COLOUR = (224, 224, 192)


def encode_png(array: np.ndarray,
               palette: Optional[List[int]] = None) -> bytes:
    """PNG bytes of a uint8 ``(H, W)`` array.

    Args:
        array (np.ndarray): The ``(H, W)`` uint8 array.
        palette (list[int], optional): 768 palette ints; the PNG is a 'P'
            mode image with it if given, else an 'L' mode image.

    Returns:
        bytes: The PNG file.
    """
    image = Image.fromarray(array)
    if palette is not None:
        image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, format='PNG')
    return buffer.getvalue()
